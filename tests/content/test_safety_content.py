"""The safety screen's phrase matching, replies and crisis lines, as written in messages/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nudgebot.content import ContentLibrary, load_library
from nudgebot.content.safety import AlertReason, SafetyRules
from nudgebot.content.screening import SafetyKind
from nudgebot.content.wording import fold
from tests.conftest import MESSAGES_DIR
from tests.content.safety_sections import rules

CRISIS = SafetyKind.CRISIS
RED_FLAG = SafetyKind.RED_FLAG
DIET_TOPICS = {
    "prebiotic-foods",
    "fermented-foods",
    "fibre-diversity",
    "anti-inflammatory",
    "less-sugar",
}


def kind_of(rules: SafetyRules, text: str) -> SafetyKind | None:
    """The kind of the verdict on `text` (sure or ask), or None."""
    verdict = rules.screen(text).verdict
    return verdict.kind if verdict else None


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
    assert kind_of(library.safety, text) is CRISIS


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
    assert kind_of(library.safety, text) is CRISIS


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
    assert kind_of(library.safety, text) is CRISIS


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
    assert kind_of(library.safety, text) is None


def test_idioms_that_contain_a_listed_phrase_still_count_as_crisis(
    library: ContentLibrary,
) -> None:
    """An idiom or a negation around a crisis phrase is answered anyway: a miss costs more."""
    assert kind_of(library.safety, "this queue makes me want to die") is CRISIS
    assert kind_of(library.safety, "I don't want to die, I want to feel better") is CRISIS


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
    assert kind_of(library.safety, text) is RED_FLAG


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
    assert kind_of(library.safety, text) is RED_FLAG


def test_ordinary_gut_talk_is_not_a_red_flag(library: ContentLibrary) -> None:
    """Everyday gut words (bloating, a stool softener, black coffee) are not red flags."""
    for text in ("a bit bloated after beans", "black coffee and a walk", "stool softener?"):
        assert kind_of(library.safety, text) is None


def test_crisis_wins_over_a_red_flag_in_one_message(library: ContentLibrary) -> None:
    """A message with both is answered as a crisis."""
    assert kind_of(library.safety, "blood in my stool and I want to die") is CRISIS


def test_a_command_is_screened_like_any_text(library: ContentLibrary) -> None:
    """The command word does not hide what follows it."""
    assert kind_of(library.safety, "/note I want to die") is CRISIS


def test_a_stem_matches_every_ending_and_a_plain_word_only_itself() -> None:
    """`suicid*` matches suicidal; `suicide` without the mark does not."""
    stem = rules(["suicid*"])
    exact = rules(["suicide"])

    assert kind_of(stem, "feeling suicidal") is CRISIS
    assert kind_of(exact, "feeling suicidal") is None
    assert kind_of(exact, "thinking of suicide") is CRISIS


def test_a_phrase_matches_whole_words_only() -> None:
    """ "die" is found as a word, never inside "diet" or "studied"."""
    safety = rules(["die"])

    assert kind_of(safety, "I could die") is CRISIS
    assert kind_of(safety, "diet") is None
    assert kind_of(safety, "I studied") is None


def test_every_language_list_is_checked_whatever_the_language() -> None:
    """Someone whose Telegram is in English but who writes in Spanish is still caught."""
    section = rules({"en": ["want to die"], "es": ["quiero morir*"]})

    assert kind_of(section, "quiero morirme") is CRISIS


def test_folding_lowercases_and_drops_accents_and_apostrophes() -> None:
    """Folding keeps the marks that split words; it drops accents and apostrophes only."""
    assert fold("Don’t HACERME daño") == "dont hacerme dano"


def test_a_library_without_a_safety_section_screens_nothing(tmp_path: Path) -> None:
    """Content with no safety file loads, and no message is screened."""
    folder = tmp_path / "messages"
    shutil.copytree(MESSAGES_DIR, folder)
    (folder / "safety.yaml").unlink()

    library = load_library(folder)

    assert kind_of(library.safety, "I want to die") is None


def test_a_listed_country_gets_its_own_lines_then_the_emergency_line(
    library: ContentLibrary,
) -> None:
    """Australia gets Lifeline and 000, in Spanish too, and the emergency line comes last."""
    reply = library.safety.reply(CRISIS, "es", "AU", library.default_language)

    assert "13 11 14" in reply
    assert "000" in reply
    assert reply.index("13 11 14") < reply.index("número de emergencias")
    assert "Gracias por contármelo" in reply


@pytest.mark.parametrize(
    ("country", "number"),
    [("US", "988"), ("GB", "116 123"), ("IE", "116 123"), ("AU", "13 11 14"), ("NZ", "1737")],
)
def test_each_listed_country_has_its_crisis_line(
    library: ContentLibrary, country: str, number: str
) -> None:
    """Each country with checked lines gets its own number."""
    assert number in library.safety.resources("en", country, "en")


def test_the_us_line_is_offered_in_spanish(library: ContentLibrary) -> None:
    """A Spanish speaker in the US is told how to reach 988 in Spanish."""
    lines = library.safety.resources("es", "US", "en")

    assert "988" in lines
    assert "AYUDA" in lines


@pytest.mark.parametrize(("country", "language"), [("DE", "en"), ("AR", "es"), (None, "es")])
def test_a_country_without_lines_gets_the_directory_never_another_countrys_lines(
    library: ContentLibrary, country: str | None, language: str
) -> None:
    """Someone in Berlin, Buenos Aires or an unknown place gets the directory of helplines and
    their local emergency number, not the US, UK or Spanish numbers."""
    lines = library.safety.resources(language, country, "en")

    assert "findahelpline.com" in lines
    for other_country in ("988", "116 123", "024", "13 11 14"):
        assert other_country not in lines


def test_the_red_flag_reply_asks_to_see_a_clinician_and_names_the_hold(
    library: ContentLibrary,
) -> None:
    """The red-flag reply says to see a clinician soon and, once the hold is stored, that food
    tips pause for 7 days; without a stored hold it promises none."""
    english = library.safety.reply(RED_FLAG, "en", None, library.default_language, held=True)
    spanish = library.safety.reply(RED_FLAG, "es", None, library.default_language, held=True)
    unheld = library.safety.reply(RED_FLAG, "en", None, library.default_language)

    assert "please see a clinician soon" in english
    assert "7 days" in english
    assert "7 días" in spanish
    assert "please see a clinician soon" in unheld
    assert "pause" not in unheld


def test_the_shipped_red_flag_holds_exactly_the_diet_topics_for_a_week(
    library: ContentLibrary,
) -> None:
    """Food topics wait for 7 days; breathing, sleep, movement and the rest carry on."""
    assert set(library.safety.hold_topics) == DIET_TOPICS
    assert library.safety.hold_days == 7


def test_the_shipped_red_flag_holds_every_food_tip_whatever_its_topic(
    library: ContentLibrary,
) -> None:
    """A "Did you know?" tip that suggests a food is held back like a diet topic's tip; a
    breathing tip is not."""
    facts = [tip for tip in library.tips.values() if tip.topic == "gut-brain-facts"]
    food_fact = next(tip for tip in facts if "food" in tip.tags)
    breathing = next(tip for tip in library.tips.values() if tip.topic == "breathing")

    assert library.safety.holds(food_fact)
    assert not library.safety.holds(breathing)


def test_the_admin_alerts_name_the_chat_and_why(library: ContentLibrary) -> None:
    """The alerts carry the chat id and the reason (they are never given the message)."""
    crisis = library.safety.admin_alert(4242, AlertReason.CRISIS, "en")
    help_asked = library.safety.admin_alert(4242, AlertReason.HELP_ASKED, "en")

    assert "4242" in crisis
    assert "crisis list" in crisis
    assert "I need help now" in help_asked


def test_country_lines_missing_a_translation_are_a_warning(tmp_path: Path) -> None:
    """A country's lines in one language only still load, with a warning to translate them."""
    folder = tmp_path / "messages"
    shutil.copytree(MESSAGES_DIR, folder)
    safety = folder / "safety.yaml"
    text = safety.read_text()
    spanish_nz = next(
        line
        for line in text.splitlines(keepends=True)
        if "Need to talk?" in line and line.strip().startswith("es:")
    )
    safety.write_text(text.replace(spanish_nz, ""))

    library = load_library(folder)

    assert [w.message for w in library.warnings if "countries.NZ" in w.path] == [
        "no 'es' text; 'es' speakers get the default language"
    ]
