"""Loading `messages/`: every file read, validated, merged and checked against Telegram's rules."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from nudgebot.content.checks import check_library
from nudgebot.content.library import ContentLibrary
from nudgebot.content.merging import LibraryDraft
from nudgebot.content.problems import ContentError, Problem
from nudgebot.content.safety import SafetyRules
from nudgebot.content.schema import ContentFile, WellbeingSchedule
from nudgebot.content.schema_errors import schema_problems
from nudgebot.content.telegram_checks import telegram_problems
from nudgebot.content.yaml_source import YamlSource, read_yaml

DEFAULT_LANGUAGE = "en"


def load_library(directory: Path) -> ContentLibrary:
    """Load and check every `*.yaml` file under `directory`; ContentError lists all errors.

    Checks run in stages (YAML, schema, whole library, then Telegram's rules on the rendered
    messages); a later stage runs only on what the earlier ones accepted, so each problem is
    reported once, where it starts.
    """
    sources, problems = _read_all(directory)
    draft = LibraryDraft()
    for source in sources:
        try:
            draft.add(source, ContentFile.model_validate(source.data))
        except ValidationError as error:
            problems.extend(schema_problems(source, error))
    problems.extend(check_library(draft))
    _raise_on_errors(problems)
    assert draft.tip_checkin is not None  # check_library reports its absence as an error
    library = ContentLibrary(
        default_language=draft.default_language or DEFAULT_LANGUAGE,
        topics=draft.topics,
        tips=draft.tips,
        tip_checkin=draft.tip_checkin,
        wellbeing=draft.wellbeing,
        wellbeing_checkin=draft.wellbeing_checkin or WellbeingSchedule(),
        ui=draft.ui,
        safety=(
            SafetyRules.compile(
                draft.safety, lambda path: draft.locations.where("setting", "safety", path)
            )
            if draft.safety
            else SafetyRules.none()
        ),
        warnings=[problem for problem in problems if problem.severity == "warning"],
    )
    _raise_on_errors([*problems, *telegram_problems(library, draft.locations)])
    return library


def _raise_on_errors(problems: list[Problem]) -> None:
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise ContentError(errors, warnings=[p for p in problems if p.severity == "warning"])


def _read_all(directory: Path) -> tuple[list[YamlSource], list[Problem]]:
    if not directory.is_dir():
        return [], [Problem(str(directory), 1, 1, "", "content directory does not exist")]
    paths = sorted(path for pattern in ("*.yaml", "*.yml") for path in directory.rglob(pattern))
    if not paths:
        return [], [Problem(str(directory), 1, 1, "", "no *.yaml files in the directory")]
    sources: list[YamlSource] = []
    problems: list[Problem] = []
    for path in paths:
        result = read_yaml(path, str(path.relative_to(directory.parent)))
        if isinstance(result, Problem):
            problems.append(result)
        else:
            sources.append(result)
    return sources, problems
