"""Text as the safety screen reads it: folded, split into words, respelled the standard way.

Both what people write and the rules in `safety.yaml` go through the same steps, so a rule
written "can't go on" matches "cant go on", "cannot go on" and "CAN NOT GO ON!!" alike:

1. lowercase, accents off, apostrophes dropped ("Don’t" -> "dont", "daño" -> "dano");
2. words are runs of letters or of digits ("6kg" -> "6 kg"); every other mark separates words,
   and . , ; : ! ? … or a line break also start a new clause (negation looks within one);
3. a letter typed three or more times in a row counts twice ("killlll" -> "kill", "soooo" ->
   "soo"); a single letter of a rule matches one typed once or twice ("die" matches "diiiie"),
   a doubled one only two ("poop" never matches "pop");
4. each word in `spellings` is replaced by its standard words ("cant" -> "can not", "kms" ->
   "kill myself", "xq" -> "porque"), found as typed or, for a drawn-out word ("kmsss"), with
   every letter once; one pass, so a replacement is never respelled again.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

_APOSTROPHES = str.maketrans("", "", "'’‘ʼ`´")
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[.,;:!?…\n]")
_CLAUSE_MARKS = frozenset(".,;:!?…\n")
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1{2,}")
_DOUBLED_LETTER = re.compile(r"([^\W\d_])\1+")


def fold(text: str) -> str:
    """Lowercase, without accents or apostrophes (the marks that split words are kept)."""
    # Apostrophes go first: decomposing would turn "´" (typed for one on Spanish keyboards) into
    # a space and an accent, splitting "don´t" in two.
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class Wording:
    """A text's standard words, one space apart in `text`, and where its clauses start."""

    words: tuple[str, ...]
    text: str
    # Character offset of each word in `text`, for turning a regex match into word positions.
    offsets: tuple[int, ...]
    # Indexes of the words that begin a clause.
    clause_starts: frozenset[int]

    def word_span(self, start: int, end: int) -> tuple[int, int]:
        """The words [first, last + 1) covered by the characters [start, end) of `text`."""
        return bisect_right(self.offsets, start) - 1, bisect_right(self.offsets, end - 1)


def squeeze(word: str) -> str:
    """A letter typed three or more times in a row, twice."""
    return _REPEATED_LETTER.sub(r"\1\1", word)


def _single_letters(word: str) -> str:
    return _DOUBLED_LETTER.sub(r"\1", word)


def standard_words(
    text: str, spellings: Mapping[str, tuple[str, ...]], known: AbstractSet[str] = frozenset()
) -> Wording:
    """`text` in the standard words that rules are matched against (see the module's note);
    a drawn-out word that is one of the rules' own words (`known`) is read as that word."""
    words: list[str] = []
    clause_starts = {0}
    for token in _TOKEN.findall(fold(text)):
        if token in _CLAUSE_MARKS:
            clause_starts.add(len(words))
            continue
        word = squeeze(token)
        standard = spellings.get(word)
        if standard is None and word != token and word not in known:
            # "kmsss" is read "kmss": a drawn-out word is also looked up with every letter once,
            # unless it is a rule's word ("nooose" stays "noose", never "nose").
            standard = spellings.get(_single_letters(word))
        words.extend(standard or (word,))
    offsets, position = [], 0
    for word in words:
        offsets.append(position)
        position += len(word) + 1
    return Wording(tuple(words), " ".join(words), tuple(offsets), frozenset(clause_starts))


def spelling_table(spellings: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """The `spellings` of safety.yaml, keys and replacements folded and split into words."""
    table: dict[str, tuple[str, ...]] = {}
    for typed, standard in spellings.items():
        key = " ".join(squeeze(token) for token in _TOKEN.findall(fold(typed)))
        table[key] = tuple(
            squeeze(token)
            for token in _TOKEN.findall(fold(standard))
            if token not in _CLAUSE_MARKS
        )
    return table
