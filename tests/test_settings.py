"""Settings: defaults that work with nothing set, and .env.example documenting every one."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from nudgebot.config import TELEGRAM_BOT_API_URL, Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def test_defaults_need_nothing_set(tmp_path: Path) -> None:
    """With no settings: Telegram's API, SQLite under the data folder, UTC, 09:00."""
    settings = Settings.model_validate({"NUDGEBOT_DATA_DIR": str(tmp_path)})

    assert settings.token is None
    assert settings.bot_api_url == TELEGRAM_BOT_API_URL
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'nudgebot.sqlite3'}"
    assert (settings.default_timezone, settings.default_nudge_time) == ("UTC", time(9, 0))
    assert (settings.messages_dir / "ui.yaml").exists()


def test_every_setting_is_documented_in_env_example() -> None:
    """.env.example has one line for each setting, and nothing else."""
    documented = set(re.findall(r"^([A-Z_]+)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))
    names = {str(field.validation_alias) for field in Settings.model_fields.values()}

    assert documented == names


def test_token_is_hidden_from_representations() -> None:
    """The token does not leak through repr or str of the settings."""
    settings = Settings.model_validate({"TELEGRAM_BOT_TOKEN": "12345:very-secret"})

    assert "very-secret" not in repr(settings)
    assert "very-secret" not in str(settings)
    assert settings.token == "12345:very-secret"


def test_admin_ids_are_read_from_a_comma_list() -> None:
    """NUDGEBOT_ADMIN_IDS accepts '1, 2,3'."""
    settings = Settings.model_validate({"NUDGEBOT_ADMIN_IDS": "1, 2,3"})

    assert settings.admin_ids == (1, 2, 3)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NUDGEBOT_DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("NUDGEBOT_DEFAULT_NUDGE_TIME", "25:00"),
        ("NUDGEBOT_LOG_LEVEL", "LOUD"),
        ("NUDGEBOT_DISPATCH_INTERVAL_SECONDS", "0"),
    ],
)
def test_bad_values_are_refused_with_the_setting_named(name: str, value: str) -> None:
    """An invalid setting fails at start, naming the variable."""
    with pytest.raises(ValidationError, match=name):
        Settings.model_validate({name: value})


def test_rate_above_thirty_needs_paid_broadcasting() -> None:
    """Telegram's free broadcast limit is 30/s; more must be paid for, and said so."""
    with pytest.raises(ValidationError, match="NUDGEBOT_PAID_BROADCAST"):
        Settings.model_validate({"NUDGEBOT_SEND_RATE": "100"})

    paid = Settings.model_validate({"NUDGEBOT_SEND_RATE": "1000", "NUDGEBOT_PAID_BROADCAST": "1"})
    assert paid.send_rate == 1000


def test_telegram_never_gets_more_than_its_paid_ceiling() -> None:
    """Against Telegram 1000/s is the most; another Bot API server (the sandbox) may get more."""
    above_ceiling = {"NUDGEBOT_SEND_RATE": "3000", "NUDGEBOT_PAID_BROADCAST": "true"}
    with pytest.raises(ValidationError, match="1000"):
        Settings.model_validate(above_ceiling)

    sandbox = {**above_ceiling, "NUDGEBOT_BOT_API_URL": "http://127.0.0.1:8081/bot"}
    assert Settings.model_validate(sandbox).send_rate == 3000
