"""Hostile HTTP input to `aidaily serve` (issue 10, "HTTP input"), over real sockets on 127.0.0.1.

Malformed bodies get a 4xx and one log line before any work; a client that hangs
up mid-body is DEBUG and counted; slow-drip headers and bodies time out; open
connections are capped; Feishu signatures older than 5 minutes are refused and an
event without an event_id is answered once. Every test is bounded in clients and time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from bot import http_guard
from bot.feishu.events import FeishuEvents, signature
from bot.http import create_app
from bot.metrics import Metrics
from pipeline.config import Settings
from pipeline.store import Store
from tests.factories import make_digest
from tests.fakes.feishu_server import FeishuFake
from tests.fakes.live_app import live
from tests.integration.test_feishu_events import TOKEN, message_event

pytestmark = pytest.mark.integration

KEY = "encrypt-key-456"
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def fake() -> Iterator[FeishuFake]:
    with FeishuFake() as server:
        yield server


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="uvicorn")
    return caplog


@asynccontextmanager
async def site(
    store: Store,
    settings: Settings,
    metrics: Metrics,
    **kwargs: Any,
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    app = create_app(settings, store, metrics=metrics, **kwargs)
    async with live(app, metrics) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield client, base


def feishu_settings(
    make_settings: Callable[..., Settings], fake: FeishuFake, key: str | None = None
) -> Settings:
    env = {
        "FEISHU_APP_ID": fake.app_id,
        "FEISHU_APP_SECRET": fake.app_secret,
        "FEISHU_VERIFICATION_TOKEN": TOKEN,
    }
    if key:
        env["FEISHU_ENCRYPT_KEY"] = key
    return make_settings({"feishu": {"domain": fake.url, "events": "http"}}, env)


def refused(metrics: Metrics, reason: str) -> float:
    return metrics.http_refused.labels(reason=reason)._value.get()


def no_traceback(logs: pytest.LogCaptureFixture) -> None:
    assert [r for r in logs.records if r.exc_info or r.levelno >= logging.ERROR] == []


# -- malformed bodies ----------------------------------------------------------------------


async def test_malformed_feishu_bodies_are_a_4xx_and_one_line(
    store: Store, make_settings: Callable[..., Settings], fake: FeishuFake, logs: Any
) -> None:
    settings = feishu_settings(make_settings, fake)
    event_five = {**message_event("ev-1", "/today"), "event": 5}
    content_five = message_event("ev-2", "/today")
    content_five["event"]["message"]["content"] = 5
    metrics = Metrics()
    async with site(store, settings, metrics, feishu_events=FeishuEvents(settings, store)) as (
        client,
        _,
    ):
        statuses = []
        for body in (DEEP, json.dumps(event_five).encode(), json.dumps(content_five).encode()):
            logs.clear()
            resp = await client.post("/feishu/events", content=body)
            statuses.append(resp.status_code)
            warnings = [r for r in logs.records if r.levelno == logging.WARNING]
            assert len(warnings) == 1, [r.getMessage() for r in logs.records]
            no_traceback(logs)

    assert statuses == [400, 400, 400]
    assert fake.replies == []


@pytest.mark.parametrize(
    "body",
    [DEEP, b'{"a":' * 33 + b"1" + b"}" * 33, b"[" * 999 + b"]" * 999, b"[" * 5000 + b"]" * 5000],
    ids=["100000-deep", "33-deep", "999-deep", "5000-deep"],
)
def test_deep_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(http_guard.Refused) as info:
        http_guard.load_object(body)
    assert info.value.status == 400 and "nested deeper than 32" in str(info.value)


def test_brackets_inside_strings_do_not_count() -> None:
    body = json.dumps({"text": "[" * 1000, "entities": [{"offset": 0}]}).encode()
    assert http_guard.load_object(body)["entities"] == [{"offset": 0}]


async def test_malformed_telegram_updates_are_400_not_500(
    store: Store, make_settings: Callable[..., Settings], logs: Any
) -> None:
    from bot.telegram.bot import build_application
    from tests.fakes.telegram_server import FakeTelegram

    async with FakeTelegram() as tg:
        env = {"TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_WEBHOOK_SECRET": "s3cret"}
        settings = make_settings({"telegram": {"base_url": tg.base_url, "mode": "webhook"}}, env)
        app = build_application(settings, store)
        await app.initialize()
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        bodies = [
            b'{"message":5}',
            b'{"update_id": 7, "message": 5}',
            b'{"update_id": 7, "message": {"chat": "x"}}',
            DEEP,
            b"[1, 2]",
        ]
        try:
            async with site(store, settings, Metrics(), telegram_app=app) as (client, base):
                statuses = [
                    (await client.post("/telegram/webhook", content=b, headers=headers)).status_code
                    for b in bodies
                ]
                # No secret, a body announced and never sent: answered at once, not after
                # the body timeout, because the secret is checked before the body is read.
                head = (
                    b"POST /telegram/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 900000\r\n\r\n"
                )
                reader, writer = await raw(base, head + b"[[[")
                unsigned = await asyncio.wait_for(reader.readline(), timeout=2)
                writer.close()
        finally:
            await app.shutdown()

    assert statuses == [400] * len(bodies)
    assert unsigned.startswith(b"HTTP/1.1 403 ")
    no_traceback(logs)


# -- Feishu: replays and repeats -------------------------------------------------------------


def signed(body: bytes, at: float) -> dict[str, str]:
    ts, nonce = str(int(at)), "n-1"
    return {
        "X-Lark-Request-Timestamp": ts,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": signature(ts, nonce, KEY, body),
    }


async def test_signatures_older_or_newer_than_five_minutes_are_refused(
    store: Store, make_settings: Callable[..., Settings], fake: FeishuFake
) -> None:
    await store.save_digest(make_digest(), [])
    settings = feishu_settings(make_settings, fake, key=KEY)
    events = FeishuEvents(settings, store)
    body = json.dumps(message_event("ev-old", "@_user_1 /today")).encode()
    now = time.time()
    async with site(store, settings, Metrics(), feishu_events=events) as (client, _):
        years_old = await client.post("/feishu/events", content=body, headers=signed(body, 1e9))
        stale = await client.post("/feishu/events", content=body, headers=signed(body, now - 330))
        ahead = await client.post("/feishu/events", content=body, headers=signed(body, now + 330))
        fresh = await client.post("/feishu/events", content=body, headers=signed(body, now - 60))
        await events.drain()

    assert [r.status_code for r in (years_old, stale, ahead)] == [401, 401, 401]
    assert "old" in years_old.json()["msg"] and "ahead" in ahead.json()["msg"]
    assert fresh.status_code == 200
    assert len(fake.replies) >= 1  # the fresh one, once


async def test_an_event_without_event_id_is_answered_once(
    store: Store, make_settings: Callable[..., Settings], fake: FeishuFake
) -> None:
    await store.save_digest(make_digest(), [])
    settings = feishu_settings(make_settings, fake)
    events = FeishuEvents(settings, store)
    payload = message_event("", "@_user_1 /intl", message_id="om_same")
    del payload["header"]["event_id"]
    async with site(store, settings, Metrics(), feishu_events=events) as (client, _):
        for _ in range(3):
            assert (await client.post("/feishu/events", json=payload)).status_code == 200
        await events.drain()
        once = len(fake.replies)
        other = message_event("", "@_user_1 /intl", message_id="om_other")
        del other["header"]["event_id"]
        await client.post("/feishu/events", json=other)
        await events.drain()

    assert once >= 1 and len(fake.replies) == 2 * once


# -- the connection level: disconnects, slow drips, floods -------------------------------------


async def raw(base: str, data: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(data)
    await writer.drain()
    return reader, writer


def post_head(length: int) -> bytes:
    return (
        f"POST /feishu/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


async def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.02)
    return check()


async def test_a_client_that_hangs_up_mid_body_is_debug_and_counted(
    store: Store, make_settings: Callable[..., Settings], fake: FeishuFake, logs: Any
) -> None:
    settings = feishu_settings(make_settings, fake)
    metrics = Metrics()
    aborts = 20
    async with site(store, settings, metrics, feishu_events=FeishuEvents(settings, store)) as (
        _,
        base,
    ):
        for _ in range(aborts):
            _, writer = await raw(base, post_head(5000) + b'{"schema": "2.0", ')
            await asyncio.sleep(0.01)  # the handler is reading the body
            writer.close()
            await writer.wait_closed()
        counted = await wait_until(lambda: refused(metrics, "client_disconnect") == aborts)

    assert counted, refused(metrics, "client_disconnect")
    no_traceback(logs)
    gone = [r for r in logs.records if "client disconnected" in r.getMessage()]
    assert len(gone) == aborts and {r.levelno for r in gone} == {logging.DEBUG}


async def test_slow_drip_headers_and_bodies_time_out(
    store: Store,
    make_settings: Callable[..., Settings],
    fake: FeishuFake,
    monkeypatch: pytest.MonkeyPatch,
    logs: Any,
) -> None:
    monkeypatch.setattr(http_guard, "HEADER_TIMEOUT_S", 0.5)
    monkeypatch.setattr(http_guard, "BODY_TIMEOUT_S", 0.5)
    settings = feishu_settings(make_settings, fake)
    metrics = Metrics()
    clients = 10
    async with site(store, settings, metrics, feishu_events=FeishuEvents(settings, store)) as (
        _,
        base,
    ):
        started = time.monotonic()
        heads = [
            await raw(base, b"POST /feishu/events HTTP/1.1\r\nHost: x") for _ in range(clients)
        ]
        bodies = [await raw(base, post_head(100) + b"{") for _ in range(clients)]
        silent = [await raw(base, b"") for _ in range(clients)]
        answers = await asyncio.wait_for(
            asyncio.gather(*(reader.read() for reader, _ in heads + bodies)), timeout=5
        )
        hangups = await asyncio.wait_for(
            asyncio.gather(*(reader.read() for reader, _ in silent)), timeout=5
        )
        took = time.monotonic() - started
        for _, writer in heads + bodies + silent:
            writer.close()

    assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), answers[:2]
    assert hangups == [b""] * clients  # never said a word: closed without one
    assert took < 3
    assert refused(metrics, "header_timeout") == 2 * clients
    assert refused(metrics, "body_timeout") == clients
    no_traceback(logs)


async def test_open_connections_are_capped(
    store: Store, make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_guard, "MAX_CONNECTIONS", 8)
    metrics = Metrics()
    async with site(store, make_settings(), metrics) as (client, base):
        idle = [await raw(base, b"") for _ in range(8)]  # at the cap, doing nothing
        extra = [await raw(base, b"") for _ in range(4)]
        turned_away = await asyncio.wait_for(
            asyncio.gather(*(reader.read() for reader, _ in extra)), timeout=5
        )
        for _, writer in idle + extra:
            writer.close()
        # The cap frees as connections close: the service answers again.
        await wait_until(lambda: False, timeout=0.2)
        after = await client.get("/healthz")

    assert all(a.startswith(b"HTTP/1.1 503 ") for a in turned_away), turned_away
    assert refused(metrics, "too_many_connections") == 4
    assert after.status_code == 200
