"""Which tips may go to a subscriber today, before any policy weighs them.

Every policy (the adaptive one, the baselines, the simulation's oracle) chooses among
`eligible_tips`, so comparing policies compares how they choose, never what they may choose.

Hard rules hold always: the subscriber's chosen topics, never a tip they marked "Not for me",
a follow-up only once its prerequisite was done, and no tip carrying a tag that a recent low
wellbeing score rules out (after low gut comfort, no high-FODMAP tips).

Soft rules give way, least important first, when nothing would be left: time of day, then
difficulty, then cooldown (see `BREAKS_TIME_OF_DAY`). Tips in the subscriber's language come
first of all, while there are any.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from nudgebot.adaptation.learner import LearnerView
from nudgebot.content.library import ContentLibrary
from nudgebot.content.schema import LowScoreResponse, TimeOfDay, Tip

# Unanswered nudges in a row after which the subscriber gets only the easiest, shorter tips:
# three silent days read as "too much", and a lighter tip is likelier to win them back than
# the same tip again.
SILENT_AFTER_UNANSWERED = 3
# "Did it" answers in a row in a topic that unlock each harder level: after 2 in a row
# difficulty 2 may come, after 4 difficulty 3. Two successes are a trend rather than luck, and
# the gap to the next step keeps one good week from jumping straight to the hardest tips.
DIFFICULTY_STEPS = (2, 4)
EASIEST = 1


# Soft rules: they may give way, and their bit values are the order of giving way. A tip's
# broken soft rules form a mask. In each topic, the smallest mask among the tips that pass the
# hard rules is the least relaxation that leaves something, and compared as integers the
# masks order relaxations lexicographically: time of day alone gives way first, then
# difficulty alone, then both, and cooldown only when every tip of the topic is cooling down.
# Only tips whose mask is exactly their topic's smallest are eligible.
# (Plain ints rather than an IntFlag: enum arithmetic was half the cost of a choice.)
#
# A morning tip in the evening is a small mismatch: the subscriber can still act tomorrow.
BREAKS_TIME_OF_DAY = 1
# A harder tip than earned risks a "not today", but it is still new to them.
BREAKS_DIFFICULTY = 2
# A repeat is the one thing a subscriber notices at once, so it gives way last.
BREAKS_COOLDOWN = 4
_TRANSLATED_FIELDS = ("title", "text", "action", "why")


def eligible_tips(library: ContentLibrary, view: LearnerView) -> list[Tip]:
    """The tips any policy may send the subscriber `view` describes, in library order.

    Only tips in the subscriber's language while there are any. Then in each topic, the tips
    that pass every rule when there are any; otherwise that topic's soft rules give way in a
    fixed order (time of day, difficulty, then cooldown), never the hard ones. When only
    cooling tips are left in a topic, it offers the one it sent longest ago. Relaxing per
    topic, not over the whole library, keeps every topic the subscriber may get on offer:
    otherwise a topic they love would drop out as soon as its easy, on-time, unseen tips ran
    out, and every policy would be pushed to topics they don't want. Which topic wins is the
    policy's choice. Empty only when the hard rules leave nothing (every tip in the chosen
    topics "Not for me" or ruled out by a low score).
    """
    candidates = _masked_candidates(library, view)
    # The subscriber's language comes before every other preference, across the library: a
    # repeat they can read beats a new tip they may not (relaxed only when nothing is
    # translated at all).
    if view.language is not None:
        language = view.language
        translated = [(tip, broken) for tip, broken in candidates if _translated(tip, language)]
        candidates = translated or candidates
    least: dict[str, int] = {}
    for tip, broken in candidates:
        smallest = least.get(tip.topic)
        if smallest is None or broken < smallest:
            least[tip.topic] = broken
    admitted = [tip for tip, broken in candidates if broken == least[tip.topic]]
    cooling = [tip for tip in admitted if least[tip.topic] & BREAKS_COOLDOWN]
    if not cooling:
        return admitted
    repeats = {tip.id for tip in _sent_longest_ago_per_topic(cooling, view)}
    return [tip for tip in admitted if not least[tip.topic] & BREAKS_COOLDOWN or tip.id in repeats]


def is_silent(view: LearnerView) -> bool:
    """Whether the subscriber left enough nudges unanswered in a row to go gentle."""
    return view.unanswered_streak >= SILENT_AFTER_UNANSWERED


def difficulty_cap(view: LearnerView, topic_id: str) -> int:
    """The hardest difficulty the subscriber has earned in a topic (1 when silent)."""
    if is_silent(view):
        return EASIEST
    record = view.topics.get(topic_id)
    streak = record.done_streak if record is not None else 0
    return EASIEST + sum(streak >= step for step in DIFFICULTY_STEPS)


def follow_ups_due(view: LearnerView) -> frozenset[str]:
    """The tips the subscriber did yesterday: a tip whose prerequisite is one of them is a
    follow-up due today, the best day to send it (the step is fresh in their mind)."""
    yesterday = view.today - timedelta(days=1)
    return frozenset(
        tip_id for tip_id, record in view.tips.items() if record.last_done == yesterday
    )


def active_low_score_responses(
    library: ContentLibrary, view: LearnerView
) -> Iterator[LowScoreResponse]:
    """The library's responses to the subscriber's recent low wellbeing scores, still in force.

    A score given on day D counts from D to D + `days` inclusive: the check-in comes in the
    evening, after that day's tip, so `days` counts the days after the answer (as the schema
    says), and the same day is included for a nudge sent after the check-in.
    """
    for score in view.wellbeing:
        question = library.wellbeing.get(score.question_id)
        if question is None or question.when_low is None:
            continue
        response = question.when_low
        age = (view.today - score.day).days
        if score.score <= response.at_most and 0 <= age <= response.days:
            yield response


def avoided_tags(library: ContentLibrary, view: LearnerView) -> frozenset[str]:
    """Tags no tip may carry today because of a recent low wellbeing score."""
    return frozenset(
        tag
        for response in active_low_score_responses(library, view)
        for tag in response.avoid_tags
    )


def raised_topics(library: ContentLibrary, view: LearnerView) -> frozenset[str]:
    """Topics a recent low wellbeing score brings forward (a low sleep score: sleep)."""
    return frozenset(
        topic
        for response in active_low_score_responses(library, view)
        for topic in response.raise_topics
    )


def _masked_candidates(library: ContentLibrary, view: LearnerView) -> list[tuple[Tip, int]]:
    """Every tip that passes the hard rules, with the mask of the soft rules it breaks."""
    # One pass over the library with the rules written out in it: this runs for every tip
    # of every choice, and a function call per rule per tip was most of a choice's cost.
    avoided = avoided_tags(library, view)
    silent = is_silent(view)
    caps = {topic_id: difficulty_cap(view, topic_id) for topic_id in library.topics}
    chosen, records, today, slot = view.chosen_topics, view.tips, view.today, view.time_of_day
    every_time = slot is TimeOfDay.ANY
    candidates: list[tuple[Tip, int]] = []
    for tip in library.tips.values():
        # The hard rules, never relaxed: the subscriber's topics, never a tip marked "Not for
        # me", no tag a recent low score rules out, and a follow-up only after its first step
        # was done ("taste your sauerkraut" reads as nonsense before "make sauerkraut"; a
        # prerequisite retired from the library can no longer be done, so it holds nothing).
        if chosen is not None and tip.topic not in chosen:
            continue
        record = records.get(tip.id)
        if record is not None and record.not_for_me:
            continue
        if avoided and avoided.intersection(tip.tags):
            continue
        prerequisite = tip.prerequisite
        if prerequisite is not None and prerequisite in library.tips:
            first_step = records.get(prerequisite)
            if first_step is None or first_step.last_done is None:
                continue
        # The soft rules, as a mask. A slot of ANY time (none known) takes every tip.
        broken = 0
        if not (every_time or tip.time_of_day is TimeOfDay.ANY or tip.time_of_day is slot):
            broken |= BREAKS_TIME_OF_DAY
        # A follow-up's done prerequisite is the ramp its author designed, so it may exceed the
        # streak's level; silence still caps it. A topic missing from the library's topics
        # (never, once checked) gets the cap of a topic without any streak.
        if (prerequisite is None or silent) and tip.difficulty > caps.get(tip.topic, EASIEST):
            broken |= BREAKS_DIFFICULTY
        if record is not None and record.last_sent + timedelta(days=tip.cooldown_days) > today:
            broken |= BREAKS_COOLDOWN
        candidates.append((tip, broken))
    return candidates


def _translated(tip: Tip, language: str) -> bool:
    # A plain string is the library's default language, which the caller leaves out (None).
    for name in _TRANSLATED_FIELDS:
        value = getattr(tip, name)
        if isinstance(value, str) or language not in value:
            return False
    return True


def _sent_longest_ago_per_topic(tips: list[Tip], view: LearnerView) -> list[Tip]:
    # Only cooling tips reach here, so every one has a record.
    oldest: dict[str, date] = {}
    for tip in tips:
        sent = view.tips[tip.id].last_sent
        oldest[tip.topic] = min(sent, oldest.get(tip.topic, sent))
    return [tip for tip in tips if view.tips[tip.id].last_sent == oldest[tip.topic]]
