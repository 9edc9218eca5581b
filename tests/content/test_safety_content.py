"""The safety screen's phrase matching, replies and crisis lines, as written in messages/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from nudgebot.content import ContentLibrary, load_library
from nudgebot.content.safety import SafetyKind, SafetyRules, fold
from nudgebot.content.schema import SafetySection
from tests.conftest import MESSAGES_DIR

CRISIS = SafetyKind.CRISIS
RED_FLAG = SafetyKind.RED_FLAG
DIET_TOPICS = {
    "prebiotic-foods",
    "fermented-foods",
    "fibre-diversity",
    "anti-inflammatory",
    "less-sugar",
}


def rules_with(crisis_en: list[str]) -> SafetyRules:
    """A minimal compiled section whose English crisis list is `crisis_en`."""
    section = yaml.safe_load(
        """
        crisis: {phrases: {en: []}, reply: "{resources}"}
        red_flag: {phrases: {en: [black stool]}, reply: r, hold_topics: [sleep]}
        resources: {emergency: e}
        admin_alert: a
        """
    )
    section["crisis"]["phrases"]["en"] = crisis_en
    return SafetyRules.compile(SafetySection.model_validate(section))


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "sometimes I just wanna die",
        "I've been thinking about suicide",
        "I feel suicidal tonight",
        "I keep wanting to hurt myself",
        "self-harm again last night",
        "I'm going to kill myself",
        "I don't want to live anymore",
        "I don’t want to live anymore",  # a phone's curly apostrophe
        "I don´t want to live anymore",  # the acute accent Spanish keyboards type for one
        "I do not want to live",
        "I cannot go on",
        "maybe I should end my life",
        "honestly everyone would be better off dead without me... I mean me",
    ],
)
def test_english_crisis_language_is_caught(library: ContentLibrary, text: str) -> None:
    """Each common English way of saying it is screened as a crisis."""
    assert library.safety.classify(text) is CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "quiero morirme",
        "a veces pienso en el suicidio",
        "he pensado en suicidarme",
        "no quiero vivir así",
        "quiero quitarme la vida",
        "tengo ganas de hacerme daño",
        "me voy a matar",
        "otra vez con autolesiones",
        "me quiero matar",
        "me quiero quitar la vida",
        "no tengo ganas de vivir",
    ],
)
def test_spanish_crisis_language_is_caught(library: ContentLibrary, text: str) -> None:
    """Each common Spanish way of saying it is screened as a crisis."""
    assert library.safety.classify(text) is CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "I WANT TO DIE",
        "Suicide.",
        "Quiero MORIRME!!!",
        "hacerme dano",  # typed without the tilde
        "HACERME DAÑO",
        "no-quiero-vivir",
        "i want\nto   die",
    ],
)
def test_capitals_accents_and_punctuation_do_not_hide_a_crisis(
    library: ContentLibrary, text: str
) -> None:
    """Folding makes capitals, missing or extra accents, punctuation and spacing irrelevant."""
    assert library.safety.classify(text) is CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "I'm on a diet this week",
        "I want to diet less and eat more plants",
        "I'm dying to try kimchi",
        "the dandelion greens died in the fridge",
        "my dietitian says fibre helps",
        "I had kimchi with dinner and loved it",
        "slept badly, stress at work",
        "me encantó el kéfir",
        "dormí fatal, mucho estrés",
        "hoy caminé veinte minutos",
        "I can't go on the walk today, it's raining",
    ],
)
def test_everyday_notes_are_not_screened(library: ContentLibrary, text: str) -> None:
    """Ordinary notes, including "diet" and "dying to", match no list."""
    assert library.safety.classify(text) is None


def test_idioms_that_contain_a_listed_phrase_still_count_as_crisis(
    library: ContentLibrary,
) -> None:
    """An idiom or a negation around a crisis phrase is answered anyway: a miss costs more."""
    assert library.safety.classify("this queue makes me want to die") is CRISIS
    assert library.safety.classify("I don't want to die, I want to feel better") is CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "there was blood in my stool this morning",
        "Black, tarry stools since Monday",
        "I've had unexplained weight loss",
        "severe abdominal pain all night",
        "I have trouble swallowing",
        "I keep throwing up",
        "I was vomiting blood",
    ],
)
def test_english_gut_red_flags_are_caught(library: ContentLibrary, text: str) -> None:
    """Each English red-flag symptom is screened as a red flag."""
    assert library.safety.classify(text) is RED_FLAG


@pytest.mark.parametrize(
    "text",
    [
        "tengo sangre en las heces",
        "heces negras desde ayer",
        "pérdida de peso sin explicación",
        "perdida de peso sin explicacion",
        "dolor abdominal intenso",
        "tengo dificultad para tragar",
        "estoy vomitando sangre",
        "no paro de vomitar",
    ],
)
def test_spanish_gut_red_flags_are_caught(library: ContentLibrary, text: str) -> None:
    """Each Spanish red-flag symptom is screened as a red flag, with or without accents."""
    assert library.safety.classify(text) is RED_FLAG


def test_ordinary_gut_talk_is_not_a_red_flag(library: ContentLibrary) -> None:
    """Everyday gut words (bloating, a stool softener, black coffee) are not red flags."""
    for text in ("a bit bloated after beans", "black coffee and a walk", "stool softener?"):
        assert library.safety.classify(text) is None


def test_crisis_wins_over_a_red_flag_in_one_message(library: ContentLibrary) -> None:
    """A message with both is answered as a crisis."""
    assert library.safety.classify("blood in my stool and I want to die") is CRISIS


def test_a_command_is_screened_like_any_text(library: ContentLibrary) -> None:
    """The command word does not hide what follows it."""
    assert library.safety.classify("/note I want to die") is CRISIS


def test_a_stem_matches_every_ending_and_a_plain_word_only_itself() -> None:
    """`suicid*` matches suicidal; `suicide` without the mark does not."""
    stem = rules_with(["suicid*"])
    exact = rules_with(["suicide"])

    assert stem.classify("feeling suicidal") is CRISIS
    assert exact.classify("feeling suicidal") is None
    assert exact.classify("thinking of suicide") is CRISIS


def test_a_phrase_matches_whole_words_only() -> None:
    """ "die" is found as a word, never inside "diet" or "studied"."""
    rules = rules_with(["die"])

    assert rules.classify("I could die") is CRISIS
    assert rules.classify("diet") is None
    assert rules.classify("I studied") is None


def test_every_language_list_is_checked_whatever_the_language() -> None:
    """Someone whose Telegram is in English but who writes in Spanish is still caught."""
    section = SafetySection.model_validate(
        {
            "crisis": {"phrases": {"en": ["want to die"], "es": ["quiero morir*"]}, "reply": "r"},
            "red_flag": {"phrases": {"en": ["black stool"]}, "reply": "r", "hold_topics": ["x"]},
            "resources": {"emergency": "e"},
            "admin_alert": "a",
        }
    )

    assert SafetyRules.compile(section).classify("quiero morirme") is CRISIS


def test_folding_keeps_letters_and_digits_only() -> None:
    """Folding drops accents, apostrophes and punctuation and lowercases the rest."""
    assert fold("  Don’t — HACERME  daño, 24/7!") == "dont hacerme dano 24 7"


def test_a_library_without_a_safety_section_screens_nothing(tmp_path: Path) -> None:
    """Content with no safety file loads, and no message is screened."""
    folder = tmp_path / "messages"
    shutil.copytree(MESSAGES_DIR, folder)
    (folder / "safety.yaml").unlink()

    library = load_library(folder)

    assert library.safety.classify("I want to die") is None


def test_the_shipped_crisis_reply_gives_the_countrys_lines_then_the_emergency_line(
    library: ContentLibrary,
) -> None:
    """Mexico gets Línea de la Vida in Spanish, and the emergency line comes last."""
    reply = library.safety.reply(CRISIS, "es", "MX", library.default_language)

    assert "800 911 2000" in reply
    assert reply.index("800 911 2000") < reply.index("número de emergencias")
    assert "Gracias por contármelo" in reply


@pytest.mark.parametrize(
    ("country", "number"),
    [("ES", "024"), ("MX", "800 911 2000"), ("US", "988"), ("GB", "116 123")],
)
def test_each_launch_country_has_its_crisis_line(
    library: ContentLibrary, country: str, number: str
) -> None:
    """Spain, Mexico, the US and the UK each get their own line, in English and Spanish."""
    for language in ("en", "es"):
        reply = library.safety.reply(CRISIS, language, country, library.default_language)
        assert number in reply


def test_an_unlisted_country_gets_the_lines_for_the_language(library: ContentLibrary) -> None:
    """Someone in Germany writing Spanish gets the Spanish-language lines and the emergency line."""
    reply = library.safety.reply(CRISIS, "es", "DE", library.default_language)

    assert "024" in reply
    assert "findahelpline.com" in reply
    assert "número de emergencias" in reply


def test_an_unknown_language_falls_back_to_the_default_language(library: ContentLibrary) -> None:
    """A language the bot does not speak gets the default language's reply and lines."""
    reply = library.safety.reply(CRISIS, "pt", None, library.default_language)

    assert reply.startswith("💛 I'm really glad you told me.")
    assert "116 123" in reply


def test_the_red_flag_reply_asks_to_see_a_clinician_and_names_the_hold(
    library: ContentLibrary,
) -> None:
    """The red-flag reply says to see a clinician soon and that diet tips pause for 7 days."""
    english = library.safety.reply(RED_FLAG, "en", None, library.default_language)
    spanish = library.safety.reply(RED_FLAG, "es", None, library.default_language)

    assert "please see a clinician soon" in english
    assert "7 days" in english
    assert "7 días" in spanish


def test_the_shipped_red_flag_holds_exactly_the_diet_topics_for_a_week(
    library: ContentLibrary,
) -> None:
    """Food topics wait for 7 days; breathing, sleep, movement and the rest carry on."""
    assert set(library.safety.hold_topics) == DIET_TOPICS
    assert library.safety.hold_days == 7


def test_the_admin_alert_names_the_chat_and_the_kind(library: ContentLibrary) -> None:
    """The alert carries the chat id and the kind (it is never given the message)."""
    alert = library.safety.admin_alert(4242, CRISIS, "en")

    assert "4242" in alert
    assert "crisis" in alert


def test_country_lines_missing_a_translation_are_a_warning(tmp_path: Path) -> None:
    """A country's lines in one language only still load, with a warning to translate them."""
    folder = tmp_path / "messages"
    shutil.copytree(MESSAGES_DIR, folder)
    safety = folder / "safety.yaml"
    text = safety.read_text()
    spanish_mx = (
        '        es: "• <b>Línea de la Vida</b>: llama al <b>800 911 2000</b>, gratis, a '
        'cualquier hora\\n• Emergencias: <b>911</b>"\n'
    )
    assert spanish_mx in text
    safety.write_text(text.replace(spanish_mx, ""))

    library = load_library(folder)

    assert [w.message for w in library.warnings if "countries.MX" in w.path] == [
        "no 'es' text; 'es' speakers get the default language"
    ]
