"""A small, valid content folder that each test may break in its own way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import MESSAGES_DIR

SAMPLE_TIPS = """\
tips:
  - id: sample-walk
    topic: movement
    title:
      en: A short walk
      es: Un paseo corto
    text:
      en: A brisk walk counts as exercise.
      es: Un paseo a buen ritmo cuenta como ejercicio.
    action:
      en: After I finish lunch, I will walk for ten minutes.
      es: Después de comer, caminaré diez minutos.
    why:
      en: Exercise shifts the gut microbiome and is linked with better mood.
      es: El ejercicio cambia la microbiota y se asocia con mejor ánimo.
    difficulty: 1
    time_of_day: midday
    cooldown_days: 30
    follow_up: sample-stairs
    tags: [outdoors]
    sources:
      - "Nurturing Your Gut, Nurturing Your Mind"
  - id: sample-stairs
    topic: movement
    title: Take the stairs
    text: Short bursts of movement add up.
    action: When I reach a lift today, I will take the stairs instead.
    why: Regular movement is one of the habits linked with a healthier gut.
    difficulty: 2
    prerequisite: sample-walk
    sources:
      - "Nurturing Your Gut, Nurturing Your Mind"
"""


@pytest.fixture
def messages(tmp_path: Path) -> Path:
    """A valid content folder: the shipped settings, topics, UI and safety lists, two tips."""
    folder = tmp_path / "messages"
    (folder / "tips").mkdir(parents=True)
    # The UI strings are split by area (ui.yaml, ui-onboarding.yaml, ...): copy them all.
    names = ["library.yaml", "topics.yaml", "safety.yaml"]
    names += [path.name for path in MESSAGES_DIR.glob("ui*.yaml")]
    for name in names:
        shutil.copy(MESSAGES_DIR / name, folder / name)
    (folder / "tips" / "sample.yaml").write_text(SAMPLE_TIPS)
    return folder
