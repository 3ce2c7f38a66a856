"""The whole service: started and stopped in-process, and `aidaily serve` as real processes.

What a user would notice: it answers HTTP while running; SIGTERM in the middle of
a push ends it within 10 s and a restart sends exactly what was missing; two
instances on one Redis build once and push each chat once.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import yaml

from bot.metrics import Metrics
from bot.service import Service
from pipeline.config import Settings
from pipeline.models import Subscriber
from pipeline.store import Store
from tests.conftest import EXAMPLES, ROOT
from tests.factories import make_digest
from tests.fakes.telegram_server import FakeTelegram

pytestmark = pytest.mark.integration

NOW = datetime(2026, 2, 3, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai: the day's push is due


async def fake_run(settings: Settings, day: date, store: Store) -> Any:
    digest = make_digest(date=day.isoformat(), generated_at=NOW)
    await store.save_digest(digest, [])
    return type("RunResult", (), {"digest": digest, "raw": []})()


async def test_the_service_answers_http_and_stops_cleanly(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings({"server": {"port": 0}})
    service = Service(settings, store, metrics=Metrics(), now=lambda: NOW, run_fn=fake_run)

    await service.start()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{service.port}") as client:
        health = await client.get("/healthz")
    started = time.monotonic()
    await service.stop()

    assert health.status_code == 200
    assert time.monotonic() - started < 10
    assert service.http_task is not None and service.http_task.done()


async def test_stop_in_the_middle_of_a_push_then_restart_sends_each_part_once(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    chats = list(range(5001, 5013))
    for chat in chats:
        await store.save_subscriber(Subscriber(channel="telegram", chat_id=str(chat), since=NOW))
    async with FakeTelegram() as tg:
        tg.faults.delay_s = 0.25  # a slow network: the push is still going when SIGTERM comes
        env = {"TELEGRAM_BOT_TOKEN": tg.token}
        settings = make_settings(
            {"server": {"port": 0}, "telegram": {"base_url": tg.base_url}}, env
        )
        first = Service(settings, store, metrics=Metrics(), now=lambda: NOW, run_fn=fake_run)
        await first.start()
        await tg.wait_sent(3)
        stopping = time.monotonic()
        await first.stop()
        stop_s = time.monotonic() - stopping
        sent_before_restart = len(tg.sent)

        tg.faults.delay_s = 0.0
        second = Service(settings, store, metrics=Metrics(), now=lambda: NOW, run_fn=fake_run)
        await second.start()
        outcome = await second.scheduler.tick()
        await second.stop()

    assert stop_s < 10
    assert 3 <= sent_before_restart < len(tg.sent)  # stopped mid-push, finished after restart
    assert outcome in ("pushed", "busy", "done")
    assert tg.duplicates == 0
    counts = {chat: len(tg.to(chat)) for chat in chats}
    assert len(set(counts.values())) == 1 and counts[chats[0]] >= 1, counts


# -- `aidaily serve` as real processes ----------------------------------------------------------


class Proc:
    """A running `aidaily serve`; its JSON log lines are collected as they come."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[dict[str, Any]] = []
        self._new = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            try:
                self.lines.append(json.loads(raw))
            except ValueError:
                self.lines.append({"msg": raw.decode(errors="replace").rstrip()})
            self._new.set()

    async def wait_log(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        async def until() -> re.Match[str]:
            while True:
                for line in self.lines:
                    found = re.search(pattern, str(line.get("msg", "")))
                    if found:
                        return found
                if self.proc.returncode is not None and self._reader.done():
                    raise AssertionError(
                        f"aidaily serve exited ({self.proc.returncode}): {self.messages()}"
                    )
                self._new.clear()
                await self._new.wait()

        return await asyncio.wait_for(until(), timeout)

    def messages(self) -> list[str]:
        return [str(line.get("msg", "")) for line in self.lines]

    async def terminate(self) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.proc.wait(), 15)
        await self._reader
        return code, time.monotonic() - started


async def start_serve(config: Path, env: dict[str, str]) -> Proc:
    exe = Path(sys.executable).parent / "aidaily"
    proc = await asyncio.create_subprocess_exec(
        str(exe),
        "serve",
        "--config",
        str(config),
        env=env,
        cwd=str(ROOT),
        stderr=asyncio.subprocess.PIPE,
    )
    return Proc(proc)


def serve_config(tmp_path: Path, telegram_base: str) -> Path:
    demo = yaml.safe_load((EXAMPLES / "demo.yaml").read_text(encoding="utf-8"))
    feeds = [f for f in demo["feeds"] if (EXAMPLES / f["url"][len("file://") :]).exists()]
    for feed in feeds:
        feed["url"] = (EXAMPLES / feed["url"][len("file://") :]).resolve().as_uri()
    config = {
        "timezone": "UTC",
        "digest": {"time": "00:00"},  # always past: a start is a catch-up
        "feeds": feeds,
        "server": {"host": "127.0.0.1", "port": 0},
        "telegram": {"base_url": telegram_base},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.skipif(
    not (Path(sys.executable).parent / "aidaily").exists(),
    reason="the aidaily console script is not installed in this venv",
)
async def test_two_serve_processes_then_sigterm_and_restart_push_each_chat_once(
    store: Store, redis_url: str, tmp_path: Path
) -> None:
    shared = Store(
        aioredis.from_url(redis_url), redis_url
    )  # the default key prefix, as `serve` uses
    chats = [7001, 7002, 7003]
    for chat in chats:
        await shared.save_subscriber(Subscriber(channel="telegram", chat_id=str(chat), since=NOW))
    today = datetime.now(UTC).date().isoformat()
    async with FakeTelegram() as tg:
        env = {**os.environ, "REDIS_URL": redis_url, "TELEGRAM_BOT_TOKEN": tg.token}
        for var in ("OPENAI_API_KEY", "FEISHU_APP_ID", "FEISHU_WEBHOOK_URL", "AIDAILY_HTTP_PORT"):
            env.pop(var, None)
        config = serve_config(tmp_path, tg.base_url)
        a, b = await start_serve(config, env), await start_serve(config, env)
        port = int((await a.wait_log(r"http: listening on http://127\.0\.0\.1:(\d+)")).group(1))
        await asyncio.gather(*(p.wait_log(r"schedule: start-up check") for p in (a, b)))
        while not await shared.get_marker(f"push:{today}"):  # the holder finishes its push
            await asyncio.wait_for(asyncio.shield(asyncio.sleep(0.05)), 1)
        async with httpx.AsyncClient() as client:
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
        stops = await asyncio.gather(a.terminate(), b.terminate())
        parts = {chat: len(tg.to(chat)) for chat in chats}

        again = await start_serve(config, env)
        restart = await again.wait_log(r"schedule: start-up check: (.*)")
        code, stop_s = await again.terminate()

    runs = [m for p in (a, b, again) for m in p.messages() if m.startswith(f"run {today}: ok")]
    assert health.status_code == 200, health.text
    assert [code for code, _ in stops] == [0, 0] and all(s < 10 for _, s in stops)
    assert len(runs) == 1, runs
    assert set(parts.values()) == {parts[chats[0]]} and parts[chats[0]] >= 1
    assert restart.group(1) == "today's digest was built and pushed already"
    assert code == 0 and stop_s < 10
    assert tg.duplicates == 0 and {chat: len(tg.to(chat)) for chat in chats} == parts
    await shared.r.flushdb()
    await shared.close()
