"""Waiting for a condition the test cannot be told about directly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Yield to the loop until `condition` holds: a sync point, not a wait for time to pass."""
    async with asyncio.timeout(seconds):
        # The state lives inside the server, which has no event to offer; polling it is
        # the only way, and the timeout only bounds a failure.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)
