"""The library currently live in the running bot."""

from __future__ import annotations

from nudgebot.content.library import ContentLibrary


class ContentStore:
    """Holds the live library; a reload swaps in a whole new one or leaves the old one live.

    Readers take `library` once per unit of work, so one message is always rendered from one
    consistent library even if a reload lands meanwhile.
    """

    def __init__(self, library: ContentLibrary) -> None:
        self._library = library

    @property
    def library(self) -> ContentLibrary:
        """The live library."""
        return self._library

    def replace(self, library: ContentLibrary) -> None:
        """Make `library` the live one."""
        self._library = library
