"""Logging set-up that keeps the bot token out of every log line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from pathlib import Path

REDACTED = "<redacted-token>"


class SecretRedactor(logging.Filter):
    """Replaces secrets in a record's final message (and drops its args) before it is written.

    httpx logs every request URL at INFO, and Bot API URLs contain the token; PTB's own errors
    can quote URLs too. Filtering at the handler catches all of them, whatever logger they use.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self._secrets:
            message = message.replace(secret, REDACTED)
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, REDACTED)
        record.msg, record.args = message, None
        return True


def configure_logging(level: str, secrets: Iterable[str], log_file: Path | None = None) -> None:
    """Log to stderr (or `log_file`) at `level`, with secrets redacted."""
    handler: logging.Handler
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretRedactor(secrets))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
        existing.close()
    root.addHandler(handler)
    root.setLevel(level)
    # One line per HTTP request (or per job run) drowns everything else; keep them for DEBUG.
    chatty_level = logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING
    for chatty in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(chatty).setLevel(chatty_level)
