"""Serve an ASGI app on a free 127.0.0.1 port inside the test's event loop.

    async with live(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client: ...

It uses the service's own `bind` and uvicorn subclass, so the tests exercise the
same listener `aidaily serve` opens.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from bot.service import _Uvicorn, bind


@asynccontextmanager
async def live(app: Any) -> AsyncIterator[str]:
    """The app served by uvicorn on 127.0.0.1:<free port>; yields its base URL."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="off", log_config=None, access_log=False, timeout_graceful_shutdown=1
    )
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
