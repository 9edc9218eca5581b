"""Each kind of safety rule, on a small section written for the test, and the shipped corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nudgebot.content import ContentLibrary, load_library
from nudgebot.content.corpus_check import corpus_figures, figure_key, recorded_figures
from nudgebot.content.safety import SafetyRules
from nudgebot.content.safety_corpus import CORPUS_FOLDER, PARTS, measure, read_corpus
from nudgebot.content.screening import RuleSyntaxError, SafetyKind, SafetyLevel
from nudgebot.scheduling.zones import likely_zones
from nudgebot.services.safety import country_of_zone
from tests.conftest import MESSAGES_DIR
from tests.content.safety_sections import rules

SURE, ASK = SafetyLevel.SURE, SafetyLevel.ASK
# The targets on messages nobody tuned the rules on.
TARGETS = {SafetyKind.CRISIS: (0.95, 0.15), SafetyKind.RED_FLAG: (0.90, 0.10)}


def level(safety: SafetyRules, text: str) -> SafetyLevel | None:
    """How surely `text` is a crisis, or None."""
    found = safety.screen(text).crisis
    return found.level if found else None


@pytest.mark.parametrize(
    "text",
    [
        "Life isn't worth living",
        "life is not worth living",
        "LIFE IS NOT WORTH LIVING!!!",
        "life iss not worth livinggg",
    ],
)
def test_contractions_capitals_and_repeated_letters_read_the_same(text: str) -> None:
    """ "isn't" is "is not", capitals and punctuation do not matter, a letter typed 3+ times
    counts once."""
    safety = rules(["not worth living"], spellings={"isnt": "is not"})

    assert level(safety, text) is SURE


def test_a_rule_written_with_a_contraction_matches_the_long_form() -> None:
    """Spellings apply to rules too: "can't go on" matches "cannot go on" and "can not go on"."""
    safety = rules(["can't go on"], spellings={"cant": "can not", "cannot": "can not"})

    assert level(safety, "I cannot go on") is SURE
    assert level(safety, "i can not go on") is SURE


def test_texting_forms_are_read_as_words() -> None:
    """ "kms" is "kill myself" and "q" is "que", as `spellings` says."""
    safety = rules(
        ["kill myself", "me quiero matar"], spellings={"kms": "kill myself", "q": "que"}
    )

    assert level(safety, "gonna kms") is SURE
    assert level(safety, "q me quiero matar") is SURE


def test_word_forms_alternatives_optional_words_and_groups() -> None:
    """`a/b`, `(a/b)` and `{group}` match any one form: quiero/quisiera/quería + morir..."""
    safety = rules(
        ["{want} {die}", "end (my/this) life"],
        groups={"want": ["quiero", "quisiera", "queria"], "die": ["morir*", "estar muert*"]},
    )

    assert level(safety, "quisiera estar muerta") is SURE
    assert level(safety, "quería morirme") is SURE
    assert level(safety, "end life") is SURE
    assert level(safety, "end my life") is SURE
    assert level(safety, "quiero comer") is None


def test_whole_phrase_alternatives_and_numbers() -> None:
    """`|` separates whole phrases; `#` is any number."""
    safety = rules(["lost # kg | weight loss"])

    assert level(safety, "lost 6kg") is SURE
    assert level(safety, "unexplained weight loss") is SURE
    assert level(safety, "lost some kg") is None


def test_proximity_needs_every_part_within_n_words_in_any_order() -> None:
    """blood near stool: within the window in either order; farther apart, nothing."""
    safety = rules([{"near": ["blood", "stool*"], "within": 4}])

    assert level(safety, "blood in my stool") is SURE
    assert level(safety, "my stools had some blood") is SURE
    assert level(safety, "blood test today, and later a very normal and healthy stool") is None


def test_a_look_alike_cancels_the_match_inside_it_but_not_another_one() -> None:
    """ "to die for" is not a crisis; "want to die" elsewhere in the message still is."""
    safety = rules(["die"], look_alikes=["to die for"])

    assert level(safety, "this cake is to die for") is None
    assert level(safety, "this cake is to die for but I want to die") is SURE


def test_a_look_alike_cancels_a_part_of_a_proximity_rule() -> None:
    """ "black beans" near "poop" is no red flag, but another "black" still counts."""
    safety = rules(
        [{"near": ["black", "poop"], "within": 6}],
        look_alikes=[{"near": ["black", "beans"], "within": 1}],
    )

    assert level(safety, "black beans and my poop was fine") is None
    assert level(safety, "black beans, then my poop was black") is SURE


def test_a_proximity_look_alike_covers_its_own_words_not_those_between() -> None:
    """ "steak ... blood" as a look-alike lets "blood" beside "steak" pass, but not a "poo"
    rule over the words in between."""
    safety = rules(
        [{"near": ["blood", "poo"], "within": 6}, "poo is black"],
        look_alikes=[{"near": ["steak", "tar"], "within": 8}],
    )

    assert level(safety, "had steak, now there is blood in my poo") is SURE
    assert level(safety, "a steak, then my poo is black like tar") is SURE


def test_the_parts_of_a_proximity_match_are_different_words() -> None:
    """A word in two parts' lists does not make a match on its own: "agony" is not both the
    severity and the pain."""
    safety = rules(
        [{"near": ["agony/severe", "agony/pain"], "within": 3}],
    )

    assert level(safety, "this traffic is agony") is None
    assert level(safety, "severe pain") is SURE
    assert level(safety, "agony and pain") is SURE


def test_a_word_typed_with_a_double_letter_is_not_read_as_another() -> None:
    """Only a drawn-out word is also looked up with each letter once: "noose" stays "noose"
    although "nose" has a spelling; "kmsss" is still "kms"."""
    safety = rules(
        ["bought a noose", "kill myself"],
        spellings={"nose": "no se", "kms": "kill myself"},
    )

    assert level(safety, "I bought a noose") is SURE
    assert level(safety, "kmsss") is SURE


def test_a_rule_with_marks_that_are_not_rule_syntax_is_refused() -> None:
    """ "suicid.+" would quietly be the word "suicid": the compiler refuses it."""
    with pytest.raises(RuleSyntaxError, match="not rule syntax"):
        rules(["suicid.+"])


def test_a_word_in_two_parts_lists_leaves_the_match_to_another_word() -> None:
    """When the first choice for one part is the only word another part can use, the search
    goes back and takes the next: "agony" is the pain, "really bad" the severity."""
    safety = rules(
        [{"near": ["agony/severe | really bad", "agony/pain", "stomach"], "within": 10}],
    )

    assert level(safety, "stomach agony all night and it has been really bad") is SURE


def test_a_drawn_out_rule_word_is_read_as_itself() -> None:
    """ "nooose" is "noose", a rule's word, not "nose" respelled."""
    safety = rules(["bought a noose"], spellings={"nose": "no se"})

    assert level(safety, "I bought a nooose") is SURE


def test_an_ask_rule_gets_the_question_level() -> None:
    """A weaker rule gives the ask level, a sure one wins over it."""
    safety = rules(["kill myself"], ask=["can not do this anymore"])

    assert level(safety, "I can not do this anymore") is ASK
    assert level(safety, "I can not do this anymore, I will kill myself") is SURE


def test_negation_lowers_a_sure_match_to_a_question_never_to_nothing() -> None:
    """ "I'm not going to kill myself" is asked about; a negation in another clause, separated
    by other words than the `between` ones, or a filler such as "not sure" changes nothing."""
    safety = rules(
        ["kill myself", "want to die"],
        negation={
            "words": ["not", "never"],
            "between": ["going", "to"],
            "within": 3,
            "ignore": ["not sure"],
        },
    )

    assert level(safety, "I'm not going to kill myself but") is ASK
    assert level(safety, "I would never kill myself") is ASK
    assert level(safety, "not today. kill myself is all I think") is SURE
    assert level(safety, "not sure kill myself maybe") is SURE
    assert level(safety, "I'm not ok I want to die") is SURE
    assert level(safety, "I want to kill myself") is SURE


def test_the_verdict_names_the_rule_that_decided() -> None:
    """The finding carries where its rule is written, for `content screen` and logs."""
    verdict = rules(["kill myself"]).screen("I want to kill myself").verdict

    assert verdict is not None
    assert verdict.rule == "safety.crisis.sure.en[0]"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I just want to disappear", SafetyKind.CRISIS),
        ("Everyone would be better off without me", SafetyKind.CRISIS),
        ("Life isn't worth living", SafetyKind.CRISIS),
        ("I have nothing to live for", SafetyKind.CRISIS),
        ("thinking of taking all my pills at once", SafetyKind.CRISIS),
        ("Ya no puedo más", SafetyKind.CRISIS),
        ("Todos estarían mejor sin mí", SafetyKind.CRISIS),
        ("Soy una carga para todos", SafetyKind.CRISIS),
        ("My stools look like tar", SafetyKind.RED_FLAG),
        ("I noticed blood when I wiped", SafetyKind.RED_FLAG),
        ("I've lost 6 kg without trying", SafetyKind.RED_FLAG),
        ("Llevo dos días vomitando", SafetyKind.RED_FLAG),
        ("Tengo un dolor de panza terrible", SafetyKind.RED_FLAG),
    ],
)
def test_the_shipped_rules_catch_what_the_old_lists_missed(
    library: ContentLibrary, text: str, kind: SafetyKind
) -> None:
    """Every message the issue found missed gets a verdict of its kind."""
    verdict = library.safety.screen(text).verdict

    assert verdict is not None
    assert verdict.kind is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("me corto las venas", SafetyKind.CRISIS),
        ("I am going to die if I have to live like this one more day", SafetyKind.CRISIS),
        ("I cut myself and said it was cooking", SafetyKind.CRISIS),
        ("me rindo con la vida", SafetyKind.CRISIS),
        ("there is no point going on", SafetyKind.CRISIS),
        ("I can't do this anymore, living with this pain", SafetyKind.CRISIS),
        ("I cut down my arm last night", SafetyKind.CRISIS),
        ("I'd rather die than keep living like this", SafetyKind.CRISIS),
        ("ya no puedo más con la vida", SafetyKind.CRISIS),
        ("I took all my tablets with breakfast", SafetyKind.CRISIS),
        ("I bought a nooose", SafetyKind.CRISIS),
        ("had steak, now there is blood in my poo", SafetyKind.RED_FLAG),
        ("stomach agony all night and it has been really bad", SafetyKind.RED_FLAG),
        ("my stomach is in agony", SafetyKind.RED_FLAG),
        ("I have had stomach and back pain for 3 weeks", SafetyKind.RED_FLAG),
    ],
)
def test_look_alikes_never_swallow_a_real_crisis_or_red_flag(
    library: ContentLibrary, text: str, kind: SafetyKind
) -> None:
    """Messages a review found hidden by look-alikes (or by a word filling two parts) get a
    verdict of their kind."""
    verdict = library.safety.screen(text).verdict

    assert verdict is not None
    assert verdict.kind is kind


@pytest.mark.parametrize(
    "text",
    [
        "this cake is to die for",
        "I'm dying to try kimchi",
        "killing it at the gym",
        "this heat is killing me",
        "that news was hard to swallow",
        "blood orange salad",
        "black beans tonight",
        "black coffee only",
        "I want to lose weight",
        "me muero de hambre",
        "me muero de risa",
        "me muero de ganas de probarlo",
    ],
)
def test_the_shipped_look_alikes_are_let_through(library: ContentLibrary, text: str) -> None:
    """The idioms the issue names get no verdict at all."""
    assert library.safety.screen(text).verdict is None


def test_the_corpus_figures_are_the_recorded_ones_and_tuning_meets_the_targets(
    library: ContentLibrary,
) -> None:
    """Recall and false alarms on both parts of the corpus, printed, equal recall.json; the
    tuning part meets the issue's targets. The held-out part is measured, never tuned on: its
    figures are in messages/README.md, and recall.json keeps them from falling."""
    corpus = MESSAGES_DIR / CORPUS_FOLDER
    figures = measure(library.safety, read_corpus(corpus)).figures
    recorded = recorded_figures(corpus)
    for figure in figures:
        print(figure)  # noqa: T201 - the issue asks the test to print its figures

    assert {f.part for f in figures} == set(PARTS)
    assert len(read_corpus(corpus)) >= 400
    for figure in figures:
        was = recorded[figure_key(figure)]
        assert round(figure.recall, 4) == was["recall"], figure
        assert round(figure.false_alarm_rate, 4) == was["false_alarms"], figure
        if figure.part == "tuning":
            least_recall, most_false_alarms = TARGETS[figure.kind]
            assert figure.recall >= least_recall, figure
            assert figure.false_alarm_rate <= most_false_alarms, figure


def test_every_zone_offered_in_setup_belongs_to_a_country() -> None:
    """Each time-zone button names a country, so its crisis lines (or, where none are checked
    yet, the directory) are chosen by country, never by another country's lines."""
    for language in ("en", "es", "de"):
        for zone in likely_zones(language):
            assert country_of_zone(zone) is not None, zone


def test_content_check_warns_when_an_edit_lowers_recall(tmp_path: Path) -> None:
    """Dropping a crisis rule makes `content check` warn, naming a message now missed; the
    shipped rules draw no such warning."""
    folder = tmp_path / "messages"
    shutil.copytree(MESSAGES_DIR, folder)
    safety = folder / "safety.yaml"
    safety.write_text(safety.read_text().replace("        - suicid*\n", "", 1))

    _, shipped_warnings = corpus_figures(load_library(MESSAGES_DIR).safety, MESSAGES_DIR)
    _, warnings = corpus_figures(load_library(folder).safety, folder)

    assert shipped_warnings == []
    [warning] = [w for w in warnings if w.path == "tuning crisis en"]
    assert "suicide" in warning.message


# Every phrase of the lists the screen had before its rules (messages/safety.yaml at 1cf5346),
# stems written out: none may be dropped or weakened by a later edit of the rules.
EARLIER_PHRASES = [
    ("suicide", SafetyKind.CRISIS),
    ("kill myself", SafetyKind.CRISIS),
    ("killing myself", SafetyKind.CRISIS),
    ("kill my self", SafetyKind.CRISIS),
    ("end my life", SafetyKind.CRISIS),
    ("ending my life", SafetyKind.CRISIS),
    ("end it all", SafetyKind.CRISIS),
    ("take my own life", SafetyKind.CRISIS),
    ("take my life", SafetyKind.CRISIS),
    ("want to die", SafetyKind.CRISIS),
    ("wanna die", SafetyKind.CRISIS),
    ("wish I was dead", SafetyKind.CRISIS),
    ("wish I were dead", SafetyKind.CRISIS),
    ("better off dead", SafetyKind.CRISIS),
    ("rather be dead", SafetyKind.CRISIS),
    ("don't want to live", SafetyKind.CRISIS),
    ("do not want to live", SafetyKind.CRISIS),
    ("don't want to be alive", SafetyKind.CRISIS),
    ("do not want to be alive", SafetyKind.CRISIS),
    ("don't want to be here anymore", SafetyKind.CRISIS),
    ("no reason to live", SafetyKind.CRISIS),
    ("not worth living", SafetyKind.CRISIS),
    ("can't go on like this", SafetyKind.CRISIS),
    ("can't go on anymore", SafetyKind.CRISIS),
    ("cannot go on", SafetyKind.CRISIS),
    ("want to end it", SafetyKind.CRISIS),
    ("self harm", SafetyKind.CRISIS),
    ("selfharm", SafetyKind.CRISIS),
    ("self injury", SafetyKind.CRISIS),
    ("hurt myself", SafetyKind.CRISIS),
    ("hurting myself", SafetyKind.CRISIS),
    ("harm myself", SafetyKind.CRISIS),
    ("harming myself", SafetyKind.CRISIS),
    ("cut myself", SafetyKind.CRISIS),
    ("cutting myself", SafetyKind.CRISIS),
    ("suicide", SafetyKind.CRISIS),
    ("quiero morir", SafetyKind.CRISIS),
    ("ganas de morir", SafetyKind.CRISIS),
    ("no quiero vivir", SafetyKind.CRISIS),
    ("no quiero seguir viviendo", SafetyKind.CRISIS),
    ("quitarme la vida", SafetyKind.CRISIS),
    ("acabar con mi vida", SafetyKind.CRISIS),
    ("terminar con mi vida", SafetyKind.CRISIS),
    ("matarme", SafetyKind.CRISIS),
    ("me voy a matar", SafetyKind.CRISIS),
    ("me quiero matar", SafetyKind.CRISIS),
    ("me quiero morir", SafetyKind.CRISIS),
    ("me quiero quitar la vida", SafetyKind.CRISIS),
    ("me quiero hacer daño", SafetyKind.CRISIS),
    ("no tengo ganas de vivir", SafetyKind.CRISIS),
    ("hacerme daño", SafetyKind.CRISIS),
    ("haciéndome daño", SafetyKind.CRISIS),
    ("autolesiones", SafetyKind.CRISIS),
    ("lastimarme", SafetyKind.CRISIS),
    ("cortarme las venas", SafetyKind.CRISIS),
    ("mejor muerta", SafetyKind.CRISIS),
    ("no vale la pena vivir", SafetyKind.CRISIS),
    ("desaparecer para siempre", SafetyKind.CRISIS),
    ("blood in my stool", SafetyKind.RED_FLAG),
    ("blood in stool", SafetyKind.RED_FLAG),
    ("blood in the stool", SafetyKind.RED_FLAG),
    ("blood in my poo", SafetyKind.RED_FLAG),
    ("blood in my poop", SafetyKind.RED_FLAG),
    ("blood in the toilet", SafetyKind.RED_FLAG),
    ("bloody stool", SafetyKind.RED_FLAG),
    ("bloody poo", SafetyKind.RED_FLAG),
    ("bloody poop", SafetyKind.RED_FLAG),
    ("rectal bleeding", SafetyKind.RED_FLAG),
    ("bleeding from my bottom", SafetyKind.RED_FLAG),
    ("black stool", SafetyKind.RED_FLAG),
    ("black poo", SafetyKind.RED_FLAG),
    ("black poop", SafetyKind.RED_FLAG),
    ("tarry stool", SafetyKind.RED_FLAG),
    ("tar like stool", SafetyKind.RED_FLAG),
    ("vomiting blood", SafetyKind.RED_FLAG),
    ("vomited blood", SafetyKind.RED_FLAG),
    ("throwing up blood", SafetyKind.RED_FLAG),
    ("threw up blood", SafetyKind.RED_FLAG),
    ("unexplained weight loss", SafetyKind.RED_FLAG),
    ("losing weight without trying", SafetyKind.RED_FLAG),
    ("lost weight without trying", SafetyKind.RED_FLAG),
    ("severe abdominal pain", SafetyKind.RED_FLAG),
    ("severe stomach pain", SafetyKind.RED_FLAG),
    ("severe belly pain", SafetyKind.RED_FLAG),
    ("severe tummy pain", SafetyKind.RED_FLAG),
    ("persistent abdominal pain", SafetyKind.RED_FLAG),
    ("persistent stomach pain", SafetyKind.RED_FLAG),
    ("constant abdominal pain", SafetyKind.RED_FLAG),
    ("constant stomach pain", SafetyKind.RED_FLAG),
    ("trouble swallowing", SafetyKind.RED_FLAG),
    ("difficulty swallowing", SafetyKind.RED_FLAG),
    ("hard to swallow", SafetyKind.RED_FLAG),
    ("pain when swallowing", SafetyKind.RED_FLAG),
    ("food gets stuck in my throat", SafetyKind.RED_FLAG),
    ("persistent vomiting", SafetyKind.RED_FLAG),
    ("keep vomiting", SafetyKind.RED_FLAG),
    ("keep throwing up", SafetyKind.RED_FLAG),
    ("can't stop vomiting", SafetyKind.RED_FLAG),
    ("can't stop throwing up", SafetyKind.RED_FLAG),
    ("sangre en las heces", SafetyKind.RED_FLAG),
    ("sangre en heces", SafetyKind.RED_FLAG),
    ("sangre en mis heces", SafetyKind.RED_FLAG),
    ("sangre en la caca", SafetyKind.RED_FLAG),
    ("heces con sangre", SafetyKind.RED_FLAG),
    ("caca con sangre", SafetyKind.RED_FLAG),
    ("sangre al defecar", SafetyKind.RED_FLAG),
    ("sangrado rectal", SafetyKind.RED_FLAG),
    ("heces negras", SafetyKind.RED_FLAG),
    ("caca negra", SafetyKind.RED_FLAG),
    ("deposiciones negras", SafetyKind.RED_FLAG),
    ("heces como alquitrán", SafetyKind.RED_FLAG),
    ("vomitando sangre", SafetyKind.RED_FLAG),
    ("vómito sangre", SafetyKind.RED_FLAG),
    ("vomité sangre", SafetyKind.RED_FLAG),
    ("vomitar sangre", SafetyKind.RED_FLAG),
    ("he vomitado sangre", SafetyKind.RED_FLAG),
    ("vomito con sangre", SafetyKind.RED_FLAG),
    ("pérdida de peso sin explicación", SafetyKind.RED_FLAG),
    ("perdiendo peso sin querer", SafetyKind.RED_FLAG),
    ("he perdido peso sin", SafetyKind.RED_FLAG),
    ("adelgazando sin querer", SafetyKind.RED_FLAG),
    ("dolor abdominal fuerte", SafetyKind.RED_FLAG),
    ("dolor abdominal intenso", SafetyKind.RED_FLAG),
    ("dolor abdominal severo", SafetyKind.RED_FLAG),
    ("dolor abdominal persistente", SafetyKind.RED_FLAG),
    ("dolor de estómago muy fuerte", SafetyKind.RED_FLAG),
    ("dolor de estómago intenso", SafetyKind.RED_FLAG),
    ("dolor de barriga muy fuerte", SafetyKind.RED_FLAG),
    ("dolor de tripa muy fuerte", SafetyKind.RED_FLAG),
    ("dificultad para tragar", SafetyKind.RED_FLAG),
    ("me cuesta tragar", SafetyKind.RED_FLAG),
    ("no puedo tragar", SafetyKind.RED_FLAG),
    ("vómitos persistentes", SafetyKind.RED_FLAG),
    ("vómitos constantes", SafetyKind.RED_FLAG),
    ("no paro de vomitar", SafetyKind.RED_FLAG),
    ("no dejo de vomitar", SafetyKind.RED_FLAG),
]


@pytest.mark.parametrize(("text", "kind"), EARLIER_PHRASES)
def test_every_phrase_of_the_earlier_lists_still_gets_a_sure_verdict(
    library: ContentLibrary, text: str, kind: SafetyKind
) -> None:
    """No phrase the old lists caught at once is dropped, or lowered to a question."""
    screening = library.safety.screen(text)
    found = screening.crisis if kind is SafetyKind.CRISIS else screening.red_flag

    assert found is not None
    assert found.level is SafetyLevel.SURE
