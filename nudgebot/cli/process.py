"""The command's process: its exit statuses, its start-up objects kept out of the garbage
collector's way, and its wait for a signal to stop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal

EXIT_CONTENT_ERRORS = 1
EXIT_SETUP_ERROR = 2


def freeze_startup_objects() -> None:
    """Keep everything loaded at start-up out of the garbage collector's full passes.

    Modules, the content library and the application are long-lived; scanning them in every
    full collection caused pauses of a few hundred milliseconds, long enough to bunch sends
    into a burst that Telegram's per-second limit refuses.
    """
    gc.collect()
    gc.freeze()


async def until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not available on every platform
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()
