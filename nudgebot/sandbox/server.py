"""The sandbox server: Bot API and control API on one loopback port, in the current loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import tornado.httpserver
import tornado.netutil
import tornado.web

from nudgebot.sandbox.bot_api import BotApi
from nudgebot.sandbox.bot_handler import BotApiHandler, InFlight, log_request
from nudgebot.sandbox.config import SandboxConfig
from nudgebot.sandbox.control_api import NotFoundHandler, control_routes
from nudgebot.sandbox.state import SandboxState

_DRAIN_SECONDS = 2.0


class SandboxServer:
    """A local stand-in for api.telegram.org with a control API; single use (start, stop)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, config: SandboxConfig | None = None
    ) -> None:
        self._host = host
        self._requested_port = port
        self.state = SandboxState(config or SandboxConfig())
        self._stopping = asyncio.Event()
        self._in_flight = InFlight()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._port: int | None = None

    async def start(self) -> None:
        """Bind and start serving in the running asyncio loop."""
        if self._server is not None:
            raise RuntimeError("the sandbox server is already started")
        api = BotApi(self.state)
        bot_deps = {
            "state": self.state,
            "api": api,
            "stopping": self._stopping,
            "in_flight": self._in_flight,
        }
        application = tornado.web.Application(
            [
                (r"/bot([^/]*)/(.*)", BotApiHandler, bot_deps),
                *control_routes(self.state),
            ],
            default_handler_class=NotFoundHandler,
            default_handler_args={"state": self.state},
            log_function=log_request,
        )
        sockets = tornado.netutil.bind_sockets(
            self._requested_port, self._host, family=socket.AF_INET
        )
        self._port = int(sockets[0].getsockname()[1])
        self._server = tornado.httpserver.HTTPServer(application)
        self._server.add_sockets(sockets)

    async def stop(self) -> None:
        """Stop listening, end pending long polls and hung requests, close every connection."""
        if self._server is None:
            return
        self._stopping.set()
        self.state.updates.close()
        self._server.stop()
        # Woken polls and hung requests get a moment to answer or hang up before the cut.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_DRAIN_SECONDS):
                await self._in_flight.drained()
        await self._server.close_all_connections()
        self._server = None

    @property
    def port(self) -> int:
        """The port actually bound (useful with port=0)."""
        if self._port is None:
            raise RuntimeError("the sandbox server is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """Where the control API lives, e.g. http://127.0.0.1:PORT."""
        return f"http://{self._host}:{self.port}"

    @property
    def bot_api_url(self) -> str:
        """What python-telegram-bot's `base_url` takes: http://127.0.0.1:PORT/bot."""
        return f"{self.base_url}/bot"
