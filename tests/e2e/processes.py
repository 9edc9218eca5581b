"""Running `nudgebot` commands as real processes, the way an operator would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO

STARTUP_LIMIT_SECONDS = 30


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_environment(data_dir: Path, **settings: str) -> dict[str, str]:
    """The current environment without any nudgebot or Telegram setting, plus `settings`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NUDGEBOT_", "TELEGRAM_"))
    }
    return {**environment, "NUDGEBOT_DATA_DIR": str(data_dir), **settings}


class NudgebotProcess:
    """A `python -m nudgebot ...` child whose output goes to a file."""

    def __init__(self, arguments: list[str], environment: dict[str, str], log: Path) -> None:
        self.log = log
        self._output: IO[bytes] = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "nudgebot", *arguments],
            env=environment,
            cwd=log.parent,  # away from the checkout's .env
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        """Everything the process printed or logged so far."""
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """Ask it to stop (SIGTERM, as a service manager would) and return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STARTUP_LIMIT_SECONDS)
        finally:
            self._output.close()

    def kill(self) -> None:
        """End it at once, if still running."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._output.close()
