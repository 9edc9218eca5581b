"""The simulated people of a cohort: each one's hidden habits, as arrays over all of them.

A person's chance of doing a tip is their topic's chance (the group's, plus personal noise of
`spread`), times the tip's tag and difficulty factors (capped at 1), times (1 - fatigue) for
each tip of the same topic they received in the previous `FATIGUE_DAYS` days. The policies
never see any of this; only the oracle does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nudgebot.content.library import ContentLibrary
from nudgebot.simulation.cohort import Cohort

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]

# Tips of the same topic received in this many previous days tire the person of it.
FATIGUE_DAYS = 3
# Simulated chat ids: person i is chat FIRST_CHAT_ID + i, far from any real test chat.
FIRST_CHAT_ID = 7_000_000_000
DEFAULT_WELLBEING = 3.0
# The people's hidden parameters come from this stream of the seed; days use others.
_PEOPLE_STREAM = 0


@dataclass(frozen=True, eq=False)
class Population:
    """Every simulated person's hidden parameters, indexed by person (0..size-1)."""

    topic_ids: tuple[str, ...]
    tip_ids: tuple[str, ...]
    tip_index: dict[str, int]
    # The topic index of every tip.
    tip_topic: Ints
    group_names: tuple[str, ...]
    group_of: Ints
    languages: tuple[str, ...]
    # (people, topics): the person's chance of doing a tip of the topic, before tags.
    topic_probability: Floats
    # (groups, tips): the product of the tip's tag and difficulty factors for the group.
    tip_factor: Floats
    answer_probability: Floats
    fatigue: Floats
    # (people, topics): topics the person dislikes (chance below the group's threshold).
    disliked: Flags
    not_for_me: Floats
    question_ids: tuple[str, ...]
    # (people, questions): the person's mean wellbeing score.
    wellbeing_mean: Floats
    wellbeing_noise: Floats
    comes_back: Floats

    @property
    def size(self) -> int:
        """How many people."""
        return len(self.group_of)

    @staticmethod
    def chat_id(person: int) -> int:
        """The Telegram chat id of person `person`."""
        return FIRST_CHAT_ID + person

    def person_of(self, chat_id: int) -> int:
        """The person a chat id belongs to; ValueError for a chat that is not simulated."""
        person = chat_id - FIRST_CHAT_ID
        if not 0 <= person < self.size:
            raise ValueError(f"chat {chat_id} is not a simulated person")
        return person

    def do_probability(self, people: Ints, tips: Ints, recent_in_topic: Ints) -> Floats:
        """The hidden chance that each person does the matching tip, given their fatigue.

        `recent_in_topic`: tips of the tip's topic each person received in the previous days.
        """
        topics = self.tip_topic[tips]
        base = (
            self.topic_probability[people, topics] * self.tip_factor[self.group_of[people], tips]
        )
        tired: Floats = (1.0 - self.fatigue[people]) ** recent_in_topic
        return np.minimum(base, 1.0) * tired

    @classmethod
    def build(cls, cohort: Cohort, library: ContentLibrary, seed: int) -> Population:
        """The cohort's people, drawn once from `seed`: the same people for every policy."""
        rng = np.random.default_rng([seed, _PEOPLE_STREAM])
        topic_ids = tuple(library.topics)
        tip_ids = tuple(library.tips)
        topic_position = {topic: index for index, topic in enumerate(topic_ids)}
        tip_topic = np.array(
            [topic_position[library.tips[tip].topic] for tip in tip_ids], dtype=np.int64
        )
        question_ids = tuple(library.wellbeing)
        groups = cohort.groups
        counts = [group.count for group in groups]
        group_of = np.repeat(np.arange(len(groups), dtype=np.int64), counts)

        group_topic = np.array(
            [
                [
                    group.do_probability.topics.get(t, group.do_probability.default)
                    for t in topic_ids
                ]
                for group in groups
            ]
        ).reshape(len(groups), len(topic_ids))
        spread = np.array([group.spread for group in groups])[group_of]
        noise = rng.standard_normal((len(group_of), len(topic_ids)))
        topic_probability = np.clip(group_topic[group_of] + spread[:, None] * noise, 0.0, 1.0)
        dislike_below = np.array([group.dislike_below for group in groups])[group_of]

        tip_factor = np.ones((len(groups), len(tip_ids)))
        for g, group in enumerate(groups):
            factors = group.do_probability
            for t, tip_id in enumerate(tip_ids):
                tip = library.tips[tip_id]
                factor = factors.difficulty.get(tip.difficulty, 1.0)
                for tag in tip.tags:
                    factor *= factors.tags.get(tag, 1.0)
                tip_factor[g, t] = factor

        means = np.array(
            [[group.wellbeing.get(q, DEFAULT_WELLBEING) for q in question_ids] for group in groups]
        ).reshape(len(groups), len(question_ids))

        def per_person(values: list[float]) -> Floats:
            return np.array(values, dtype=np.float64)[group_of]

        return cls(
            topic_ids=topic_ids,
            tip_ids=tip_ids,
            tip_index={tip: index for index, tip in enumerate(tip_ids)},
            tip_topic=tip_topic,
            group_names=tuple(group.name for group in groups),
            group_of=group_of,
            languages=tuple(group.language for group in groups),
            topic_probability=topic_probability,
            tip_factor=tip_factor,
            answer_probability=per_person([group.answer_probability for group in groups]),
            fatigue=per_person([group.fatigue for group in groups]),
            disliked=topic_probability < dislike_below[:, None],
            not_for_me=per_person([group.not_for_me for group in groups]),
            question_ids=question_ids,
            wellbeing_mean=means[group_of],
            wellbeing_noise=per_person([group.wellbeing_noise for group in groups]),
            comes_back=per_person([group.comes_back for group in groups]),
        )

    def language_of(self, person: int) -> str:
        """The Telegram language code person `person` writes in."""
        return self.languages[int(self.group_of[person])]
