"""Feishu events end to end: POST /feishu/events over real HTTP (uvicorn), the SDK's event
dispatcher, and the long connection through lark-oapi's ws client; replies go through
the real lark-oapi client to a fake Feishu."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import lark_oapi as lark
import pytest
import uvicorn
from Crypto.Cipher import AES
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.commands import ChatContext, Reply
from bot.feishu.buttons import reply_cards
from bot.feishu.events import FeishuEvents, signature
from pipeline.config import Settings
from pipeline.models import Digest
from pipeline.render import View, WhyNotes
from pipeline.store import Store
from tests.factories import make_digest
from tests.fakes.feishu_server import FeishuFake

pytestmark = pytest.mark.integration
TOKEN = "v-token-123"
KEY = "encrypt-key-456"


@pytest.fixture
def fake() -> Iterator[FeishuFake]:
    with FeishuFake() as server:
        yield server


def events_settings(
    make_settings: Callable[..., Settings],
    fake: FeishuFake,
    *,
    key: str | None = None,
    admins: list[str] | None = None,
) -> Settings:
    env = {
        "FEISHU_APP_ID": fake.app_id,
        "FEISHU_APP_SECRET": fake.app_secret,
        "FEISHU_VERIFICATION_TOKEN": TOKEN,
    }
    if key:
        env["FEISHU_ENCRYPT_KEY"] = key
    feishu = {"domain": fake.url, "events": "http", "admins": admins or []}
    return make_settings({"feishu": feishu}, env)


def encrypt(key: str, payload: dict[str, Any]) -> str:
    """Feishu's event encryption, written independently of the code under test."""
    raw = json.dumps(payload).encode()
    pad = 16 - len(raw) % 16
    iv = os.urandom(16)
    cipher = AES.new(hashlib.sha256(key.encode()).digest(), AES.MODE_CBC, iv)
    return base64.b64encode(iv + cipher.encrypt(raw + bytes([pad]) * pad)).decode()


def message_event(
    event_id: str,
    text: str,
    *,
    chat_type: str = "group",
    mention: str | None = "ou_bot_aidaily",
    token: str = TOKEN,
    message_id: str = "om_in_1",
) -> dict[str, Any]:
    mentions = [
        {
            "key": "@_user_1",
            "id": {"open_id": mention, "union_id": "on_x"},
            "name": "AI日报",
            "tenant_key": "t",
        }
    ]
    message = {
        "message_id": message_id,
        "root_id": "",
        "parent_id": "",
        "create_time": "1770076800000",
        "chat_id": "oc_team",
        "chat_type": chat_type,
        "message_type": "text",
        "content": json.dumps({"text": text}, ensure_ascii=False),
        "mentions": mentions if mention else [],
    }
    return {
        "schema": "2.0",
        "header": {
            "event_id": event_id,
            "token": token,
            "create_time": "1770076800000",
            "event_type": "im.message.receive_v1",
            "tenant_key": "t",
            "app_id": "cli_x",
        },
        "event": {
            "sender": {
                "sender_id": {"open_id": "ou_user", "union_id": "on_user"},
                "sender_type": "user",
            },
            "message": message,
        },
    }


@asynccontextmanager
async def serving(events: FeishuEvents) -> AsyncIterator[httpx.AsyncClient]:
    """POST /feishu/events on a real uvicorn server in this test's loop (the Store lives here)."""

    async def endpoint(request: Request) -> JSONResponse:
        status, body = await events.handle_http(await request.body(), request.headers)
        return JSONResponse(body, status_code=status)

    app = Starlette(routes=[Route("/feishu/events", endpoint, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        server.should_exit = True
        await task


def cards(digest: Digest, view: View) -> list[dict[str, Any]]:
    """A digest as the app bot answers it: the cards and their buttons."""
    return reply_cards(Reply(digest=digest, view=view))


async def stored(store: Store) -> Digest:
    digest = make_digest()
    await store.save_digest(digest, [])
    return digest


async def test_url_verification_challenge(make_settings, store, fake):
    events = FeishuEvents(events_settings(make_settings, fake), store)
    async with serving(events) as http:
        ok = await http.post(
            "/feishu/events", json={"challenge": "c-1", "token": TOKEN, "type": "url_verification"}
        )
        bad = await http.post(
            "/feishu/events", json={"challenge": "c-2", "token": "nope", "type": "url_verification"}
        )
    assert ok.status_code == 200 and ok.json() == {"challenge": "c-1"}
    assert bad.status_code == 403 and "challenge" not in bad.json()


async def test_encrypted_url_verification_challenge(make_settings, store, fake):
    events = FeishuEvents(events_settings(make_settings, fake, key=KEY), store)
    body = {
        "encrypt": encrypt(KEY, {"challenge": "c-3", "token": TOKEN, "type": "url_verification"})
    }
    async with serving(events) as http:
        resp = await http.post("/feishu/events", json=body)
        garbage = await http.post(
            "/feishu/events", json={"encrypt": encrypt("other-key", {"type": "x"})}
        )
    assert resp.status_code == 200 and resp.json() == {"challenge": "c-3"}
    assert garbage.status_code == 400


async def test_group_mention_gets_a_reply_once_per_event_id(make_settings, store, fake):
    digest = await stored(store)
    events = FeishuEvents(events_settings(make_settings, fake), store)
    event = message_event("ev-1", "@_user_1 /today")
    async with serving(events) as http:
        first = await http.post("/feishu/events", json=event)
        again = await http.post("/feishu/events", json=event)  # Feishu retries
        await events.drain()
    assert first.status_code == again.status_code == 200
    ctx = ChatContext(channel="feishu", chat_id="oc_team", chat_type="group")
    expected = reply_cards(await events.commands.handle(ctx, "/today"))  # with its "not today" note
    assert [r.reply_to for r in fake.replies] == ["om_in_1"] * len(expected)
    assert [r.content for r in fake.replies] == expected
    assert "【国内动态】" in json.dumps(expected, ensure_ascii=False)
    assert all(r.msg_type == "interactive" for r in fake.replies)
    assert await store.get_shown("feishu", "oc_team") == digest.date


async def test_stats_and_group_settings_are_for_feishu_admins(make_settings, store, fake):
    await stored(store)
    events = FeishuEvents(events_settings(make_settings, fake, admins=["ou_boss"]), store)
    asks = [
        ("ev-a1", "@_user_1 /start", "ou_user"),
        ("ev-a2", "@_user_1 /settings mode brief", "ou_user"),
        ("ev-a3", "@_user_1 /stats", "ou_user"),
        ("ev-a4", "@_user_1 /settings mode brief", "ou_boss"),
        ("ev-a5", "@_user_1 /stats", "ou_boss"),
    ]
    async with serving(events) as http:
        for event_id, text, user in asks:
            event = message_event(event_id, text, message_id=event_id)
            event["event"]["sender"]["sender_id"]["open_id"] = user
            assert (await http.post("/feishu/events", json=event)).status_code == 200
            await events.drain()
    answers = {r.reply_to: json.dumps(r.content, ensure_ascii=False) for r in fake.replies}
    assert "只有群管理员" in answers["ev-a2"]
    assert "仅限管理员" in answers["ev-a3"]
    assert "已更新" in answers["ev-a4"]
    assert "运行状态" in answers["ev-a5"]
    sub = await store.get_subscriber("feishu", "oc_team")
    assert sub is not None and sub.settings.mode == "brief"


async def test_private_why_n_is_answered_with_the_reason(make_settings, store, fake):
    digest = await stored(store)
    events = FeishuEvents(events_settings(make_settings, fake), store)
    event = message_event("ev-2", "/why 3", chat_type="p2p", mention=None)
    async with serving(events) as http:
        assert (await http.post("/feishu/events", json=event)).status_code == 200
        await events.drain()
    item = digest.item(3)
    assert item is not None
    # with the item's votes, as /why shows them everywhere (none yet), and its vote buttons
    expected = reply_cards(Reply(digest=digest, why=item, notes=WhyNotes()))
    assert [r.content for r in fake.replies] == expected


async def test_group_messages_not_addressed_to_the_bot_are_ignored(make_settings, store, fake):
    await stored(store)
    events = FeishuEvents(events_settings(make_settings, fake), store)
    async with serving(events) as http:
        await http.post(
            "/feishu/events",
            json=message_event("ev-3", "@_user_1 /today", mention="ou_someone_else"),
        )
        await http.post("/feishu/events", json=message_event("ev-4", "/today", mention=None))
        await events.drain()
    assert fake.replies == [] and fake.requests["reply"] == 0


async def test_wrong_token_is_rejected_with_no_reply(make_settings, store, fake):
    await stored(store)
    events = FeishuEvents(events_settings(make_settings, fake), store)
    async with serving(events) as http:
        resp = await http.post(
            "/feishu/events", json=message_event("ev-5", "@_user_1 /today", token="forged")
        )
        not_json = await http.post("/feishu/events", content=b"<xml/>")
        await events.drain()
    assert resp.status_code == 403 and not_json.status_code == 400
    assert fake.requests["reply"] == 0
    assert await store.first_event(
        "feishu", "ev-5"
    )  # never recorded: a genuine retry would still count


async def test_encrypted_signed_event_is_answered_and_a_bad_signature_is_not(
    make_settings, store, fake
):
    digest = await stored(store)
    events = FeishuEvents(events_settings(make_settings, fake, key=KEY), store)
    body = json.dumps({"encrypt": encrypt(KEY, message_event("ev-6", "@_user_1 /intl"))}).encode()
    ts, nonce = str(int(time.time())), "n-1"  # a fresh signature: older than 5 min is refused
    good = {
        "X-Lark-Request-Timestamp": ts,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": signature(ts, nonce, KEY, body),
    }
    forged = {**good, "X-Lark-Signature": "0" * 64}
    other = json.dumps({"encrypt": encrypt(KEY, message_event("ev-7", "@_user_1 /today"))}).encode()
    async with serving(events) as http:
        bad = await http.post("/feishu/events", content=other, headers=forged)
        unsigned = await http.post("/feishu/events", content=other)
        ok = await http.post("/feishu/events", content=body, headers=good)
        await events.drain()
    assert bad.status_code == 401 and unsigned.status_code == 401 and ok.status_code == 200
    assert [r.content for r in fake.replies] == cards(digest, View(section="international"))


async def test_sdk_dispatcher_hands_real_payloads_to_the_commands(make_settings, store, fake):
    digest = await stored(store)
    events = FeishuEvents(events_settings(make_settings, fake), store)
    events.attach(asyncio.get_running_loop())
    request = lark.RawRequest()
    request.uri = "/feishu/events"
    request.body = json.dumps(message_event("ev-8", "@_user_1 /brief")).encode()
    resp = events.dispatcher.do(request)
    assert resp.status_code == 200
    assert await asyncio.to_thread(fake.wait_for, lambda: len(fake.replies) >= 1)
    await events.drain()
    assert [r.content for r in fake.replies] == cards(digest, View(brief=True, brief_count=5))


async def test_long_connection_receives_events_and_stops_cleanly(make_settings, store, fake):
    digest = await stored(store)
    events = FeishuEvents(events_settings(make_settings, fake), store)
    events.start_ws(asyncio.get_running_loop())
    try:
        assert await asyncio.to_thread(fake.wait_for, lambda: fake.ws_connected)
        payload = json.dumps(message_event("ev-9", "@_user_1 /cn")).encode()
        await asyncio.to_thread(fake.push_event, payload)
        await asyncio.to_thread(fake.push_event, payload)  # redelivered: answered once
        assert await asyncio.to_thread(
            fake.wait_for, lambda: len(fake.ws_acks) == 2 and len(fake.replies) >= 1
        )
        await events.drain()
    finally:
        await events.aclose()
    assert [a["code"] for a in fake.ws_acks] == [200, 200]
    assert [r.content for r in fake.replies] == cards(digest, View(section="domestic"))
    assert events._ws_thread is not None and not events._ws_thread.is_alive()
    assert await asyncio.to_thread(fake.wait_for, lambda: not fake.ws_connected)
