"""The safety screen's rules, compiled from safety.yaml, and the verdict they give on a text.

A rule is a phrase or a proximity rule. A phrase is words one space apart, each word one of:

- `word`: that word (spelled the standard way, see wording.py); `stem*`: any word starting so,
  with at least 4 letters before the `*` so a stem cannot swallow ordinary words;
- `a/b/c`: any one of these words (each may be a stem);
- `(a/b)`: optionally one of them; `#`: any number;
- `{name}`: any entry of the group `name` in `groups` (entries are phrases themselves);
- `phrase | phrase`: any one of these whole phrases ("weight loss | losing weight").

A proximity rule `{near: [part, part, ...], within: N}` matches when every part (each written as a
phrase) is in the text and they all start within N words of each other, in any order.

Per kind (crisis, red flag) there are `sure` rules, `ask` rules and `look_alikes`. A match lying
inside a look-alike ("to die for", "blood orange") does not count, nor does a part of a proximity
rule; any other occurrence still does. A sure match with a negation word shortly before it in the
same clause ("I'm not going to kill myself, but...") is lowered to ask, never dropped: a question
sent by mistake costs a tap, a crisis missed could cost a life.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from nudgebot.content.schema import NearRule, Negation, ScreenedKind, ScreenRule
from nudgebot.content.wording import Wording, fold, squeeze, standard_words

STEM_MARK = "*"
NUMBER_MARK = "#"
# A shorter stem matches too many ordinary words ("di*" would catch "diet").
MIN_STEM_LETTERS = 4
_RUN = re.compile(r"(.)\1*")
_WORD = re.compile(r"[^\W\d_]+|\d+")
# Letters, digits, spaces, apostrophes and hyphens are what a rule word may hold.
_STRAY_MARK = re.compile(r"[^\w\s'’´`\-]|_")
_GROUP = re.compile(r"^\{([a-z0-9][a-z0-9_-]*)\}$")
_OPTIONAL = re.compile(r"^\((.+)\)$")

Span = tuple[int, int]
# Where a rule was written ("messages/safety.yaml:42"), from its key path inside `safety`.
Locate = Callable[[tuple[str | int, ...]], str]


class SafetyKind(StrEnum):
    """What a screened message revealed; crisis wins when a message shows both."""

    CRISIS = "crisis"
    RED_FLAG = "red_flag"


class SafetyLevel(StrEnum):
    """How sure the screen is: sure is answered at once, ask gets a question first."""

    SURE = "sure"
    ASK = "ask"


class RuleSyntaxError(ValueError):
    """A rule that cannot be compiled as written; the message says why."""


@dataclass(frozen=True)
class Finding:
    """One kind found in a text: how sure, and where the rule that decided it is written."""

    kind: SafetyKind
    level: SafetyLevel
    rule: str


@dataclass(frozen=True)
class Screening:
    """What the screen found of each kind in one text."""

    crisis: Finding | None = None
    red_flag: Finding | None = None

    @property
    def verdict(self) -> Finding | None:
        """The finding answered first: crisis sure, red flag sure, crisis ask, red flag ask."""
        found = [finding for finding in (self.crisis, self.red_flag) if finding is not None]
        return next((f for f in found if f.level is SafetyLevel.SURE), found[0] if found else None)


def _word_pattern(word: str, stem: bool) -> str:
    if word == NUMBER_MARK:
        return r"\d+"
    # Typed text keeps at most two of a letter in a row: a rule's single letter may stand for
    # two ("diiiie" is read "diie"), a doubled one only for two, so "poop" is never "pop".
    pattern = "".join(
        re.escape(run) if not run[0].isalpha() else run[0] + ("{2}" if len(run) > 1 else "{1,2}")
        for run in (match.group(0) for match in _RUN.finditer(word))
    )
    return pattern + (r"\S*" if stem else "")


def _literal(text: str, spellings: Mapping[str, tuple[str, ...]], words_seen: set[str]) -> str:
    """The pattern of one alternative: words, the last maybe a stem."""
    stem = text.endswith(STEM_MARK)
    body = text.removesuffix(STEM_MARK)
    if STEM_MARK in body:
        raise RuleSyntaxError(f"{STEM_MARK!r} may only end a word, as in 'suicid*'")
    if body == NUMBER_MARK:
        return _word_pattern(NUMBER_MARK, False)
    if stray := _STRAY_MARK.search(body):
        # Marks are dropped from what people write, so "suicid.+" would quietly be "suicid".
        raise RuleSyntaxError(
            f"{stray.group(0)!r} in {text!r} is not rule syntax: write words, '*' after a stem, "
            "'/' between words, '|' between phrases"
        )
    words = [squeeze(token) for token in _WORD.findall(fold(body))]
    if not words:
        raise RuleSyntaxError(f"{text!r} has no letters or digits to match")
    if stem:
        if len(words[-1]) < MIN_STEM_LETTERS:
            raise RuleSyntaxError(
                f"the stem {words[-1] + STEM_MARK!r} would match too many words: keep at least "
                f"{MIN_STEM_LETTERS} letters before {STEM_MARK!r}"
            )
        # A stem is matched as typed: respelling "cant*" would make it "can not*".
        *whole, last = words
    else:
        whole, last = words, None
    standard = [part for word in whole for part in spellings.get(word, (word,))]
    words_seen.update(standard)
    patterns = [_word_pattern(word, False) for word in standard]
    if last is not None:
        patterns.append(_word_pattern(last, True))
    return " ".join(patterns)


class _PhraseCompiler:
    """Turns phrases into regular expressions over standard words (Wording.text)."""

    def __init__(
        self, groups: Mapping[str, Sequence[str]], spellings: Mapping[str, tuple[str, ...]]
    ) -> None:
        self._groups = groups
        self._spellings = spellings
        self._group_patterns: dict[str, str] = {}
        # Every whole word the compiled rules name, so a drawn-out one is read as itself.
        self.words: set[str] = set()

    def compile(self, phrase: str) -> re.Pattern[str]:
        """The phrase as a pattern matching whole standard words."""
        return re.compile(rf"(?<!\S){self._phrases(phrase, groups_allowed=True)}(?!\S)")

    def _phrases(self, phrase: str, *, groups_allowed: bool) -> str:
        """Whole phrases separated by `|`, any one of them."""
        sequences = [
            self._sequence(part, groups_allowed=groups_allowed) for part in phrase.split("|")
        ]
        return sequences[0] if len(sequences) == 1 else "(?:" + "|".join(sequences) + ")"

    def _sequence(self, phrase: str, *, groups_allowed: bool) -> str:
        slots = phrase.split()
        if not slots:
            raise RuleSyntaxError("an empty phrase matches nothing")
        pattern, required_seen = "", False
        for slot in slots:
            optional = _OPTIONAL.match(slot)
            body = self._slot(optional.group(1) if optional else slot, groups_allowed)
            # Optional words before the first required one carry their space after them,
            # every later word before it.
            if optional:
                pattern += rf"(?: {body})?" if required_seen else rf"(?:{body} )?"
            else:
                pattern += f" {body}" if required_seen else body
                required_seen = True
        if not required_seen:
            raise RuleSyntaxError("a phrase needs at least one word that is not optional")
        return pattern

    def _slot(self, slot: str, groups_allowed: bool) -> str:
        group = _GROUP.match(slot)
        if group:
            if not groups_allowed:
                raise RuleSyntaxError("a group entry cannot use another group")
            return self._group(group.group(1))
        if "{" in slot or "}" in slot or "(" in slot or ")" in slot:
            raise RuleSyntaxError(
                f"{slot!r}: braces name a whole group ({{stool}}) and brackets a whole "
                "optional word ((just))"
            )
        alternatives = slot.split("/")
        if any(not alternative for alternative in alternatives):
            raise RuleSyntaxError(f"{slot!r} has an empty alternative around '/'")
        return (
            "(?:" + "|".join(_literal(a, self._spellings, self.words) for a in alternatives) + ")"
        )

    def _group(self, name: str) -> str:
        if name not in self._groups:
            close = difflib.get_close_matches(name, list(self._groups), n=1)
            hint = f"; did you mean {{{close[0]}}}?" if close else ""
            raise RuleSyntaxError(f"unknown group {{{name}}}{hint}")
        if name not in self._group_patterns:
            entries = [self._phrases(entry, groups_allowed=False) for entry in self._groups[name]]
            if not entries:
                raise RuleSyntaxError(f"the group {{{name}}} is empty")
            self._group_patterns[name] = "(?:" + "|".join(entries) + ")"
        return self._group_patterns[name]


@dataclass(frozen=True)
class CompiledRule:
    """A compiled rule: one pattern per part (one for a phrase), and where it was written."""

    where: str
    parts: tuple[re.Pattern[str], ...]
    within: int = 0

    def matches(self, wording: Wording, covered: Sequence[Span]) -> Iterator[tuple[Span, ...]]:
        """Each place the rule matches, as the words of each part, leaving out occurrences
        inside a look-alike. The parts of one match are different words, and its earliest part
        is each occurrence in turn, so a long text costs occurrences x parts x `within`."""
        found = [
            [
                span
                for match in part.finditer(wording.text)
                if not _inside((span := wording.word_span(match.start(), match.end())), covered)
            ]
            for part in self.parts
        ]
        if len(found) == 1:
            for span in found[0]:
                yield (span,)
            return
        if not all(found):
            return
        starts = [[start for start, _ in spans] for spans in found]
        for anchor, spans in enumerate(found):
            for first in spans:
                chosen = self._around(first, anchor, found, starts)
                if chosen is not None:
                    yield chosen

    def _around(
        self, first: Span, anchor: int, found: list[list[Span]], starts: list[list[int]]
    ) -> tuple[Span, ...] | None:
        """A match whose earliest part is `first` (of part `anchor`), or None. Each other part
        tries its occurrences in the window in turn, going back when a later part finds none
        left: a word both "severe" and "pain" must not take the one place the other needs."""
        window = [
            [
                span
                for span in spans[bisect_left(starts[index], first[0]) :]
                if span[0] <= first[0] + self.within
            ]
            if index != anchor
            else [first]
            for index, spans in enumerate(found)
        ]
        # A part with nothing in the window rules the anchor out before any search.
        return _distinct_choice(window, ()) if all(window) else None

    def spans(self, wording: Wording, covered: Sequence[Span]) -> Iterator[Span]:
        """Each place the rule matches, from its first word to its last."""
        for parts in self.matches(wording, covered):
            yield min(start for start, _ in parts), max(end for _, end in parts)


def _distinct_choice(
    window: list[list[Span]], chosen: tuple[Span, ...]
) -> tuple[Span, ...] | None:
    """One span per part, no two sharing a word; None when there is no such choice."""
    if len(chosen) == len(window):
        return chosen
    for candidate in window[len(chosen)]:
        if not any(_overlap(candidate, taken) for taken in chosen):
            found = _distinct_choice(window, (*chosen, candidate))
            if found is not None:
                return found
    return None


def _word_set(texts: Sequence[str], spellings: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    return frozenset(word for text in texts for word in standard_words(text, spellings).words)


def _overlap(one: Span, other: Span) -> bool:
    return one[0] < other[1] and other[0] < one[1]


def _unwrapped(pattern: str) -> str:
    """A pattern without groups of one alternative, so "a b" written as one slot or two
    compares equal."""
    single = re.compile(r"\(\?:([^()|]*)\)")
    while (unwrapped := single.sub(r"\1", pattern)) != pattern:
        pattern = unwrapped
    return pattern


def _inside(span: Span, covered: Sequence[Span]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in covered)


class RuleCompiler:
    """Compiles the rules of one safety section; `compile` raises RuleSyntaxError."""

    def __init__(
        self, groups: Mapping[str, Sequence[str]], spellings: Mapping[str, tuple[str, ...]]
    ) -> None:
        self._phrases = _PhraseCompiler(groups, spellings)

    @property
    def words(self) -> frozenset[str]:
        """Every whole word of the rules compiled so far."""
        return frozenset(self._phrases.words)

    def compile(self, rule: ScreenRule, where: str) -> CompiledRule:
        """One rule, remembered as written at `where`."""
        if isinstance(rule, NearRule):
            return CompiledRule(where, tuple(map(self._phrases.compile, rule.near)), rule.within)
        return CompiledRule(where, (self._phrases.compile(rule),))

    @staticmethod
    def key(compiled: CompiledRule) -> tuple[str, ...]:
        """What a compiled rule matches, so two spellings of one rule compare equal."""
        parts = sorted(_unwrapped(part.pattern) for part in compiled.parts)
        return (*parts, str(compiled.within))


@dataclass(frozen=True)
class _KindRules:
    kind: SafetyKind
    sure: tuple[CompiledRule, ...]
    ask: tuple[CompiledRule, ...]
    look_alikes: tuple[CompiledRule, ...]


@dataclass(frozen=True)
class _NegationRules:
    words: frozenset[str]
    between: frozenset[str]
    within: int
    ignore: tuple[CompiledRule, ...]

    def ignored(self, wording: Wording) -> list[Span]:
        """Where the fillers that hold a negation word without denying anything are."""
        return [span for rule in self.ignore for span in rule.spans(wording, ())]

    def before(self, wording: Wording, start: int, ignored: Sequence[Span]) -> bool:
        """Whether a negation word stands just before word `start`, in the same clause, with
        at most `within` of the `between` words in between ("not going to kill myself"; not
        "I'm not ok I want to die"), outside the `ignored` fillers."""
        index = start - 1
        for _ in range(self.within + 1):
            if index < 0 or index + 1 in wording.clause_starts:
                return False
            word = wording.words[index]
            if word in self.words and not _inside((index, index + 1), ignored):
                return True
            if word not in self.between:
                return False
            index -= 1
        return False


class Screen:
    """Every rule of a safety section, compiled; `screen` gives the findings on a text."""

    def __init__(
        self,
        spellings: Mapping[str, tuple[str, ...]],
        kinds: Sequence[_KindRules],
        negation: _NegationRules | None,
        known: frozenset[str] = frozenset(),
    ) -> None:
        self._spellings = spellings
        self._known = known
        self._kinds = tuple(kinds)
        self._negation = negation

    @classmethod
    def compile(
        cls,
        spellings: Mapping[str, tuple[str, ...]],
        groups: Mapping[str, Sequence[str]],
        negation: Negation | None,
        rules: Mapping[SafetyKind, ScreenedKind],
        locate: Locate,
    ) -> Screen:
        """Compile checked rules; `locate` names where each was written."""
        compiler = RuleCompiler(groups, spellings)

        def compiled(kind: SafetyKind, level: str) -> tuple[CompiledRule, ...]:
            by_language: Mapping[str, list[ScreenRule]] = getattr(rules[kind], level)
            return tuple(
                compiler.compile(rule, locate((kind.value, level, language, index)))
                for language, listed in by_language.items()
                for index, rule in enumerate(listed)
            )

        kinds = [
            _KindRules(
                kind, compiled(kind, "sure"), compiled(kind, "ask"), compiled(kind, "look_alikes")
            )
            for kind in (SafetyKind.CRISIS, SafetyKind.RED_FLAG)
            if kind in rules
        ]
        negation_rules = (
            _NegationRules(
                _word_set(negation.words, spellings),
                _word_set(negation.between, spellings),
                negation.within,
                tuple(
                    compiler.compile(phrase, locate(("negation", "ignore", index)))
                    for index, phrase in enumerate(negation.ignore)
                ),
            )
            if negation
            else None
        )
        return cls(spellings, kinds, negation_rules, compiler.words)

    def screen(self, text: str) -> Screening:
        """What `text` shows of each kind, and how surely."""
        wording = standard_words(text, self._spellings, self._known)
        ignored = self._negation.ignored(wording) if self._negation else []
        findings = {rules.kind: self._find(rules, wording, ignored) for rules in self._kinds}
        return Screening(findings.get(SafetyKind.CRISIS), findings.get(SafetyKind.RED_FLAG))

    def _find(
        self, rules: _KindRules, wording: Wording, ignored: Sequence[Span]
    ) -> Finding | None:
        # A look-alike covers its own words, not the words between its parts: "had steak, now
        # there is blood in my poo" keeps its blood although "steak ... blood" is a look-alike.
        covered = [
            span
            for rule in rules.look_alikes
            for parts in rule.matches(wording, ())
            for span in parts
        ]
        negated: CompiledRule | None = None
        for rule in rules.sure:
            for start, _ in rule.spans(wording, covered):
                if self._negation is None or not self._negation.before(wording, start, ignored):
                    return Finding(rules.kind, SafetyLevel.SURE, rule.where)
                negated = negated or rule
        for rule in rules.ask:
            if next(rule.spans(wording, covered), None) is not None:
                return Finding(rules.kind, SafetyLevel.ASK, rule.where)
        return Finding(rules.kind, SafetyLevel.ASK, negated.where) if negated else None
