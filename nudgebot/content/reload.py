"""Reloading `messages/` while the bot runs: a bad edit never replaces the good library."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from nudgebot.content.loading import load_library
from nudgebot.content.problems import ContentError, Problem
from nudgebot.content.store import ContentStore

logger = logging.getLogger(__name__)

Snapshot = frozenset[tuple[str, int, int]]


@dataclass(frozen=True)
class ReloadOutcome:
    """What a reload did: the new library went live, or the old one stayed for these errors."""

    applied: bool
    errors: list[Problem]
    retired_tips: frozenset[str] = frozenset()


class ContentReloader:
    """Watches the content folder's files and swaps in a new library when it is valid."""

    def __init__(self, store: ContentStore, directory: Path) -> None:
        self._store = store
        self._directory = directory
        self._seen = self._snapshot()

    def _snapshot(self) -> Snapshot:
        # Name, modification time and size of every YAML file: cheap to take every few
        # seconds, and it notices added, removed and edited files alike.
        entries = set()
        for pattern in ("*.yaml", "*.yml"):
            for path in self._directory.rglob(pattern):
                try:
                    status = path.stat()
                except FileNotFoundError:  # removed while we looked
                    continue
                entries.add((str(path), status.st_mtime_ns, status.st_size))
        return frozenset(entries)

    def reload_if_changed(self) -> ReloadOutcome | None:
        """Reload when any file changed since the last look; None when nothing did."""
        snapshot = self._snapshot()
        if snapshot == self._seen:
            return None
        self._seen = snapshot
        return self.reload()

    def reload(self) -> ReloadOutcome:
        """Load the folder now; apply it only if it is valid."""
        try:
            library = load_library(self._directory)
        except ContentError as error:
            errors = error.problems
        else:
            errors = []
        if errors:
            report = "\n".join(str(problem) for problem in errors)
            logger.error("content reload failed, the previous library stays live:\n%s", report)
            return ReloadOutcome(applied=False, errors=errors)
        retired = frozenset(self._store.library.tips) - frozenset(library.tips)
        self._store.replace(library)
        logger.info(
            "content reloaded: %d topics, %d tips%s",
            len(library.topics),
            len(library.tips),
            f"; retired {', '.join(sorted(retired))}" if retired else "",
        )
        return ReloadOutcome(applied=True, errors=[], retired_tips=retired)
