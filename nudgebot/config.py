"""Settings: read once from the environment (and an optional `.env`), validated, passed down."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_BOT_API_URL = "https://api.telegram.org/bot"
# Telegram's broadcast limit without paid broadcasting: "about 30 messages per second".
FREE_BROADCAST_RATE = 30.0
# With paid broadcasting Telegram allows up to 1000 messages per second.
PAID_BROADCAST_RATE = 1000.0
_PACKAGE_DIR = Path(__file__).resolve().parent


def parse_quiet_hours(text: str) -> tuple[time, time]:
    """ "21:30-08:00" -> (21:30, 08:00); raises ValueError for anything else."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as error:
        raise ValueError(f"quiet hours must look like 21:30-08:00, not {text!r}") from error
    return start, end


def bundled_path(name: str) -> Path:
    """Find a top-level project folder (`messages`, `alembic`) in a checkout or an installed wheel.

    A checkout (or editable install) has it beside the package; a wheel carries a copy inside the
    package under `_bundled/` (see pyproject's force-include).
    """
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    return _PACKAGE_DIR / "_bundled" / name


class Settings(BaseSettings):
    """Everything an operator can configure; see `.env.example` for one line per setting."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # an empty line in .env means "use the default"
        extra="ignore",
        frozen=True,
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_BOT_TOKEN"
    )
    bot_api_url: str = Field(default=TELEGRAM_BOT_API_URL, validation_alias="NUDGEBOT_BOT_API_URL")
    data_dir: Path = Field(default=Path("data"), validation_alias="NUDGEBOT_DATA_DIR")
    database_url: str | None = Field(default=None, validation_alias="NUDGEBOT_DATABASE_URL")
    auto_migrate: bool | None = Field(default=None, validation_alias="NUDGEBOT_AUTO_MIGRATE")
    messages_dir: Path = Field(
        default_factory=lambda: bundled_path("messages"), validation_alias="NUDGEBOT_MESSAGES_DIR"
    )
    admin_ids: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(), validation_alias="NUDGEBOT_ADMIN_IDS"
    )
    default_timezone: str = Field(default="UTC", validation_alias="NUDGEBOT_DEFAULT_TIMEZONE")
    default_nudge_time: time = Field(
        default=time(9, 0), validation_alias="NUDGEBOT_DEFAULT_NUDGE_TIME"
    )
    quiet_hours: str = Field(default="21:30-08:00", validation_alias="NUDGEBOT_QUIET_HOURS")
    min_gap_minutes: int = Field(default=60, ge=0, validation_alias="NUDGEBOT_MIN_GAP_MINUTES")
    daily_budget: int = Field(default=2, ge=1, validation_alias="NUDGEBOT_DAILY_BUDGET")
    later_delay_minutes: int = Field(
        default=180, ge=1, validation_alias="NUDGEBOT_LATER_DELAY_MINUTES"
    )
    default_pause_days: int = Field(
        default=7, ge=1, le=365, validation_alias="NUDGEBOT_DEFAULT_PAUSE_DAYS"
    )
    # A margin under Telegram's 30/s for network jitter (measured: zero 429s in 3,000 sends).
    send_rate: float = Field(default=29.0, gt=0, validation_alias="NUDGEBOT_SEND_RATE")
    per_chat_rate: float = Field(default=1.0, gt=0, validation_alias="NUDGEBOT_PER_CHAT_RATE")
    paid_broadcast: bool = Field(default=False, validation_alias="NUDGEBOT_PAID_BROADCAST")
    dispatch_interval_seconds: float = Field(
        default=5.0, gt=0, validation_alias="NUDGEBOT_DISPATCH_INTERVAL_SECONDS"
    )
    # Subscribers planned per transaction. At most 10,000: a batch's queries bind up to two
    # parameters per subscriber, and SQLite and asyncpg stop at 32,766.
    dispatch_batch_size: int = Field(
        default=200, gt=0, le=10_000, validation_alias="NUDGEBOT_DISPATCH_BATCH_SIZE"
    )
    send_lease_seconds: float = Field(
        default=60.0, gt=0, validation_alias="NUDGEBOT_SEND_LEASE_SECONDS"
    )
    content_watch_seconds: float = Field(
        default=2.0, ge=0, validation_alias="NUDGEBOT_CONTENT_WATCH_SECONDS"
    )
    # Every eligible tip keeps at least this probability of being chosen (at most 1/N with N
    # eligible), so the bot keeps learning about tips it currently rates low.
    exploration_floor: float = Field(
        default=0.001, ge=0, le=1, validation_alias="NUDGEBOT_EXPLORATION_FLOOR"
    )
    log_level: str = Field(default="INFO", validation_alias="NUDGEBOT_LOG_LEVEL")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        # Environment variables are strings: accept "1, 2,3" as well as a list.
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r}") from error
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_window(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @model_validator(mode="after")
    def _rate_within_telegram_limits(self) -> Settings:
        if self.send_rate > FREE_BROADCAST_RATE and not self.paid_broadcast:
            raise ValueError(
                f"NUDGEBOT_SEND_RATE above {FREE_BROADCAST_RATE:g}/s needs "
                "NUDGEBOT_PAID_BROADCAST=true (Telegram charges Stars for it)"
            )
        # Only Telegram's own servers have this ceiling: against another Bot API server (the
        # sandbox) a benchmark may set the rate higher to find the bot's own capacity.
        if self.send_rate > PAID_BROADCAST_RATE and self.bot_api_url == TELEGRAM_BOT_API_URL:
            raise ValueError(
                f"NUDGEBOT_SEND_RATE above {PAID_BROADCAST_RATE:g}/s: Telegram does not allow "
                "more even with paid broadcasting"
            )
        return self

    @property
    def quiet_window(self) -> tuple[time, time]:
        """The default quiet hours as (start, end) local times."""
        return parse_quiet_hours(self.quiet_hours)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @property
    def resolved_database_url(self) -> str:
        """The database to use: the configured URL, or an SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'nudgebot.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite kind."""
        return self.resolved_database_url.startswith("sqlite")

    @property
    def migrates_automatically(self) -> bool:
        """Upgrade the schema at start? Yes for embedded SQLite; servers are upgraded by hand."""
        if self.auto_migrate is not None:
            return self.auto_migrate
        return self.is_sqlite

    @property
    def token(self) -> str | None:
        """The bot token as plain text, for the one place that needs it (the Bot)."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None
