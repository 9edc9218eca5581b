"""How simulated people react: their hidden chances, fatigue, answers and common draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nudgebot.content import ContentLibrary
from nudgebot.simulation.behaviour import Behaviour, Reaction
from nudgebot.simulation.people import Population
from tests.simulation.cohorts import behaviour_of, cohort_from, first_tip

FERMENTERS = """\
groups:
  - name: fermenters
    count: {count}
    answer_probability: {answer}
    spread: 0
    fatigue: 0.25
    not_for_me: {not_for_me}
    do_probability:
      default: {default}
      topics: {{fermented-foods: 0.8, sleep: 0.5}}
      tags: {{dairy: 0.5, quick: 2.0}}
      difficulty: {{3: 0.5}}
"""


def fermenters(
    count: int = 4, answer: float = 1.0, not_for_me: float = 0.0, default: float = 0.2
) -> str:
    return FERMENTERS.format(count=count, answer=answer, not_for_me=not_for_me, default=default)


def tip_indices(behaviour: Behaviour, *tip_ids: str) -> np.ndarray:
    return np.array([behaviour.population.tip_index[tip] for tip in tip_ids], dtype=np.int64)


def test_fatigue_multiplies_the_chance_by_one_minus_fatigue_per_recent_tip(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """Each tip of the topic in the previous days multiplies the chance by (1 - fatigue)."""
    behaviour = behaviour_of(tmp_path, library, fermenters())
    plain = next(
        tip.id
        for tip in library.tips.values()
        if tip.topic == "fermented-foods"
        and not {"dairy", "quick"} & set(tip.tags)
        and tip.difficulty < 3
    )
    tips = tip_indices(behaviour, plain, plain, plain)

    chances = behaviour.population.do_probability(
        np.zeros(3, dtype=np.int64), tips, np.array([0, 1, 2], dtype=np.int64)
    )

    assert chances == pytest.approx([0.8, 0.6, 0.45])


def test_tag_and_difficulty_factors_multiply_and_the_chance_stays_at_most_one(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """Tags and difficulty multiply the topic's chance; the product is capped at 1."""
    behaviour = behaviour_of(tmp_path, library, fermenters())
    tips = {tip.id: tip for tip in library.tips.values() if tip.topic == "fermented-foods"}
    indices = tip_indices(behaviour, *tips)

    chances = behaviour.population.do_probability(
        np.zeros(len(tips), dtype=np.int64), indices, np.zeros(len(tips), dtype=np.int64)
    )

    for tip, chance in zip(tips.values(), chances, strict=True):
        expected = (
            0.8 * (0.5 if "dairy" in tip.tags else 1.0) * (2.0 if "quick" in tip.tags else 1.0)
        )
        expected *= 0.5 if tip.difficulty == 3 else 1.0
        assert chance == pytest.approx(min(expected, 1.0)), tip.id


def test_fatigue_counts_tips_of_the_topic_in_the_previous_three_days(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """Today's tips tire the person from tomorrow on, for three days."""
    behaviour = behaviour_of(tmp_path, library, fermenters(count=1))
    topic = behaviour.population.topic_ids.index("fermented-foods")
    tip = tip_indices(behaviour, first_tip(library, "fermented-foods"))
    person = np.zeros(1, dtype=np.int64)
    tips_on_day = {0: 2, 1: 1}
    recent = []
    for day in range(6):
        behaviour.start_day(day)
        recent.append(int(behaviour.recent[0, topic]))
        for _ in range(tips_on_day.get(day, 0)):
            behaviour.react_to_tips(person, tip)

    assert recent == [0, 2, 3, 3, 1, 0]


def test_people_who_never_answer_press_nothing(tmp_path: Path, library: ContentLibrary) -> None:
    """With answer_probability 0, no tip gets any answer."""
    behaviour = behaviour_of(tmp_path, library, fermenters(count=50, answer=0.0))
    tip = tip_indices(behaviour, first_tip(library, "fermented-foods"))

    result = behaviour.react_to_tips(np.arange(50, dtype=np.int64), np.repeat(tip, 50))

    assert set(result.reactions.tolist()) == {Reaction.NONE}


def test_an_undone_tip_of_a_disliked_topic_gets_not_for_me_and_a_liked_one_later(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """Answers are "Did it" or, failing that, "Not for me" on disliked topics, else "Later"."""
    behaviour = behaviour_of(tmp_path, library, fermenters(count=200, not_for_me=1.0, default=0.0))
    people = np.arange(200, dtype=np.int64)
    disliked = tip_indices(behaviour, first_tip(library, "movement"))
    liked = tip_indices(behaviour, first_tip(library, "sleep"))

    on_disliked = behaviour.react_to_tips(people, np.repeat(disliked, 200)).reactions
    on_liked = behaviour.react_to_tips(people, np.repeat(liked, 200)).reactions

    assert set(on_disliked.tolist()) == {Reaction.NOT_FOR_ME}
    assert set(on_liked.tolist()) == {Reaction.DONE, Reaction.LATER}
    assert 0.35 < np.mean(on_liked == Reaction.DONE) < 0.65


def test_a_persons_kth_message_of_a_day_gets_the_same_draws_whichever_tip_it_is(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """Draws belong to (person, day, message), so policies are compared on the same luck."""
    text = fermenters(count=300, answer=0.5)
    one = behaviour_of(tmp_path, library, text, seed=9)
    other = behaviour_of(tmp_path, library, text, seed=9)
    people = np.arange(300, dtype=np.int64)
    fermented = tip_indices(one, first_tip(library, "fermented-foods"))
    sleep = tip_indices(one, first_tip(library, "sleep"))

    answered_one = one.react_to_tips(people, np.repeat(fermented, 300)).reactions != Reaction.NONE
    # The other run sends in another order and another tip: same people, same luck.
    order = people[::-1]
    answered_other = np.empty(300, dtype=np.bool_)
    answered_other[order] = (
        other.react_to_tips(order, np.repeat(sleep, 300)).reactions != Reaction.NONE
    )

    assert answered_one.tolist() == answered_other.tolist()
    assert 0.35 < answered_one.mean() < 0.65


def test_two_messages_to_one_person_in_a_batch_use_different_draws(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """A person's second message of the day is a new chance, not a copy of the first."""
    behaviour = behaviour_of(tmp_path, library, fermenters(count=1, answer=0.5))
    tip = tip_indices(behaviour, first_tip(library, "sleep"))
    person = np.zeros(8, dtype=np.int64)

    result = behaviour.react_to_tips(person, np.repeat(tip, 8))

    assert len(set(result.delays_minutes.tolist())) == 8


def test_wellbeing_scores_stay_within_one_to_five_around_the_mean(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """Scores are the mean plus noise, rounded and kept within 1-5."""
    text = """\
groups:
  - name: steady
    count: 100
    answer_probability: 1
    wellbeing: {mood: 4, gut_comfort: 2}
    wellbeing_noise: 0
  - name: noisy
    count: 100
    answer_probability: 1
    wellbeing: {mood: 4.6}
    wellbeing_noise: 2.5
"""
    behaviour = behaviour_of(tmp_path, library, text)
    questions = behaviour.population.question_ids

    result = behaviour.react_to_wellbeing(np.arange(200, dtype=np.int64))

    steady, noisy = result.scores[:100], result.scores[100:]
    assert result.answered.all()
    assert set(steady[:, questions.index("mood")].tolist()) == {4}
    assert set(steady[:, questions.index("gut_comfort")].tolist()) == {2}
    assert set(steady[:, questions.index("sleep_quality")].tolist()) == {3}
    assert noisy.min() == 1
    assert noisy.max() == 5


@pytest.mark.parametrize(("comes_back", "expected"), [(1.0, 10), (0.0, 0)])
def test_people_paused_for_silence_come_back_with_their_daily_chance(
    tmp_path: Path, library: ContentLibrary, comes_back: float, expected: int
) -> None:
    """After the "dormant" notice a person writes again with `comes_back` per morning."""
    text = f"groups:\n  - name: g\n    count: 20\n    comes_back: {comes_back}\n"
    behaviour = behaviour_of(tmp_path, library, text)
    for person in range(10):
        behaviour.notice(person, "dormant")

    behaviour.start_day(1)
    back = behaviour.coming_back()

    assert len(back) == expected
    assert int(behaviour.paused.sum()) == 10 - expected
    assert int(behaviour.ever_dormant.sum()) == 10


def test_the_same_seed_makes_the_same_people_and_another_seed_others(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """People's personal noise comes from the seed alone."""
    cohort = cohort_from(tmp_path, "groups:\n  - name: g\n    count: 50\n    spread: 0.1\n")

    first = Population.build(cohort, library, seed=3).topic_probability
    again = Population.build(cohort, library, seed=3).topic_probability
    other = Population.build(cohort, library, seed=4).topic_probability

    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
