"""python-telegram-bot's HTTP transport, on aiohttp instead of httpx.

Measured against the sandbox on this project's 2-core machine, httpx completes about 400
requests a second and aiohttp about 3,300 with the same 16 connections: httpx's connection
pool does bookkeeping over every connection on every request. The bot's own throughput target
(1,000 messages a second, Telegram's paid ceiling) is out of reach with httpx, so the bot speaks
through this transport; PTB documents `BaseRequest` as the place to swap the HTTP library.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0
MEDIA_WRITE_TIMEOUT = 20.0


def _seconds(value: object, default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE for "use your default"; anything else is the caller's value."""
    if isinstance(value, (int, float)) or value is None:
        return value
    return default


class AiohttpRequest(BaseRequest):
    """One aiohttp session with up to `connection_pool_size` keep-alive connections."""

    def __init__(
        self,
        connection_pool_size: int = 16,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        write_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default time to wait for Telegram's answer."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (in the running event loop, as aiohttp requires)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(  # noqa: PLR0917 - the signature is PTB's
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; map aiohttp's failures to PTB's TimedOut and NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else {}
        body: aiohttp.FormData | dict[str, str] | None = None
        if files:
            body = aiohttp.FormData()
            for name, value in (request_data.json_parameters if request_data else {}).items():
                body.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        elif request_data is not None:
            body = request_data.json_parameters
        write = _seconds(write_timeout, MEDIA_WRITE_TIMEOUT if files else self._write_timeout)
        connect = _seconds(connect_timeout, self._connect_timeout)
        pool = _seconds(pool_timeout, None)
        timeout = aiohttp.ClientTimeout(
            # Waiting for a free connection, then connecting: nothing has been sent yet.
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            # aiohttp has no separate write timeout; the socket read timeout covers the wait.
            sock_read=_max(_seconds(read_timeout, self._read_timeout), write),
        )
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            # The connection never opened, so the request was not sent: safe to retry.
            raise TimedOut(
                "Pool timeout: no connection could be opened; the request was *not* sent"
            ) from error
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _max(first: float | None, second: float | None) -> float | None:
    if first is None or second is None:
        return None
    return max(first, second)
