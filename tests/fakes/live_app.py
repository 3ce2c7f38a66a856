"""Serve an ASGI app on a free 127.0.0.1 port inside the test's event loop.

    async with live(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client: ...

It uses the service's own `bind`, uvicorn config (with bot/http_guard.py's limits)
and uvicorn subclass, so the tests exercise the same listener `aidaily serve` opens.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.metrics import Metrics
from bot.service import _Uvicorn, bind, http_config


@asynccontextmanager
async def live(app: Any, metrics: Metrics | None = None) -> AsyncIterator[str]:
    """The app served by uvicorn on 127.0.0.1:<free port>; yields its base URL."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = http_config(app, metrics or Metrics())
    config.timeout_graceful_shutdown = 1
    server = _Uvicorn(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
