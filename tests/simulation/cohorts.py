"""Building small cohorts and their people for the simulation's tests."""

from __future__ import annotations

from pathlib import Path

from nudgebot.content import ContentLibrary
from nudgebot.simulation import Cohort, load_cohort
from nudgebot.simulation.behaviour import Behaviour
from nudgebot.simulation.people import Population


def cohort_from(tmp_path: Path, text: str) -> Cohort:
    """The cohort a YAML text describes, through the real loader."""
    path = tmp_path / "cohort.yaml"
    path.write_text(text)
    return load_cohort(path)


def behaviour_of(tmp_path: Path, library: ContentLibrary, text: str, seed: int = 1) -> Behaviour:
    """The people of a cohort text, on day 0 of a run."""
    population = Population.build(cohort_from(tmp_path, text), library, seed)
    behaviour = Behaviour(population, seed)
    behaviour.start_day(0)
    return behaviour


def first_tip(library: ContentLibrary, topic: str, *, tag: str | None = None) -> str:
    """The id of the first tip of `topic` (with `tag`, when given), in library order."""
    return next(
        tip.id
        for tip in library.tips.values()
        if tip.topic == topic and (tag is None or tag in tip.tags)
    )
