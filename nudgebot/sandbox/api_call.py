"""One Bot API call as a method handler sees it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from nudgebot.sandbox.parameters import Params


@dataclass(frozen=True)
class ApiCall:
    """The decoded parameters, the caller's token and bot id, when it arrived, if it hung up."""

    params: Params
    token: str
    bot_id: int
    now: float
    gone: asyncio.Event = field(default_factory=asyncio.Event)
