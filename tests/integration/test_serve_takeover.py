"""Two `aidaily serve` on one Redis (a node, then a cluster): one pushes; killed with -9
mid-push, the other takes over the rest within a minute and no chat gets a part twice.

The fake Bot API holds every send past the first third unanswered, so the instant of
the kill has nothing on the wire that Telegram delivered: any double would be ours.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from redis.asyncio.cluster import RedisCluster

from pipeline.models import Subscriber
from pipeline.render import View, render_telegram
from pipeline.store import Store
from tests.conftest import client_for
from tests.factories import make_digest
from tests.fakes.telegram_server import TOKEN, FakeTelegram

pytestmark = [pytest.mark.integration, pytest.mark.cluster_too]

CHATS = 30
TAKEOVER_S = 60.0  # the promise: the rest of the push resumes within a minute of the kill


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_serve(config: Path, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("wb") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "serve", "--config", str(config),
            env={**env, "AIDAILY_HTTP_PORT": str(free_port())},
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=sink,
        )  # fmt: skip


async def wait_for_line(log: Path, text: str, proc: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    while text not in log.read_text(errors="replace"):
        assert proc.returncode is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, f"no {text!r} in: {log.read_text(errors='replace')}"
        await asyncio.sleep(0.1)


async def test_when_the_pushing_instance_dies_another_finishes_within_a_minute(
    tmp_path: Path, redis_url: str, redis_kind: str
) -> None:
    # serve uses the default key prefix. The test Redis closes clients idle for 30 s,
    # so each phase opens its own.
    client = client_for(redis_url, redis_kind)
    store = Store(client, redis_url)
    today = datetime.now(UTC).date().isoformat()
    # built after today's cut-off (00:00 UTC): serve pushes it without building again
    digest = make_digest(date=today, timezone="UTC", generated_at=datetime.now(UTC))
    await store.save_digest(digest, [])
    since = datetime.now(UTC)
    for chat in range(1, CHATS + 1):
        await store.save_subscriber(Subscriber(channel="telegram", chat_id=str(chat), since=since))
    await client.aclose()
    parts = render_telegram(digest, View(brief_count=5))
    total = CHATS * len(parts)
    config = tmp_path / "serve.yaml"
    feed = {"id": "f", "name": "F", "url": "http://127.0.0.1:9/f.xml", "region": "domestic"}
    config.write_text(
        yaml.safe_dump(
            {
                "timezone": "UTC",
                "digest": {"time": "00:00", "brief": 5},
                "feeds": [feed],
                "server": {"host": "127.0.0.1"},
            }
        )
    )
    procs: list[asyncio.subprocess.Process] = []
    try:
        async with FakeTelegram() as tg:
            tg.faults.hold_after = total // 3
            env = {
                **os.environ,
                "REDIS_URL": redis_url,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": tg.base_url,
            }
            a_log, b_log = tmp_path / "a.err", tmp_path / "b.err"
            a = await start_serve(config, env, a_log)
            procs.append(a)
            await tg.wait_sent(total // 3, timeout=60)  # A is pushing; the rest is held
            b = await start_serve(config, env, b_log)
            procs.append(b)
            await wait_for_line(b_log, "another instance holds today's run", b)

            a.send_signal(signal.SIGKILL)  # no grace, no clean-up: its lock and claims stay
            await a.wait()
            tg.release_held()
            killed_at = time.monotonic()
            assert len(tg.sent) == total // 3  # nothing reached the chats while held

            rest = (total - total // 3) / 29 + 3 * 1.05  # B's own send time at 29/s
            await tg.wait_sent(total, timeout=TAKEOVER_S + rest)
            took = time.monotonic() - killed_at

            assert took < TAKEOVER_S + rest
            assert tg.duplicates == 0
            assert all(tg.texts(chat) == parts for chat in range(1, CHATS + 1))
            # B records the day as pushed, so no instance pushes it again
            client = client_for(redis_url, redis_kind)
            store = Store(client, redis_url)
            deadline = time.monotonic() + 30
            while not await store.get_marker(f"push:{today}"):
                assert time.monotonic() < deadline, b_log.read_text(errors="replace")
                await asyncio.sleep(0.2)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        if redis_kind == "cluster":
            await client.flushdb(target_nodes=RedisCluster.PRIMARIES)
        else:
            await client.flushdb()
        await client.aclose()
