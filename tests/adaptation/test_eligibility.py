"""Which tips may go out today: the rules every policy chooses within."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from nudgebot.adaptation import eligible_tips
from nudgebot.adaptation.eligibility import follow_ups_due, low_score_horizon
from nudgebot.adaptation.learner import TopicRecord
from nudgebot.content import ContentLibrary
from nudgebot.content.schema import TimeOfDay, Tip
from tests.adaptation.builders import WELLBEING, library, scored, sent, tip, view


def eligible_ids(content: ContentLibrary, **view_fields: object) -> list[str]:
    """The ids of the tips eligible for a subscriber described by `view_fields`."""
    return [t.id for t in eligible_tips(content, view(**view_fields))]


def test_only_chosen_topics_are_eligible() -> None:
    """A subscriber who chose topics gets tips from those topics only."""
    content = library(tip("sleep-a", "sleep"), tip("stress-a", "stress"), tip("gut-a", "gut"))

    assert eligible_ids(content, chosen_topics=frozenset({"sleep", "gut"})) == [
        "sleep-a",
        "gut-a",
    ]


def test_no_chosen_topics_means_all_topics() -> None:
    """Without a choice of topics, every topic's tips are eligible, in library order."""
    content = library(tip("sleep-a", "sleep"), tip("stress-a", "stress"))

    assert eligible_ids(content) == ["sleep-a", "stress-a"]


def test_tip_in_cooldown_is_not_eligible() -> None:
    """A tip sent fewer than its cooldown days ago waits while others are available."""
    content = library(tip("a", "sleep", cooldown_days=30), tip("b", "sleep", cooldown_days=30))

    assert eligible_ids(content, tips={"a": sent(29)}) == ["b"]


def test_tip_is_eligible_again_once_its_cooldown_ran_out() -> None:
    """A tip sent exactly its cooldown days ago may go out again."""
    content = library(tip("a", "sleep", cooldown_days=30), tip("b", "sleep", cooldown_days=30))

    assert eligible_ids(content, tips={"a": sent(30)}) == ["a", "b"]


def test_not_for_me_is_never_eligible() -> None:
    """A tip answered "Not for me" never comes back, long after its cooldown."""
    content = library(tip("a", "sleep", cooldown_days=0), tip("b", "sleep", cooldown_days=0))

    assert eligible_ids(content, tips={"a": sent(400, not_for_me=True)}) == ["b"]


def test_follow_up_waits_until_its_prerequisite_was_done() -> None:
    """A follow-up is not eligible while its prerequisite was only sent, not done."""
    content = library(tip("base", "sleep"), tip("next", "sleep", prerequisite="base"))

    assert eligible_ids(content, tips={"base": sent(200)}) == ["base"]


def test_follow_up_is_eligible_once_its_prerequisite_was_done() -> None:
    """Once the prerequisite was done, its follow-up may go out."""
    content = library(tip("base", "sleep"), tip("next", "sleep", prerequisite="base"))

    assert eligible_ids(content, tips={"base": sent(1, done_days=1)}) == ["next"]


def test_a_follow_up_of_a_first_step_left_out_still_waits_for_it() -> None:
    """A first step taken out of the library chosen from (Telegram refused its text) does not
    unlock its follow-up: only having done it does."""
    content = library(
        tip("base", "sleep"), tip("next", "sleep", prerequisite="base"), tip("other", "sleep")
    )
    without_base = replace(content, tips={k: t for k, t in content.tips.items() if k != "base"})

    assert eligible_ids(without_base) == ["other"]
    assert eligible_ids(without_base, tips={"base": sent(1, done_days=1)}) == ["next", "other"]


def test_harder_tips_need_a_streak_of_did_it() -> None:
    """Difficulty 2 needs 2 "did it" in a row in the topic, difficulty 3 needs 4."""
    content = library(
        tip("easy", "sleep"),
        tip("medium", "sleep", difficulty=2),
        tip("hard", "sleep", difficulty=3),
    )

    def allowed(streak: int) -> list[str]:
        return eligible_ids(content, topics={"sleep": _streak(streak)})

    assert allowed(1) == ["easy"]
    assert allowed(2) == ["easy", "medium"]
    assert allowed(4) == ["easy", "medium", "hard"]


def test_silence_allows_only_the_easiest_tips() -> None:
    """After 3 unanswered nudges in a row only difficulty 1 is eligible, whatever the streak."""
    content = library(tip("easy", "sleep"), tip("hard", "sleep", difficulty=3))

    assert eligible_ids(content, topics={"sleep": _streak(9)}, unanswered_streak=3) == ["easy"]


def test_follow_up_may_be_harder_than_the_streak_allows() -> None:
    """A follow-up whose prerequisite was done skips the streak's difficulty cap."""
    content = library(
        tip("base", "sleep"), tip("next", "sleep", prerequisite="base", difficulty=3)
    )

    assert eligible_ids(content, tips={"base": sent(1, done_days=1)}) == ["next"]


def test_tip_for_another_time_of_day_is_not_eligible() -> None:
    """An evening tip waits in the morning slot; tips for any time fit every slot."""
    content = library(
        tip("evening", "sleep", time_of_day=TimeOfDay.EVENING),
        tip("morning", "sleep", time_of_day=TimeOfDay.MORNING),
        tip("any", "sleep"),
    )

    assert eligible_ids(content, time_of_day=TimeOfDay.MORNING) == ["morning", "any"]


def test_low_gut_comfort_rules_out_high_fodmap_tips() -> None:
    """After a low gut-comfort score, tips tagged high-fodmap are left out."""
    content = library(tip("onion", "prebiotic", tags=["high-fodmap"]), tip("oats", "prebiotic"))

    assert eligible_ids(content, wellbeing=(scored("gut_comfort", 2, days=1),)) == ["oats"]


def test_a_red_flag_hold_rules_out_food_tips_of_any_topic() -> None:
    """While a red-flag hold is in force, a tip tagged food is left out whatever its topic,
    and never comes back by relaxing."""
    content = library(tip("lentil-fact", "facts", tags=["food"]), tip("breathe", "breathing"))

    assert eligible_ids(content, held_tags=frozenset({"food"})) == ["breathe"]
    assert (
        eligible_ids(content, held_tags=frozenset({"food"}), chosen_topics=frozenset({"facts"}))
        == []
    )


def test_high_fodmap_tips_return_after_the_low_score_days() -> None:
    """The high-fodmap ban holds for the 4 days after the low score, then lifts."""
    content = library(tip("onion", "prebiotic", tags=["high-fodmap"]), tip("oats", "prebiotic"))

    def allowed(days_since_score: int) -> list[str]:
        return eligible_ids(content, wellbeing=(scored("gut_comfort", 1, days_since_score),))

    assert allowed(4) == ["oats"]
    assert allowed(5) == ["onion", "oats"]


def test_a_good_gut_comfort_score_rules_nothing_out() -> None:
    """A gut-comfort score above the low mark leaves high-fodmap tips eligible."""
    content = library(tip("onion", "prebiotic", tags=["high-fodmap"]), tip("oats", "prebiotic"))

    assert eligible_ids(content, wellbeing=(scored("gut_comfort", 3, days=1),)) == [
        "onion",
        "oats",
    ]


def test_time_of_day_gives_way_before_difficulty() -> None:
    """With only a wrong-time tip and a too-hard tip left, the wrong-time tip goes out."""
    content = library(
        tip("evening", "sleep", time_of_day=TimeOfDay.EVENING), tip("hard", "sleep", difficulty=3)
    )

    assert eligible_ids(content, time_of_day=TimeOfDay.MORNING) == ["evening"]


def test_difficulty_gives_way_before_cooldown() -> None:
    """With only a too-hard tip and a cooling tip left, the too-hard tip goes out."""
    content = library(tip("hard", "sleep", difficulty=3), tip("recent", "sleep", cooldown_days=30))

    assert eligible_ids(content, tips={"recent": sent(2)}) == ["hard"]


def test_cooldown_gives_way_last_with_the_tip_sent_longest_ago() -> None:
    """When every tip is cooling down, each topic offers the tip it sent longest ago."""
    content = library(tip("sleep-a", "sleep"), tip("sleep-b", "sleep"), tip("stress-a", "stress"))
    history = {"sleep-a": sent(3), "sleep-b": sent(5), "stress-a": sent(1)}

    assert eligible_ids(content, tips=history) == ["sleep-b", "stress-a"]


def test_a_tip_breaking_every_soft_rule_still_keeps_its_topic_on_offer() -> None:
    """A topic whose only tip is for another time, too hard and cooling down still offers it."""
    content = library(
        tip("last", "sleep", time_of_day=TimeOfDay.EVENING, difficulty=3, cooldown_days=30)
    )

    assert eligible_ids(content, time_of_day=TimeOfDay.MORNING, tips={"last": sent(2)}) == ["last"]


def test_relaxing_never_brings_back_a_not_for_me_tip() -> None:
    """When every other tip is excluded, a "Not for me" tip still stays out: nothing is eligible."""
    content = library(tip("a", "sleep"), tip("b", "stress"))

    history = {"a": sent(100, not_for_me=True)}

    assert eligible_ids(content, tips=history, chosen_topics=frozenset({"sleep"})) == []


def test_relaxing_never_brings_back_a_ruled_out_tag() -> None:
    """When only high-fodmap tips exist, a low gut-comfort score leaves nothing eligible."""
    content = library(tip("onion", "prebiotic", tags=["high-fodmap"]))

    assert eligible_ids(content, wellbeing=(scored("gut_comfort", 1, days=0),)) == []


def test_relaxing_never_leaves_the_chosen_topics() -> None:
    """When every tip of the chosen topic is cooling down, it repeats rather than leave the topic."""
    content = library(tip("sleep-a", "sleep"), tip("stress-a", "stress"))

    chosen = eligible_ids(content, tips={"sleep-a": sent(1)}, chosen_topics=frozenset({"sleep"}))

    assert chosen == ["sleep-a"]


def _streak(done_in_a_row: int) -> TopicRecord:
    """A topic's record after `done_in_a_row` "did it" answers in a row."""
    return TopicRecord(successes=float(done_in_a_row), done_streak=done_in_a_row)


def test_each_topic_relaxes_on_its_own() -> None:
    """A topic with only a cooling tip left still offers it beside another topic's fresh tip."""
    content = library(
        tip("sleep-a", "sleep"),
        tip("stress-fresh", "stress"),
        tip("stress-hard", "stress", difficulty=3),
    )

    chosen = eligible_ids(content, tips={"sleep-a": sent(2)})

    assert chosen == ["sleep-a", "stress-fresh"]


def spanish(tip_id: str, topic: str) -> Tip:
    """A tip written in English and Spanish."""
    fields = {f: {"en": f"{tip_id} {f}", "es": f"{tip_id} {f} (es)"} for f in TRANSLATED}
    return tip(tip_id, topic, **fields)


TRANSLATED = ("title", "text", "action", "why")


def test_tips_in_the_subscribers_language_come_first_across_topics() -> None:
    """A Spanish speaker gets Spanish tips from any topic before an English-only tip."""
    content = library(spanish("sleep-es", "sleep"), tip("stress-en", "stress"))

    assert eligible_ids(content, language="es") == ["sleep-es"]
    assert eligible_ids(content) == ["sleep-es", "stress-en"]


def test_untranslated_tips_go_out_once_nothing_translated_is_left() -> None:
    """When every Spanish tip is ruled out, English tips are sent rather than nothing."""
    content = library(spanish("sleep-es", "sleep"), tip("stress-en", "stress"))

    history = {"sleep-es": sent(3, not_for_me=True)}

    assert eligible_ids(content, language="es", tips=history) == ["stress-en"]


def test_follow_ups_are_due_only_after_a_tip_done_exactly_yesterday() -> None:
    """Done yesterday: its follow-ups are due. Done two days ago, or sent yesterday and not
    done, or done today: not."""
    subscriber = view(
        tips={
            "done-yesterday": sent(1, done_days=1),
            "done-before": sent(2, done_days=2),
            "not-done": sent(1),
            "done-today": sent(0, done_days=0),
        }
    )

    assert follow_ups_due(subscriber) == frozenset({"done-yesterday"})


def test_each_library_is_judged_by_its_own_tips() -> None:
    """The rules see the library they are given, whatever was judged before: a library without
    a tip (one Telegram refused, say) never offers it, and the whole one still does, even when
    a new library takes a discarded one's place in memory."""
    whole = library(tip("a", "sleep"), tip("b", "sleep"), tip("c", "stress"))
    for _ in range(3):
        without_b = library(tip("a", "sleep"), tip("c", "stress"))

        assert eligible_ids(without_b) == ["a", "c"]
        assert eligible_ids(whole) == ["a", "b", "c"]
        del without_b


def test_scores_matter_as_far_back_as_the_longest_low_score_response() -> None:
    """A score is in force for its question's `when_low.days`: the longest of them is how far
    back the scores a choice needs go; with no response to low scores, none are needed."""
    steered = library(tip("a", "sleep"))
    unsteered = replace(
        steered,
        wellbeing={
            key: question.model_copy(update={"when_low": None})
            for key, question in steered.wellbeing.items()
        },
    )

    longest = max(response.days for response in WELLBEING.values())
    assert low_score_horizon(steered) == timedelta(days=longest)
    assert low_score_horizon(unsteered) is None
    # At the horizon a low score still rules out a tag; a day past it, nothing does.
    guarded = tip("b", "sleep", tags=["high-fodmap"])
    content = library(tip("a", "sleep"), guarded)
    for age, eligible in ((longest, ["a"]), (longest + 1, ["a", "b"])):
        assert eligible_ids(content, wellbeing=(scored("gut_comfort", 1, age),)) == eligible
