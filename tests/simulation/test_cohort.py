"""Cohort files: what they may say, and the errors a bad one gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nudgebot.content import ContentLibrary
from nudgebot.simulation import CohortError, load_cohort

COHORTS = Path(__file__).resolve().parents[2] / "bench" / "cohorts"

GOOD = """\
name: small
groups:
  - name: fermenters
    count: 30
    answer_probability: 0.9
    do_probability:
      default: 0.1
      topics: {fermented-foods: 0.8}
      tags: {dairy: 0.5}
  - name: sleepers
    count: 10
"""


def write(tmp_path: Path, text: str, name: str = "cohort.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_cohort_file_gives_its_groups_in_order_with_defaults_filled_in(tmp_path: Path) -> None:
    """Groups keep the file's order; keys left out take their documented defaults."""
    cohort = load_cohort(write(tmp_path, GOOD))

    assert cohort.name == "small"
    assert [group.name for group in cohort.groups] == ["fermenters", "sleepers"]
    assert cohort.size == 40
    sleepers = cohort.groups[1]
    assert sleepers.answer_probability == 0.7
    assert sleepers.do_probability.default == 0.2
    assert sleepers.fatigue == 0.1
    assert cohort.groups[0].do_probability.topics == {"fermented-foods": 0.8}


def test_a_json_cohort_reads_like_the_yaml_one(tmp_path: Path) -> None:
    """JSON is accepted too, and named after the file when it has no name."""
    data = {"groups": [{"name": "all", "count": 5, "do_probability": {"default": 0.4}}]}

    cohort = load_cohort(write(tmp_path, json.dumps(data), "people.json"))

    assert cohort.name == "people"
    assert cohort.groups[0].do_probability.default == 0.4


def test_a_value_out_of_range_is_reported_with_file_line_and_key(tmp_path: Path) -> None:
    """A probability above 1 names the file, line, column and key path."""
    path = write(tmp_path, GOOD.replace("answer_probability: 0.9", "answer_probability: 1.5"))

    with pytest.raises(CohortError) as caught:
        load_cohort(path)

    assert str(caught.value) == (
        f"{path}:5:5: groups[0].answer_probability: Input should be less than or equal to 1"
    )


def test_an_unknown_key_is_named_with_where_it_is(tmp_path: Path) -> None:
    """A misspelt key is an error, never silently ignored."""
    path = write(tmp_path, GOOD.replace("    count: 10\n", "    count: 10\n    fatige: 0.2\n"))

    with pytest.raises(CohortError) as caught:
        load_cohort(path)

    assert str(caught.value).startswith(f"{path}:12:5: groups[1].fatige: unknown key 'fatige'")


def test_every_error_in_the_file_is_reported_at_once(tmp_path: Path) -> None:
    """A missing count and a bad probability both show, one line each."""
    text = GOOD.replace("    count: 30\n", "").replace("default: 0.1", "default: -1")

    with pytest.raises(CohortError) as caught:
        load_cohort(write(tmp_path, text))

    assert [problem.path for problem in caught.value.problems] == [
        "groups[0].count",
        "groups[0].do_probability.default",
    ]
    assert caught.value.problems[0].message == "required key is missing"


def test_a_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    """Broken YAML gets the parser's line and column."""
    path = write(tmp_path, "groups:\n  - name: a\n    count: [1\n")

    with pytest.raises(CohortError) as caught:
        load_cohort(path)

    assert str(caught.value).startswith(f"{path}:4:1: YAML syntax error")


def test_a_cohort_without_groups_is_refused(tmp_path: Path) -> None:
    """At least one group is needed."""
    with pytest.raises(CohortError, match=r"groups: must not be empty"):
        load_cohort(write(tmp_path, "groups: []\n"))


def test_two_groups_with_one_name_are_refused(tmp_path: Path) -> None:
    """Group names tell groups apart, so they are distinct."""
    path = write(tmp_path, GOOD.replace("name: sleepers", "name: fermenters"))

    with pytest.raises(
        CohortError, match=r"groups\[1\]\.name: group name 'fermenters' is used twice"
    ):
        load_cohort(path)


def test_topics_tags_and_questions_are_checked_against_the_library(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """A topic, tag or wellbeing question the library lacks is an error at its key."""
    text = (
        GOOD.replace("fermented-foods: 0.8", "fermented: 0.8")
        .replace("dairy: 0.5", "diary: 0.5")
        .replace("    count: 10\n", "    count: 10\n    wellbeing: {moood: 3}\n")
    )
    path = write(tmp_path, text)
    cohort = load_cohort(path)

    with pytest.raises(CohortError) as caught:
        cohort.check_against(library)

    lines = str(caught.value).splitlines()
    assert lines[0].startswith(
        f"{path}:8:16: groups[0].do_probability.topics.fermented: unknown topic 'fermented'; topics: prebiotic-foods, "
    )
    assert lines[1].startswith(
        f"{path}:9:14: groups[0].do_probability.tags.diary: no tip has the tag 'diary'"
    )
    assert lines[2].startswith(
        f"{path}:12:17: groups[1].wellbeing.moood: unknown wellbeing question 'moood'"
    )


@pytest.mark.parametrize(
    ("users", "expected"),
    [(40, [30, 10]), (400, [300, 100]), (7, [5, 2]), (1, [1, 0])],
)
def test_users_keeps_each_groups_share(tmp_path: Path, users: int, expected: list[int]) -> None:
    """--users rescales every group by its share, and the total is exactly what was asked."""
    cohort = load_cohort(write(tmp_path, GOOD))

    scaled = cohort.with_users(users)

    assert [group.count for group in scaled.groups] == expected
    assert scaled.size == users


def test_users_keeps_three_way_shares_with_largest_remainders(tmp_path: Path) -> None:
    """Leftover people go to the groups with the largest remainders, so shares stay close."""
    text = "groups:\n" + "".join(
        f"  - name: g{i}\n    count: {n}\n" for i, n in enumerate((1, 1, 1))
    )
    cohort = load_cohort(write(tmp_path, text))

    assert [group.count for group in cohort.with_users(10).groups] == [4, 3, 3]
    assert [group.count for group in cohort.with_users(10_000).groups] == [3334, 3333, 3333]


@pytest.mark.parametrize("path", sorted(COHORTS.glob("*.yaml")), ids=lambda path: path.name)
def test_the_shipped_cohorts_are_valid_for_the_shipped_library(
    path: Path, library: ContentLibrary
) -> None:
    """Every example cohort in bench/cohorts loads and matches the library's ids."""
    cohort = load_cohort(path)

    cohort.check_against(library)

    assert cohort.size == 10_000


def test_at_least_two_example_cohorts_are_shipped() -> None:
    """bench/cohorts holds at least two example cohorts."""
    assert len(list(COHORTS.glob("*.yaml"))) >= 2
