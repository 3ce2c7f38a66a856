"""Delivery after a crash and across forms of the digest, against a real Redis."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.delivery import Job, RetryPolicy, deliver
from bot.push import push
from bot.telegram.push import PUSH_CONCURRENCY
from pipeline.config import parse_settings
from pipeline.models import Subscriber
from pipeline.render import View, render_telegram
from pipeline.store import Store, Target, open_store
from tests.conftest import EXAMPLES
from tests.factories import make_digest
from tests.fakes.redis_process import RedisProcess
from tests.fakes.telegram_server import TOKEN, FakeTelegram

DAY = "2026-02-03"
FAST = RetryPolicy(max_attempts=2, backoff_base_s=0.001, backoff_max_s=0.01, max_wait_s=1.0)


class Inbox:
    def __init__(self) -> None:
        self.got: list[tuple[str, int, Any]] = []

    def job(self, target: str, parts: list[Any]) -> Job:
        async def send(i: int, part: Any) -> None:
            self.got.append((target, i, part))

        return Job(Target(*target.split(":", 1)), parts, send)


async def test_a_claim_left_by_a_crash_is_not_reported_as_success(store: Store) -> None:
    # A previous push (serve killed, or stopped past its 9 s deadline) left a claim on part 0.
    inbox = Inbox()
    job = inbox.job("telegram:1", ["第0部分", "第1部分"])
    await store.ledger_claim(job.key(DAY, 0), "crashed-host:123:dead", 600)

    report = await deliver(store, DAY, [job], policy=FAST)

    assert inbox.got == []  # the chat got nothing …
    assert not report.ok  # … so this push must not count as done (exit 1, retry later)


async def test_a_later_push_with_more_parts_does_not_send_a_headless_tail(store: Store) -> None:
    digest = make_digest()
    brief = render_telegram(digest, View(brief=True))
    full = render_telegram(digest, View())
    assert len(brief) == 1 and len(full) == 3
    inbox = Inbox()
    # 08:00: the chat is on brief mode and gets the one-part brief digest.
    await deliver(store, DAY, [inbox.job("telegram:7", brief)], policy=FAST)
    # Later the chat says /settings mode full and /settings time 21:00; at 21:00 the
    # per-chat push runs for it with the full rendering.
    await deliver(store, DAY, [inbox.job("telegram:7", full)], policy=FAST)

    # Either nothing more (already pushed today) or the whole digest — never parts 1..2 alone.
    assert [p for _, _, p in inbox.got[1:]] in ([], full)


# -- a pusher killed with -9, and a Redis outage mid-push (issue 10) ----------------

CHATS = 40


async def _seed(store: Store, chats: int = CHATS) -> tuple[str, list[str]]:
    """A stored digest and `chats` Telegram subscribers (ids 1…chats); (date, its parts)."""
    digest = make_digest()
    await store.save_digest(digest, [])
    since = datetime.now(UTC)
    for chat in range(1, chats + 1):
        await store.save_subscriber(Subscriber(channel="telegram", chat_id=str(chat), since=since))
    return digest.date, render_telegram(digest, View())


def _incomplete(tg: FakeTelegram, parts: list[str], chats: int = CHATS) -> list[int]:
    """Chats that did not get every part, in order (repeats ignored)."""
    return [c for c in range(1, chats + 1) if list(dict.fromkeys(tg.texts(c))) != parts]


async def test_kill_9_mid_push_then_a_rerun_completes_with_doubles_only_on_the_wire(
    redis_url: str, store: Store
) -> None:
    # `aidaily push` uses the default key prefix; the `store` fixture flushes the db after.
    store = Store(aioredis.from_url(redis_url), redis_url)
    day, parts = await _seed(store)
    async with FakeTelegram() as tg:
        env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": tg.base_url,
        }
        config = str(EXAMPLES / "demo.yaml")
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "push", "--config", config, "--date", day,
            env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await tg.wait_sent(len(parts) * CHATS // 3, timeout=60)
        finally:
            child.kill()  # SIGKILL: no grace, no clean-up
            await child.wait()
        assert len(tg.sent) < len(parts) * CHATS  # it really died part-way

        # The rerun finds the dead pusher's claims and takes them over once they age out
        # (claim_ttl_s: 30 s in production, 1 s here), without waiting for another push.
        settings = parse_settings(
            {"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": TOKEN}
        )
        rerun = await push(settings, store, day, channel="telegram", claim_ttl_s=1.0)

        assert rerun.ok and rerun.busy == 0
        assert _incomplete(tg, parts) == []
        # Only parts on the wire at the kill can arrive twice: at most the concurrency.
        assert tg.duplicates <= PUSH_CONCURRENCY
    await store.r.aclose()


async def test_redis_stopped_mid_push_sends_each_part_once_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    redis = RedisProcess(tmp_path)
    redis.start()
    store = await open_store(redis.url)
    try:
        day, parts = await _seed(store)
        async with FakeTelegram() as tg:
            settings = parse_settings(
                {"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": TOKEN}
            )
            caplog.set_level(logging.INFO)
            pushing = asyncio.create_task(push(settings, store, day, channel="telegram"))
            await tg.wait_sent(len(parts) * CHATS // 4, timeout=60)
            await asyncio.to_thread(redis.stop)  # Redis goes away mid-push …
            await asyncio.sleep(2.0)
            await asyncio.to_thread(redis.start)  # … and comes back
            report = await asyncio.wait_for(pushing, 120)
            again = await push(settings, store, day, channel="telegram")

        assert report.ok and _incomplete(tg, parts) == [] and tg.duplicates == 0
        assert again.sent == 0
        await store.ledger_flush()
        assert store.ledger_unrecorded() == 0  # every send is in Redis now
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert [r.name for r in warnings] == ["pipeline.store"], [r.getMessage() for r in warnings]
        assert "unreachable" in warnings[0].getMessage()
        assert not any(r.exc_info for r in caplog.records)  # no traceback
    finally:
        await store.close()
        redis.stop()


async def test_redis_away_longer_than_the_wait_leaves_the_target_for_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    redis = RedisProcess(tmp_path)
    redis.start()
    store = await open_store(redis.url)
    try:
        got: list[int] = []

        async def send(i: int, part: Any) -> None:
            got.append(i)
            if i == 0:
                await asyncio.to_thread(redis.stop)  # Redis goes away after the first part

        job = Job(Target("telegram", "1"), ["第0部分", "第1部分"], send)
        caplog.set_level(logging.INFO)
        report = await deliver(store, DAY, [job], policy=FAST, outage_wait_s=1.0)

        assert got == [0] and (report.sent, report.failed, report.ok) == (1, 1, False)
        assert store.ledger_unrecorded() == 1  # part 0 went out: kept until Redis is back
        assert not any(r.exc_info for r in caplog.records)
        await asyncio.to_thread(redis.start)
        await store.ledger_flush()
        again = await deliver(store, DAY, [job], policy=FAST)
        assert got == [0, 1] and (again.sent, again.skipped, again.ok) == (1, 1, True)
    finally:
        await store.close()
        redis.stop()
