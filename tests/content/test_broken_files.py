"""Mistakes an admin might make in messages/, each caught and reported at the right place.

Every case adds one file, `messages/extra.yaml`, to a valid library and names the line the
report must point at (`file:line:column: key.path: message`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nudgebot.content import ContentError, load_library
from tests.conftest import MESSAGES_DIR

# The shipped topics.yaml defines `sleep`; a second definition is reported there.
SLEEP_TOPIC_LINE = (MESSAGES_DIR / "topics.yaml").read_text().splitlines().index(
    "  - id: sleep"
) + 1

VALID_TIP = """\
tips:
  - id: extra-tip
    topic: sleep
    title: Lights down
    text: Dim the lights an hour before bed.
    action: After I finish dinner, I will switch to lamps instead of ceiling lights.
    why: Good sleep supports a balanced gut microbiome.
    difficulty: 1
    sources: ["Nurturing Your Gut, Nurturing Your Mind"]
"""


VALID_SAFETY = """\
safety:
  crisis:
    sure:
      en: [suicid*, want to die]
      es: [quiero morir*, hacerme daño]
    reply:
      en: "Please reach out now:\\n{resources}"
      es: "Busca ayuda ahora:\\n{resources}"
  red_flag:
    sure:
      en: [blood in stool*]
      es: [sangre en las heces]
    hold_topics: [fermented-foods]
    hold_note:
      en: See a clinician soon; no diet tips for {days} days.
      es: Consulta pronto; sin consejos de dieta {days} días.
  resources:
    countries:
      GB: {en: Samaritans 116 123, es: Samaritans 116 123}
    elsewhere: {en: Find a helpline., es: Busca una línea.}
    emergency: {en: Call emergency services., es: Llama a emergencias.}
  admin_alerts: {crisis: "Chat {chat_id}.", help_asked: "Chat {chat_id} asked."}
"""
# Each kind's question, added after the lines above so their positions stay as written.
_QUESTION = (
    "    question: {text: Are you safe, help_button: Help, fine_button: OK, fine_reply: Good.}\n"
)
VALID_SAFETY = VALID_SAFETY.replace("  red_flag:\n", _QUESTION + "  red_flag:\n").replace(
    "  resources:\n", _QUESTION + "    reply: See a clinician.\n  resources:\n"
)


def safety_with(old: str, new: str) -> str:
    """The valid safety section with one line changed."""
    assert old in VALID_SAFETY
    return VALID_SAFETY.replace(old, new)


def tip_with(old: str, new: str) -> str:
    """The valid extra tip with one line changed."""
    assert old in VALID_TIP
    return VALID_TIP.replace(old, new)


def tip_with_checkin(*options: str) -> str:
    """The valid extra tip with its own check-in; each option a YAML flow mapping."""
    lines = "".join(f"\n        - {option}" for option in options)
    return tip_with(
        "    difficulty: 1",
        f"    difficulty: 1\n    checkin:\n      question: Done?\n      options:{lines}",
    )


LATER = "{id: later, label: Later, outcome: later}"
NOPE = "{id: nope, label: 'No', outcome: not_for_me}"

CASES = [
    # --- YAML itself ---
    pytest.param(
        "tips:\n  - id: x\n    title: a: b\n",
        "messages/extra.yaml:3:13: YAML syntax error: mapping values are not allowed here",
        id="colon-inside-unquoted-text",
    ),
    pytest.param(
        "tips:\n  - id: x\n\ttitle: tabbed\n",
        "messages/extra.yaml:3:1: YAML syntax error: found character '\\t' that cannot start any token",
        id="tab-indentation",
    ),
    pytest.param(
        'tips:\n  - id: x\n    title: "never closed\n',
        "messages/extra.yaml:4:1: YAML syntax error: found unexpected end of stream",
        id="unclosed-quote",
    ),
    pytest.param(
        "tips:\n  - id: x\n   topic: sleep\n",
        "messages/extra.yaml:3:4: YAML syntax error: expected <block end>, but found '<block mapping start>'",
        id="bad-indentation",
    ),
    # --- keys and types ---
    pytest.param(
        tip_with("    difficulty: 1", "    dificulty: 1"),
        "messages/extra.yaml:8:5: tips[0].dificulty: unknown key 'dificulty'; did you mean 'difficulty'?",
        id="misspelt-key",
    ),
    pytest.param(
        VALID_TIP.replace("tips:", "tip:"),
        "messages/extra.yaml:1:1: tip: unknown key 'tip'; did you mean 'tips'?",
        id="misspelt-section",
    ),
    pytest.param(
        tip_with("    difficulty: 1", "    difficulty: hard"),
        "messages/extra.yaml:8:5: tips[0].difficulty: Input should be a valid integer, unable to parse string as an integer",
        id="text-where-number-expected",
    ),
    pytest.param(
        tip_with("    difficulty: 1", "    difficulty: 4"),
        "messages/extra.yaml:8:5: tips[0].difficulty: Input should be less than or equal to 3",
        id="difficulty-out-of-range",
    ),
    pytest.param(
        tip_with("    difficulty: 1", "    difficulty: 1\n    time_of_day: night"),
        "messages/extra.yaml:9:5: tips[0].time_of_day: Input should be 'morning', 'midday', 'evening' or 'any'",
        id="unknown-time-of-day",
    ),
    pytest.param(
        tip_with("    why: Good sleep supports a balanced gut microbiome.\n", ""),
        "messages/extra.yaml:2:5: tips[0].why: required key is missing",
        id="missing-required-field",
    ),
    pytest.param(
        "tips:\n  id: extra-tip\n",
        "messages/extra.yaml:1:1: tips: expected a list",
        id="mapping-instead-of-list",
    ),
    pytest.param(
        tip_with("  - id: extra-tip", "  - id: Extra Tip"),
        "messages/extra.yaml:2:5: tips[0].id: 'Extra Tip' is not a valid id: use only lowercase letters, digits, '-' and '_'",
        id="id-with-capitals-and-spaces",
    ),
    pytest.param(
        tip_with("    title: Lights down", "    title:\n      en: 5"),
        "messages/extra.yaml:4:5: tips[0].title: expected a text, or a map of language code to text",
        id="number-as-text",
    ),
    pytest.param(
        tip_with("    why: Good sleep supports a balanced gut microbiome.", '    why: "  "'),
        "messages/extra.yaml:7:5: tips[0].why: must not be empty",
        id="empty-text",
    ),
    # --- ids and references across the library ---
    pytest.param(
        VALID_TIP + VALID_TIP.removeprefix("tips:\n"),
        "messages/extra.yaml:10:5: tips[1].id: duplicate tip 'extra-tip', first defined at messages/extra.yaml:2:5",
        id="duplicate-id-in-one-file",
    ),
    pytest.param(
        tip_with("  - id: extra-tip", "  - id: sample-walk"),
        "messages/tips/sample.yaml:2:5: tips[0].id: duplicate tip 'sample-walk', first defined at messages/extra.yaml:2:5",
        id="duplicate-id-across-files",
    ),
    pytest.param(
        "topics:\n  - id: sleep\n    title: Sleep again\n    emoji: x\n    description: d\n",
        f"messages/topics.yaml:{SLEEP_TOPIC_LINE}:5: topics[5].id: duplicate topic 'sleep', "
        "first defined at messages/extra.yaml:2:5",
        id="duplicate-topic",
    ),
    pytest.param(
        tip_with("    topic: sleep", "    topic: slep"),
        "messages/extra.yaml:3:5: tips[0].topic: unknown topic 'slep'; did you mean 'sleep'?",
        id="unknown-topic",
    ),
    pytest.param(
        tip_with("    difficulty: 1", "    difficulty: 1\n    follow_up: nowhere"),
        "messages/extra.yaml:9:5: tips[0].follow_up: unknown tip 'nowhere'",
        id="unknown-follow-up",
    ),
    pytest.param(
        tip_with("    difficulty: 1", "    difficulty: 1\n    prerequisite: extra-tip"),
        "messages/extra.yaml:9:5: tips[0].prerequisite: a tip cannot refer to itself",
        id="self-prerequisite",
    ),
    pytest.param(
        tip_with("    difficulty: 1", "    difficulty: 1\n    prerequisite: other-tip")
        + tip_with("    difficulty: 1", "    difficulty: 1\n    prerequisite: extra-tip")
        .removeprefix("tips:\n")
        .replace("id: extra-tip", "id: other-tip"),
        "messages/extra.yaml:9:5: tips[0].prerequisite: "
        "prerequisite cycle: extra-tip -> other-tip -> extra-tip",
        id="prerequisite-cycle",
    ),
    pytest.param(
        tip_with("    difficulty: 1", "    difficulty: 1\n    tags: [high-fodmp]"),
        "messages/extra.yaml:9:12: tips[0].tags[0]: undeclared tag 'high-fodmp'; did you mean 'high-fodmap'?",
        id="undeclared-tag",
    ),
    pytest.param(
        tip_with('["Nurturing Your Gut, Nurturing Your Mind"]', '["Nurturing your gut"]'),
        "messages/extra.yaml:9:15: tips[0].sources[0]: undeclared source 'Nurturing your gut'; did you mean 'Nurturing Your Gut, Nurturing Your Mind'?",
        id="undeclared-source",
    ),
    # --- Telegram's HTML and limits ---
    pytest.param(
        tip_with("Dim the lights", "Dim the <blink>lights</blink>"),
        "messages/extra.yaml:5:5: tips[0].text: Telegram would refuse this HTML: "
        'Unsupported start tag "blink" at character 9',
        id="unsupported-tag",
    ),
    pytest.param(
        tip_with("Dim the lights", "Dim the <b>lights"),
        "messages/extra.yaml:5:5: tips[0].text: Telegram would refuse this HTML: "
        'Can\'t find end tag corresponding to start tag "b" at character 9',
        id="unclosed-tag",
    ),
    pytest.param(
        tip_with("Dim the lights", "Dim lights & relax"),
        "messages/extra.yaml:5:5: tips[0].text: Telegram would refuse this HTML: "
        'Unescaped "&" (write &amp;) at character 12',
        id="unescaped-ampersand",
    ),
    pytest.param(
        tip_with("Dim the lights", "Keep it < 20 lux"),
        "messages/extra.yaml:5:5: tips[0].text: Telegram would refuse this HTML: "
        'Unescaped "<" (write &lt;) at character 9',
        id="unescaped-less-than",
    ),
    pytest.param(
        tip_with("Dim the lights", "<b>Dim <i>the</b> lights</i>"),
        "messages/extra.yaml:5:5: tips[0].text: Telegram would refuse this HTML: "
        'Expected end tag "</i>", found "</b>" at character 14',
        id="crossed-tags",
    ),
    pytest.param(
        tip_with("Dim the lights an hour before bed.", "x" * 4100),
        "messages/extra.yaml:2:5: tips[0]: the rendered message is 4282 characters in 'en'; "
        "Telegram accepts at most 4096",
        id="message-over-4096",
    ),
    # --- check-ins ---
    pytest.param(
        tip_with(
            "    difficulty: 1",
            "    difficulty: 1\n    checkin:\n      question: Done?\n      options: []",
        ),
        "messages/extra.yaml:11:7: tips[0].checkin.options: must not be empty",
        id="empty-checkin",
    ),
    pytest.param(
        tip_with_checkin("{id: done, label: 'Yes', outcome: done}", LATER),
        "messages/extra.yaml:11:7: tips[0].checkin.options: needs an option for each outcome; missing: not_for_me",
        id="checkin-missing-an-outcome",
    ),
    pytest.param(
        tip_with_checkin(
            "{id: done, label: 'Yes, I did it today and it felt great', outcome: done}",
            LATER,
            NOPE,
        ),
        "messages/extra.yaml:12:22: tips[0].checkin.options[0].label: button label 'Yes, I did it today and it felt great' is 37 characters; phones cut labels longer than 30",
        id="button-label-too-long",
    ),
    pytest.param(
        tip_with_checkin(
            "{id: done_and_dusted_and_more_than_enough, label: 'Yes', outcome: done}",
            LATER,
            NOPE,
        ),
        "messages/extra.yaml:12:12: tips[0].checkin.options[0].id: option id is 36 bytes; button callback data would pass Telegram's 64-byte limit (option ids may have at most 24)",
        id="callback-data-too-long",
    ),
    pytest.param(
        "wellbeing:\n  - id: energy\n    question: Energy?\n    labels: {1: a, 2: b, 3: c, 4: d}\n",
        "messages/extra.yaml:4:5: wellbeing[0].labels: needs exactly one label for each score 1, 2, 3, 4 and 5",
        id="wellbeing-scale-incomplete",
    ),
    pytest.param(
        tip_with_checkin(
            "{id: done, label: Yes, outcome: done}",
            LATER,
            "{id: nope, label: No, outcome: not_for_me}",
        ),
        "messages/extra.yaml:12:22: tips[0].checkin.options[0].label: YAML reads an unquoted "
        "Yes/No/On/Off as true or false; put the text in quotes",
        id="yes-no-read-as-boolean",
    ),
    # --- UI strings ---
    pytest.param(
        "ui:\n  greting: Hello\n",
        "messages/extra.yaml:2:3: ui.greting: unknown UI string; did you mean 'greeting'?",
        id="unknown-ui-string",
    ),
    # --- wellbeing ---
    pytest.param(
        "wellbeing:\n  - id: energy\n    question: Energy?\n"
        "    labels: {1: a, 2: b, 3: c, 4: d, 5: e}\n"
        "    when_low:\n      raise_topics: [movement, slep]\n",
        "messages/extra.yaml:6:32: wellbeing[0].when_low.raise_topics[1]: unknown topic 'slep'; "
        "did you mean 'sleep'?",
        id="low-score-raises-unknown-topic",
    ),
    pytest.param(
        "wellbeing_checkin:\n  time: '7pm'\n",
        "messages/extra.yaml:2:3: wellbeing_checkin.time: expected a local time like 19:30, not '7pm'",
        id="wellbeing-time-not-hh-mm",
    ),
    # --- safety (crisis language and gut red flags) ---
    pytest.param(
        safety_with("      en: [suicid*, want to die]", "      en: []"),
        "messages/extra.yaml:3:5: safety.crisis.sure: no 'en' rules, though the bot speaks 'en'",
        id="safety-empty-phrase-list",
    ),
    pytest.param(
        safety_with("      es: [quiero morir*, hacerme daño]\n", ""),
        "messages/extra.yaml:3:5: safety.crisis.sure: no 'es' rules, though the bot speaks 'es'",
        id="safety-phrases-missing-a-language",
    ),
    pytest.param(
        safety_with("hacerme daño]", "hacerme daño, Hacerme-Dano]"),
        "messages/extra.yaml:5:41: safety.crisis.sure.es[2]: duplicate rule: "
        "safety.crisis.sure.es[1] matches the same words once capitals, accents, punctuation "
        "and spellings are ignored",
        id="safety-duplicate-phrase-up-to-accents",
    ),
    pytest.param(
        safety_with("[suicid*, want to die]", "[suicid*, di*]"),
        "messages/extra.yaml:4:21: safety.crisis.sure.en[1]: 'di*': the stem 'di*' would match "
        "too many words: keep at least 4 letters before '*'",
        id="safety-stem-too-short",
    ),
    pytest.param(
        safety_with("[suicid*, want to die]", "[su*cide, want to die]"),
        "messages/extra.yaml:4:12: safety.crisis.sure.en[0]: 'su*cide': '*' may only end a word, "
        "as in 'suicid*'",
        id="safety-star-inside-a-word",
    ),
    pytest.param(
        safety_with("[blood in stool*]", "[blood in stool*, Want to DIE]"),
        "messages/extra.yaml:12:29: safety.red_flag.sure.en[1]: also a crisis rule "
        "(safety.crisis.sure.en[1]); crisis comes first, so it would never count as a red flag",
        id="safety-red-flag-phrase-also-crisis",
    ),
    pytest.param(
        safety_with("[fermented-foods]", "[fermented-food]"),
        "messages/extra.yaml:14:19: safety.red_flag.hold_topics[0]: unknown topic "
        "'fermented-food'; did you mean 'fermented-foods'?",
        id="safety-hold-unknown-topic",
    ),
    pytest.param(
        safety_with('      es: "Busca ayuda ahora:\\n{resources}"\n', ""),
        "messages/extra.yaml:6:5: safety.crisis.reply: no 'es' text: someone writing in 'es' "
        "must be answered in it",
        id="safety-reply-missing-a-language",
    ),
    pytest.param(
        safety_with("Please reach out now:\\n{resources}", "Please reach out now."),
        "messages/extra.yaml:7:7: safety.crisis.reply.en: must include {resources}, where the "
        "crisis lines go",
        id="safety-crisis-reply-without-resources",
    ),
    pytest.param(
        safety_with("no diet tips for {days} days.", "no diet tips for {day} days."),
        "messages/extra.yaml:16:7: safety.red_flag.hold_note.en: unknown placeholder {day} (this "
        "text accepts days)",
        id="safety-unknown-placeholder",
    ),
    pytest.param(
        safety_with("no diet tips for {days} days.", "no diet tips for {} days."),
        "messages/extra.yaml:16:7: safety.red_flag.hold_note.en: an empty {} placeholder",
        id="safety-empty-placeholder",
    ),
    pytest.param(
        safety_with("no diet tips for {days} days.", "no diet tips for {days:d} days."),
        "messages/extra.yaml:16:7: safety.red_flag.hold_note.en: {days:d} takes no format or "
        "conversion: write {days}",
        id="safety-formatted-placeholder",
    ),
    pytest.param(
        safety_with("      GB: {en:", "      uk: {en:"),
        "messages/extra.yaml:22:7: safety.resources.countries.uk: 'uk' is not a country code: "
        "use two capital letters (ISO 3166), such as GB or MX",
        id="safety-bad-country-code",
    ),
    pytest.param(
        safety_with("Samaritans 116 123, es:", "Samaritans & Shout, es:"),
        "messages/extra.yaml:22:12: safety.resources.countries.GB.en: Telegram would refuse this "
        'HTML: Unescaped "&" (write &amp;) at character 12',
        id="safety-html-in-crisis-lines",
    ),
    pytest.param(
        safety_with("    hold_topics:", "    hold_topic:"),
        "messages/extra.yaml:14:5: safety.red_flag.hold_topic: unknown key 'hold_topic'; did you "
        "mean 'hold_topics'?",
        id="safety-misspelt-key",
    ),
    pytest.param(
        safety_with(
            "    hold_topics: [fermented-foods]",
            "    hold_topics: [fermented-foods]\n    hold_days: 0",
        ),
        "messages/extra.yaml:15:5: safety.red_flag.hold_days: Input should be greater than or equal to 1",
        id="safety-hold-days-zero",
    ),
]


def problems_of(directory: Path) -> list[str]:
    """The error lines loading `directory` reports (the test fails if it loads)."""
    with pytest.raises(ContentError) as caught:
        load_library(directory)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(("extra", "expected"), CASES)
def test_mistake_is_reported_where_it_is(messages: Path, extra: str, expected: str) -> None:
    """Each mistake yields an error that starts with the expected location and message."""
    (messages / "extra.yaml").write_text(extra)

    problems = problems_of(messages)

    assert any(problem.startswith(expected) for problem in problems), (
        f"expected {expected!r} among:\n" + "\n".join(problems)
    )


def test_placeholder_typo_in_a_ui_string(messages: Path) -> None:
    """A UI string using a placeholder the code does not fill is refused at its key."""
    ui = messages / "ui.yaml"
    text = ui.read_text()
    ui.write_text(text.replace('en: "Saved: {choice}"', 'en: "Saved: {choise}"'))
    line = text.splitlines().index("  checkin_changed:") + 1

    problems = problems_of(messages)

    assert problems == [
        f"messages/ui.yaml:{line}:3: ui.checkin_changed: "
        "unknown placeholder {choise} (this string accepts choice)"
    ]


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("Saved: {}", "an empty {} placeholder: name what goes there"),
        ("Saved: {choice!r}", "{choice!r} takes no format or conversion: write {choice}"),
        ("Saved: {choice:>10}", "{choice:>10} takes no format or conversion: write {choice}"),
        ("Saved: {choice", "broken {placeholder}: expected '}' before end of string"),
    ],
    ids=["empty", "conversion", "format spec", "unclosed"],
)
def test_a_placeholder_str_format_would_fail_on_is_refused_at_its_key(
    messages: Path, written: str, problem: str
) -> None:
    """Placeholders are filled by plain names: anything else would fail when the text is used,
    so it is an error at load time, never a crash there or at reload."""
    ui = messages / "ui.yaml"
    text = ui.read_text()
    ui.write_text(text.replace('en: "Saved: {choice}"', f'en: "{written}"'))
    line = text.splitlines().index("  checkin_changed:") + 1

    problems = problems_of(messages)

    assert problems == [f"messages/ui.yaml:{line}:3: ui.checkin_changed: {problem}"]


def test_yaml_nested_thousands_deep_is_a_problem_not_a_crash(messages: Path) -> None:
    """Brackets nested past what the YAML reader's recursion can hold are reported at the file,
    like any unreadable YAML, instead of crashing the load (or a live reload)."""
    (messages / "deep.yaml").write_text("x: " + "[" * 5000 + "]" * 5000 + "\n")

    problems = problems_of(messages)

    assert problems == ["messages/deep.yaml:1:1: nested too deeply to read"]


def test_missing_ui_string(messages: Path) -> None:
    """Removing a UI string the bot needs is an error naming the key."""
    ui = messages / "ui.yaml"
    text = ui.read_text()
    ui.write_text(text[: text.index("  help:")] + text[text.index("  stopped:") :])

    problems = problems_of(messages)

    assert problems == ["messages:1:1: ui.help: missing UI string"]


def test_there_are_at_least_25_distinct_mistakes() -> None:
    """The suite covers at least 25 different mistakes."""
    assert len({case.id for case in CASES}) >= 25


def test_every_problem_is_reported_in_one_run(messages: Path) -> None:
    """Three unrelated mistakes in two files are all reported together."""
    (messages / "extra.yaml").write_text(tip_with("    topic: sleep", "    topic: slep"))
    (messages / "more.yaml").write_text("tips:\n  - id: x\n    title: a: b\n")
    ui = messages / "ui.yaml"
    ui.write_text(ui.read_text().replace('en: "Saved: {choice}"', 'en: "Saved: {choise}"'))

    problems = problems_of(messages)

    assert len(problems) == 3


def test_missing_translation_is_a_warning_not_an_error(messages: Path) -> None:
    """A field without the Spanish its siblings have is reported, and the library still loads."""
    sample = messages / "tips" / "sample.yaml"
    sample.write_text(
        sample.read_text().replace("      es: Un paseo a buen ritmo cuenta como ejercicio.\n", "")
    )

    library = load_library(messages)

    assert [str(w) for w in library.warnings] == [
        "messages/tips/sample.yaml:7:5: tips[0].text: no 'es' text, though sibling fields have one"
    ]


def test_action_not_in_implementation_intention_style_is_a_warning(messages: Path) -> None:
    """An action that is not "After I ..., I will ..." is flagged without blocking the library."""
    sample = messages / "tips" / "sample.yaml"
    sample.write_text(
        sample.read_text().replace(
            "When I reach a lift today, I will take the stairs instead.", "Take the stairs."
        )
    )

    library = load_library(messages)

    assert any("tips[1].action: should read like" in str(w) for w in library.warnings)
