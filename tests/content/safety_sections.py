"""A small safety section for tests, compiled: English crisis rules as given, the rest minimal."""

from __future__ import annotations

from typing import Any

from nudgebot.content.safety import SafetyRules
from nudgebot.content.schema import SafetySection

QUESTION = {"text": "q", "help_button": "h", "fine_button": "f", "fine_reply": "r"}


def rules(
    sure: list[Any] | dict[str, list[Any]],
    ask: list[Any] | None = None,
    look_alikes: list[Any] | None = None,
    **section: Any,
) -> SafetyRules:
    """A section whose English crisis rules are the given ones."""
    return SafetyRules.compile(
        SafetySection.model_validate(
            {
                "crisis": {
                    "sure": sure if isinstance(sure, dict) else {"en": sure},
                    "ask": {"en": ask or []},
                    "look_alikes": {"en": look_alikes or []},
                    "reply": "{resources}",
                    "question": QUESTION,
                },
                "red_flag": {
                    "sure": {"en": ["black stool"]},
                    "reply": "r",
                    "hold_note": "held {days} days",
                    "hold_topics": ["x"],
                    "question": QUESTION,
                },
                "resources": {"emergency": "e", "elsewhere": "d"},
                "admin_alerts": {"crisis": "a", "help_asked": "b"},
                **section,
            }
        )
    )
