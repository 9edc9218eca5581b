"""The token filter on log output."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from nudgebot.log import REDACTED, configure_logging

TOKEN = "123:secret-token-value"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Give the root logger back as pytest set it up."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_token_is_redacted_in_messages_arguments_and_tracebacks(tmp_path: Path) -> None:
    """The token is replaced wherever it appears: message, %-arguments, exception text."""
    log_file = tmp_path / "bot.log"
    configure_logging("DEBUG", [TOKEN], log_file)
    logger = logging.getLogger("httpx")

    logger.info("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
    failure = RuntimeError(f"failed on https://api.telegram.org/bot{TOKEN}/sendMessage")
    logging.getLogger("telegram").error("request failed", exc_info=failure)
    for handler in logging.getLogger().handlers:
        handler.flush()

    text = log_file.read_text()
    assert TOKEN not in text
    assert text.count(REDACTED) == 2


def test_request_lines_are_quiet_above_debug(tmp_path: Path) -> None:
    """At INFO, httpx's one-line-per-request logging is switched off."""
    log_file = tmp_path / "bot.log"
    configure_logging("INFO", [TOKEN], log_file)

    logging.getLogger("httpx").info("HTTP Request: POST /getUpdates")
    logging.getLogger("nudgebot").info("kept")
    for handler in logging.getLogger().handlers:
        handler.flush()

    assert log_file.read_text().count("\n") == 1
