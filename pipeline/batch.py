"""Many coroutines' Redis commands in one round trip: `Coalescer`.

A push to 100,000 chats claims and records ~600,000 ledger parts, one small command
each, from thousands of workers at once. Sent one by one, every command pays
redis-py's whole path (a pooled connection taken and given back, a socket write, a
wakeup for its reply): at 1,000 messages a second that was a third of the push's CPU
(bench/push_cost.py). The coalescer queues the commands that arrive while a round
trip is under way and sends them together as one pipeline (no MULTI: each command
stays what it was, a Lua script still atomic on its own), so the cost per command
falls as the load rises, and a lone command still goes out at once.

Each caller gets its own command's reply, or its own error (`raise_on_error=False`);
a pipeline that fails as a whole (a connection lost) fails each of its callers with
that error, as the same commands sent one by one would have. A caller cancelled while
its command is on the wire leaves it to run, as with a single command.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol


class _Pipelining(Protocol):
    def pipeline(self, transaction: Any = ..., shard_hint: Any = ...) -> Any: ...


_Waiting = tuple[tuple[Any, ...], asyncio.Future[Any]]


class Coalescer:
    """Commands queued while `in_flight` pipelines are under way go out in the next one,
    at most `max_batch` to a pipeline, on the client `client()` returns at that moment."""

    def __init__(
        self, client: Callable[[], _Pipelining], *, in_flight: int = 2, max_batch: int = 256
    ) -> None:
        self.client = client
        self.in_flight = max(1, in_flight)
        self.max_batch = max(1, max_batch)
        self._queue: list[_Waiting] = []
        self._running: set[asyncio.Task[None]] = set()

    async def execute(self, *args: Any) -> Any:
        """Run one command (`execute_command` arguments); its reply, or its error raised."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((args, future))
        if len(self._running) < self.in_flight:
            self._start()
        return await future

    def _start(self) -> None:
        batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
        task = asyncio.get_running_loop().create_task(self._run(batch))
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._queue and len(self._running) < self.in_flight:
            self._start()

    async def _run(self, batch: list[_Waiting]) -> None:
        try:
            async with self.client().pipeline(transaction=False) as pipe:
                for args, _ in batch:
                    pipe.execute_command(*args)
                replies = await pipe.execute(raise_on_error=False)
        except BaseException as exc:  # the round trip failed: so did each command in it
            for _, future in batch:
                if future.done():
                    continue
                if isinstance(exc, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), reply in zip(batch, replies, strict=True):
            if future.done():  # its caller was cancelled
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)
