"""The push's HTTP transport to the Bot API: python-telegram-bot's `BaseRequest` on aiohttp.

PTB's own `HTTPXRequest` is right for the interactive bot, but a push sends
thousands of messages a second, where its costs decide how fast we can go
(measured by bench/push_cost.py, CPU per message on this machine):

- httpx + httpcore spend ~1.7 ms of CPU per request (pure-Python HTTP/1.1 and a
  pool that re-scans every queued request and connection, with a syscall each, as
  one starts or ends); aiohttp, with its C parser and a queue per host, ~0.25 ms;
- `HTTPXRequest` urlencodes every method as a form: for a 4 KB HTML part the
  stdlib's per-character quoting is ~1 ms. This class posts the same parameters
  as one UTF-8 JSON body, which the Bot API takes as well;
- `Bot.send_message` builds a `Message` from every answer (~0.3 ms) that a push
  never reads. `call` posts a method's parameters as they are and returns the
  answer's `result` as JSON, through PTB's own `BaseRequest.post`, so every error
  is mapped exactly as for `Bot.send_message` (RetryAfter, ChatMigrated,
  Forbidden, BadRequest …) and `bot.telegram.errors.classify` is unchanged.

`BaseRequest` is PTB's documented interface for a custom transport: a `Bot` on
this class (getMe, and any method) works as on `HTTPXRequest`. Transport errors are
mapped as `HTTPXRequest` maps them: a timeout is `TimedOut`, anything else
`NetworkError`.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# Not exported, but the only way into a `RequestData` (final) without converting each
# value again: the parameters here are plain JSON already. PTB is pinned <23 in pyproject.
from telegram.request._requestparameter import RequestParameter

_JSON = {"Content-Type": "application/json"}
_BODY = "\x00body"  # the one parameter of a `call` with an encoded body: no Bot API name


class PushRequest(BaseRequest):
    """JSON bodies over at most `pool` keep-alive connections (aiohttp); waiting sends queue
    first come, first served for a free connection, for up to `pool_timeout`."""

    __slots__ = ("_pool", "_session", "_timeout", "_timeouts")

    def __init__(
        self,
        pool: int,
        *,
        connect_timeout: float = 10,
        read_timeout: float = 20,
        write_timeout: float = 20,
        pool_timeout: float = 30,
    ) -> None:
        self._pool = max(1, pool)
        self._timeouts = (connect_timeout, read_timeout, write_timeout, pool_timeout)
        self._timeout = _timeout(*self._timeouts)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeout.sock_read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # made here, on the loop that will use it (aiohttp binds a session to its loop)
            connector = aiohttp.TCPConnector(limit=self._pool, limit_per_host=self._pool)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                headers={"User-Agent": self.USER_AGENT},
                json_serialize=_dumps,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def call(self, url: str, params: dict[str, Any] | bytes) -> Any:
        """POST `params` to a Bot API method `url`: plain JSON values, or a JSON body already
        encoded (a push sends one text to many chats and encodes it once); its `result`.

        Raises what `Bot` methods raise for the same answer (PTB maps the errors).
        """
        if isinstance(params, bytes):
            plain = [RequestParameter(_BODY, params, None)]
        else:
            plain = [RequestParameter(name, value, None) for name, value in params.items()]
        return await self.post(url, RequestData(plain))

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This PushRequest is not initialized!")
        given = (connect_timeout, read_timeout, write_timeout, pool_timeout)
        options: dict[str, Any] = {}  # the session's timeouts, unless the call names its own
        if any(value is not BaseRequest.DEFAULT_NONE for value in given):
            picked = (_pick(v, d) for v, d in zip(given, self._timeouts, strict=True))
            options["timeout"] = _timeout(*picked)
        body: aiohttp.FormData | bytes
        headers = None
        if request_data is not None and request_data.contains_files:
            body = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        else:
            # `parameters` are plain JSON values (PTB's `json_payload` would nest
            # JSON-encoded strings); one UTF-8 body, as the Bot API documents
            params = request_data.parameters if request_data is not None else {}
            raw = params.get(_BODY)
            body = raw if isinstance(raw, bytes) else _dumps(params).encode()
            headers = _JSON
        try:
            async with session.request(method, url, data=body, headers=headers, **options) as res:
                return res.status, await res.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _timeout(
    connect: float | None, read: float | None, write: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    """PTB's four timeouts in aiohttp's terms: `connect` covers waiting for a pooled
    connection plus opening one; aiohttp has no write timeout, so `total` bounds the
    whole request by the sum of all four (a peer that stops reading our body cannot
    hold a send for ever)."""
    parts = (connect, read, write, pool)
    total = None if None in parts else sum(p for p in parts if p is not None)
    waiting = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=connect, sock_read=read)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _pick(value: object, default: float | None) -> float | None:
    """A timeout given to the call (a number, or None for none), else this transport's."""
    if value is None:
        return None
    return float(value) if isinstance(value, int | float) else default
