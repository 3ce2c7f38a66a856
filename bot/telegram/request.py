"""The push's HTTP transport to the Bot API: python-telegram-bot's `BaseRequest` on httpx.

PTB's own `HTTPXRequest` is right for the interactive bot, but at push rates two of
its costs are ours to avoid (measured by bench/push_cost.py):

- it posts every method as an urlencoded form: for a 4 KB HTML part, the stdlib's
  character-by-character quoting costs more CPU than the rest of the send. This
  class posts the same parameters as one JSON body (the Bot API takes both);
- httpcore's pool looks at every queued request and every connection (a syscall
  each) whenever a request starts or ends: thousands of sends waiting on a pool of
  hundreds cost O(n^2). Here the `pool` connections are split over small httpx
  clients of `SHARD` connections, taken in turn, and a semaphore per client lets
  no more sends in than it has connections, so nothing ever queues inside httpcore.

`BaseRequest` is PTB's documented interface for a custom transport; errors are
mapped as `HTTPXRequest` maps them (TimedOut, NetworkError), so `classify` is unchanged.
"""

from __future__ import annotations

import asyncio
import json

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}
SHARD = 16  # connections per httpx client: httpcore's per-request work grows with this


class _Shard:
    """One small httpx client and the gate that keeps its pool from queueing."""

    __slots__ = ("client", "gate")

    def __init__(self, client: httpx.AsyncClient, size: int) -> None:
        self.client = client
        self.gate = asyncio.Semaphore(size)


class PushRequest(BaseRequest):
    """JSON bodies over `pool` keep-alive connections in small httpx clients, never over-queued."""

    __slots__ = ("_next", "_pool", "_shards", "_timeout")

    def __init__(
        self,
        pool: int,
        *,
        connect_timeout: float = 10,
        read_timeout: float = 20,
        write_timeout: float = 20,
        pool_timeout: float = 30,
    ) -> None:
        self._timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=write_timeout, pool=pool_timeout
        )
        self._pool = max(1, pool)
        self._shards = self._build()
        self._next = 0

    def _build(self) -> list[_Shard]:
        headers = {"User-Agent": self.USER_AGENT}
        tls = httpx.create_ssl_context()  # one for all: loading the CA bundle takes ~40 ms
        sizes = [SHARD] * (self._pool // SHARD) + (
            [self._pool % SHARD] if self._pool % SHARD else []
        )
        return [
            _Shard(
                httpx.AsyncClient(
                    timeout=self._timeout,
                    limits=httpx.Limits(max_connections=n, max_keepalive_connections=n),
                    headers=headers,
                    verify=tls,
                ),
                n,
            )
            for n in sizes
        ]

    def _shard(self) -> _Shard:
        """The next client in turn, preferring one with a free connection."""
        shards = self._shards
        for _ in range(len(shards)):
            self._next = (self._next + 1) % len(shards)
            shard = shards[self._next]
            if not shard.gate.locked():
                return shard
        return shards[self._next]

    @property
    def read_timeout(self) -> float | None:
        return self._timeout.read

    async def initialize(self) -> None:
        if self._shards[0].client.is_closed:
            self._shards = self._build()

    async def shutdown(self) -> None:
        for shard in self._shards:
            if not shard.client.is_closed:
                await shard.client.aclose()

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
        shard = self._shard()
        if shard.client.is_closed:
            raise RuntimeError("This PushRequest is not initialized!")
        default = self._timeout
        timeout = httpx.Timeout(
            connect=_pick(connect_timeout, default.connect),
            read=_pick(read_timeout, default.read),
            write=_pick(write_timeout, default.write),
            pool=_pick(pool_timeout, default.pool),
        )
        try:
            async with shard.gate:
                if request_data is not None and request_data.contains_files:
                    res = await shard.client.request(
                        method,
                        url,
                        timeout=timeout,
                        files=request_data.multipart_data,
                        data=request_data.json_parameters,
                    )
                else:
                    # `parameters` are plain JSON values (PTB's `json_payload` would nest
                    # JSON-encoded strings); one UTF-8 body as the Bot API documents
                    params = request_data.parameters if request_data is not None else {}
                    body = json.dumps(params, ensure_ascii=False).encode()
                    res = await shard.client.request(
                        method, url, timeout=timeout, content=body, headers=_JSON
                    )
        except httpx.TimeoutException as err:
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return res.status_code, res.content


def _pick(value: object, default: float | None) -> float | None:
    """A timeout given to the call (a number, or None for none), else this transport's."""
    if value is None:
        return None
    return float(value) if isinstance(value, int | float) else default
