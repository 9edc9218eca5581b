"""Uploaded photos and documents, kept so tests can fetch the bytes back."""

from __future__ import annotations

import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredFile:
    """One uploaded file and the identifiers Telegram would give it."""

    kind: str
    file_id: str
    file_unique_id: str
    filename: str
    mime_type: str
    body: bytes
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        """Its size in bytes."""
        return len(self.body)


class FileStore:
    """Files by file_id; ids keep increasing across resets so an old id never comes back."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._numbers = itertools.count(1)

    def add(
        self, kind: str, filename: str, mime_type: str, body: bytes, size: tuple[int, int] = (0, 0)
    ) -> StoredFile:
        """Store `body` and give it ids shaped like `<kind>-<n>`."""
        file_id, file_unique_id = self.new_ids(kind)
        stored = StoredFile(
            kind=kind,
            file_id=file_id,
            file_unique_id=file_unique_id,
            filename=filename,
            mime_type=mime_type,
            body=body,
            width=size[0],
            height=size[1],
        )
        self._files[stored.file_id] = stored
        return stored

    def new_ids(self, kind: str) -> tuple[str, str]:
        """A fresh (file_id, file_unique_id) pair, for a file the sandbox holds no bytes of."""
        number = next(self._numbers)
        return f"{kind}-{number}", f"u{number}"

    def get(self, file_id: str) -> StoredFile | None:
        """The file with that id, if the sandbox has it."""
        return self._files.get(file_id)

    def clear(self) -> None:
        """Forget every file."""
        self._files.clear()
