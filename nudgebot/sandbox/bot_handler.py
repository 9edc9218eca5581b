"""The HTTP face of the emulated Bot API: `/bot<token>/<method>`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import tornado.web

from nudgebot.sandbox.api_call import ApiCall
from nudgebot.sandbox.bot_api import BotApi
from nudgebot.sandbox.errors import BotApiError, bad_request, not_found, unauthorized
from nudgebot.sandbox.faults import Fault
from nudgebot.sandbox.methods import MethodSpec, find_method
from nudgebot.sandbox.parameters import UploadedFile, decode_params
from nudgebot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"(\d+):[A-Za-z0-9_-]+")
_INJECTED_ERRORS = {
    Fault.ERROR_500: BotApiError(500, "Internal Server Error"),
    Fault.ERROR_502: BotApiError(502, "Bad Gateway"),
}
_UNANSWERED = {
    Fault.TIMEOUT: "injected fault: request left unanswered",
    Fault.DROP: "injected fault: connection dropped",
}


@dataclass(frozen=True)
class _RawRequest:
    """Parameters as they arrived, before decoding by type."""

    params: dict[str, Any]
    files: dict[str, UploadedFile]
    problem: str | None

    def summary(self) -> dict[str, Any]:
        """What the calls log shows if decoding never happens."""
        shown = {**self.files, **self.params}
        return {name: _loggable(value) for name, value in shown.items()}


class InFlight:
    """Counts Bot API requests being served, so a stopping server can let them answer."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        """Count one request for the duration of the block."""
        self._count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()

    async def drained(self) -> None:
        """Return once no request is being served."""
        await self._idle.wait()


class BotApiHandler(tornado.web.RequestHandler):
    """Decodes, runs, records and answers one Bot API request (or injects a fault)."""

    def initialize(
        self, state: SandboxState, api: BotApi, stopping: asyncio.Event, in_flight: InFlight
    ) -> None:
        self._state = state
        self._api = api
        self._stopping = stopping
        self._in_flight = in_flight
        self._gone = asyncio.Event()
        self._logged: dict[str, Any] = {}
        self.method_name = "?"

    async def get(self, token: str, method: str) -> None:
        with self._in_flight.track():
            await self._serve(token, method)

    async def post(self, token: str, method: str) -> None:
        with self._in_flight.track():
            await self._serve(token, method)

    def on_connection_close(self) -> None:
        self._gone.set()

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Tornado's own message includes the request URI, and with it the bot token.
        if typ is not None and value is not None:
            logger.error("bot api %s failed", self.method_name, exc_info=(typ, value, tb))

    async def _serve(self, token: str, method: str) -> None:
        arrived = time.time()
        spec = find_method(method)
        self.method_name = spec.name if spec else method
        fault = self._state.faults.draw(self._state.config)
        request = self._raw_request()
        self._logged = request.summary()
        try:
            result = await self._run(token, spec, fault, request, arrived)
            status, body = 200, {"ok": True, "result": result}
        except BotApiError as error:
            status, body = error.status, error.body()
        except Exception:
            # A sandbox bug must still look like a Telegram answer, and must not log the path.
            logger.exception("bot api %s failed", self.method_name)
            status, body = 500, BotApiError(500, "Internal Server Error").body()
        if fault in _UNANSWERED:
            self._record(arrived, None, _UNANSWERED[fault])
            if fault is Fault.TIMEOUT:
                await self._hang()
            self._abandon()
            return
        self._record(arrived, status, None if status == 200 else body["description"])
        if self._gone.is_set():
            self._abandon()
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    async def _run(
        self,
        token: str,
        spec: MethodSpec | None,
        fault: Fault,
        request: _RawRequest,
        arrived: float,
    ) -> Any:
        if fault in _INJECTED_ERRORS:
            # The fault stands in for a failing Telegram front end: the method never runs.
            raise _INJECTED_ERRORS[fault]
        spec = _resolve(token, spec)
        if request.problem:
            raise bad_request(request.problem)
        missing_text = "message text is empty" if spec.name == "sendMessage" else None
        params = decode_params(spec, request.params, request.files, missing_text=missing_text)
        self._logged = params.for_log()
        call = ApiCall(params, token, int(token.split(":", 1)[0]), arrived, self._gone)
        return await self._api.call(spec, call)

    def _raw_request(self) -> _RawRequest:
        request = self.request
        raw: dict[str, Any] = {
            name: values[-1].decode("utf-8", "replace")
            for name, values in request.query_arguments.items()
        }
        problem = None
        if request.headers.get("Content-Type", "").startswith("application/json"):
            try:
                decoded = json.loads(request.body or b"{}")
            except ValueError:
                decoded = None
            if isinstance(decoded, dict):
                raw.update(decoded)
            else:
                problem = "can't parse JSON object in the request body"
        else:
            raw.update(
                (name, values[-1].decode("utf-8", "replace"))
                for name, values in request.body_arguments.items()
            )
        files = {
            name: UploadedFile(parts[0].filename, parts[0].content_type, parts[0].body)
            for name, parts in request.files.items()
            if parts
        }
        return _RawRequest(raw, files, problem)

    def _record(self, at: float, status: int | None, description: str | None) -> None:
        self._state.calls.record(
            at=at,
            method=self.method_name,
            params=self._logged,
            status=status,
            description=description,
        )

    async def _hang(self) -> None:
        waiters = [
            asyncio.ensure_future(self._stopping.wait()),
            asyncio.ensure_future(self._gone.wait()),
        ]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _abandon(self) -> None:
        # Taking the stream away from tornado stops it from writing any answer.
        self.detach().close()


def _resolve(token: str, spec: MethodSpec | None) -> MethodSpec:
    if not _TOKEN.fullmatch(token):
        raise unauthorized()
    if spec is None:
        raise not_found()
    return spec


def _loggable(value: Any) -> Any:
    return value.summary() if isinstance(value, UploadedFile) else value


def log_request(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log, minus request paths: a Bot API path contains the token."""
    status = handler.get_status()
    if isinstance(handler, BotApiHandler):
        logger.debug("bot api %s -> %d", handler.method_name, status)
    elif handler.request.path.startswith("/sandbox/"):
        logger.debug("%s %s -> %d", handler.request.method, handler.request.path, status)
    else:
        logger.debug("%s (unrouted path) -> %d", handler.request.method, status)
