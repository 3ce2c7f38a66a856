"""Feishu card buttons end to end: `card.action.trigger` callbacks over HTTP (the service's
own app on uvicorn: POST /feishu/card and /feishu/events) and over the long connection
(lark-oapi's ws client, answers read back from its ack frames); replies in thread go
through the real lark-oapi client to the fake Feishu."""

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
import pytest
from Crypto.Cipher import AES

from bot.buttons import INVALID, STALE
from bot.commands import Reply
from bot.feishu.buttons import reply_cards
from bot.feishu.events import FeishuEvents, signature
from bot.feishu.push import FeishuChannel
from bot.http import create_app
from bot.metrics import Metrics
from pipeline.config import Settings
from pipeline.models import Digest
from pipeline.render import View, WhyNotes, render_feishu_listing, render_feishu_why
from pipeline.render.view import more_listing
from pipeline.store import Store
from tests.factories import make_digest, make_pool
from tests.fakes.feishu_server import FeishuFake, card_problem
from tests.fakes.live_app import live

pytestmark = pytest.mark.integration
TOKEN = "v-token-123"
KEY = "encrypt-key-456"
DAY = "2026-02-03"
CARD_MESSAGE = "om_card_1"


@pytest.fixture
def fake() -> Iterator[FeishuFake]:
    with FeishuFake() as server:
        yield server


def settings_for(
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


@pytest.fixture
async def digest(store: Store) -> Digest:
    day = make_digest()
    await store.save_digest(day, [])
    return day


def press(
    event_id: str,
    data: Any,
    *,
    token: str = TOKEN,
    message_id: str = CARD_MESSAGE,
    user: str = "ou_user",
) -> dict[str, Any]:
    """A `card.action.trigger` callback as Feishu sends it (schema 2.0)."""
    return {
        "schema": "2.0",
        "header": {
            "event_id": event_id,
            "token": token,
            "create_time": "1770076800000000",
            "event_type": "card.action.trigger",
            "tenant_key": "t",
            "app_id": "cli_x",
        },
        "event": {
            "operator": {"tenant_key": "t", "user_id": "u1", "open_id": user, "union_id": "on_u"},
            "token": f"c-{event_id}",
            "action": {"value": {"tap": data} if data is not None else {}, "tag": "button"},
            "host": "im_message",
            "context": {"open_message_id": message_id, "open_chat_id": "oc_team"},
        },
    }


@asynccontextmanager
async def serving(events: FeishuEvents, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The service's own HTTP app (its routes and guards) on a free port."""
    app = create_app(settings, events.store, metrics=Metrics(), feishu_events=events)
    async with live(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield client


def cards(digest: Digest, view: View) -> list[dict[str, Any]]:
    return reply_cards(Reply(digest=digest, view=view))


def buttons(card: dict[str, Any]) -> list[list[tuple[str, str]]]:
    """Each action row of a card as (label, callback data) pairs."""
    return [
        [(b["text"]["content"], b["value"]["tap"]) for b in e["actions"]]
        for e in card["elements"]
        if e["tag"] == "action"
    ]


BRIEF = View(brief=True, brief_count=5)


async def test_a_digest_card_carries_buttons_feishu_accepts(digest: Digest) -> None:
    full = cards(digest, View())
    assert all(card_problem(c) is None for c in full)
    rows = buttons(full[-1])
    assert rows[0] == [
        ("国内", f"c:{DAY}"),
        ("国际", f"i:{DAY}"),
        ("精简", f"b:{DAY}"),
        ("✓ 完整", f"f:{DAY}"),
    ]
    assert [d for row in rows[1:-1] for _, d in row] == [f"w:{DAY}:{i.n}" for i in digest.items]
    assert rows[-1] == [("更多 ▸", f"m:{DAY}")]


async def test_a_message_answer_carries_the_buttons(make_settings, store, fake, digest):
    settings = settings_for(make_settings, fake)
    events = FeishuEvents(settings, store)
    message = {
        "schema": "2.0",
        "header": {"event_id": "ev-m1", "token": TOKEN, "event_type": "im.message.receive_v1"},
        "event": {
            "sender": {"sender_id": {"open_id": "ou_user"}, "sender_type": "user"},
            "message": {
                "message_id": "om_in_1",
                "chat_id": "oc_dm",
                "chat_type": "p2p",
                "message_type": "text",
                "content": json.dumps({"text": "/brief"}),
            },
        },
    }
    async with serving(events, settings) as http:
        assert (await http.post("/feishu/events", json=message)).status_code == 200
        await events.drain()
    assert [r.content for r in fake.replies] == cards(digest, BRIEF)


@pytest.mark.parametrize("path", ["/feishu/card", "/feishu/events"])
async def test_a_view_switch_answers_with_the_updated_card(
    make_settings, store, fake, digest, path
):
    settings = settings_for(make_settings, fake)
    events = FeishuEvents(settings, store)
    async with serving(events, settings) as http:
        resp = await http.post(path, json=press("ev-1", f"b:{DAY}"))
        await events.drain()
    assert resp.status_code == 200
    (brief,) = cards(digest, BRIEF)
    assert resp.json() == {"card": {"type": "raw", "data": brief}}
    assert buttons(brief)[0][2] == ("✓ 精简", f"b:{DAY}")
    assert fake.replies == []  # in place: nothing new in the chat
    assert await store.get_shown("feishu", "oc_team") == DAY


async def test_a_view_too_long_for_one_card_continues_in_the_thread(make_settings, store, fake):
    big = make_digest(n_domestic=40, n_international=40)
    await store.save_digest(big, [])
    settings = settings_for(make_settings, fake)
    events = FeishuEvents(settings, store)
    expected = cards(big, View())
    assert len(expected) > 1
    async with serving(events, settings) as http:
        resp = await http.post("/feishu/card", json=press("ev-2", f"f:{DAY}"))
        await events.drain()
    assert resp.json() == {"card": {"type": "raw", "data": expected[0]}}
    assert buttons(expected[0]) == []  # the buttons travel on the last card
    assert [r.content for r in fake.replies] == expected[1:]
    assert {r.reply_to for r in fake.replies} == {CARD_MESSAGE}


async def test_why_is_replied_in_the_cards_thread(make_settings, store, fake, digest):
    settings = settings_for(make_settings, fake)
    events = FeishuEvents(settings, store)
    async with serving(events, settings) as http:
        resp = await http.post("/feishu/card", json=press("ev-3", f"w:{DAY}:4"))
        await events.drain()
    item = digest.item(4)
    assert item is not None and resp.status_code == 200 and "card" not in resp.json()
    expected = reply_cards(Reply(digest=digest, why=item, notes=WhyNotes()))
    assert [r.content for r in fake.replies] == expected
    why_card = render_feishu_why(digest, item, WhyNotes())[0]
    assert fake.replies[0].content["elements"][0] == why_card["elements"][0]
    assert buttons(fake.replies[0].content) == [[("👍 4", f"l:{DAY}:4"), ("👎 4", f"d:{DAY}:4")]]
    assert fake.replies[0].reply_to == CARD_MESSAGE


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("x:2026-02-03", INVALID),
        ("w:2026-02-03:abc", INVALID),
        ("w:2026-02-03:" + "1" * 70, INVALID),
        (None, INVALID),  # a value without our key
        (12, INVALID),  # not text
        ("b:2021-01-01", STALE),
        ("w:2026-02-03:99", "没有第 99 条"),
    ],
)
async def test_a_forged_or_stale_press_gets_a_toast(make_settings, store, fake, digest, data, says):
    settings = settings_for(make_settings, fake)
    events = FeishuEvents(settings, store)
    async with serving(events, settings) as http:
        resp = await http.post("/feishu/card", json=press("ev-4", data))
        await events.drain()
    assert resp.status_code == 200
    answer = resp.json()
    assert set(answer) == {"toast"} and says in answer["toast"]["content"]
    assert fake.replies == []


async def test_each_press_is_answered_once_and_a_double_tap_edits_once(
    make_settings, store, fake, digest
):
    settings = settings_for(make_settings, fake)
    events = FeishuEvents(settings, store)
    async with serving(events, settings) as http:
        first = await http.post("/feishu/card", json=press("ev-5", f"i:{DAY}"))
        retried = await http.post("/feishu/card", json=press("ev-5", f"i:{DAY}"))  # a retry
        double = await http.post("/feishu/card", json=press("ev-6", f"i:{DAY}"))  # a double tap
        why1 = await http.post("/feishu/card", json=press("ev-7", f"w:{DAY}:2"))
        why2 = await http.post("/feishu/card", json=press("ev-7", f"w:{DAY}:2"))
        await events.drain()
    assert "card" in first.json()
    assert retried.json() == {} and double.json() == {}
    assert why1.status_code == why2.status_code == 200
    assert len(fake.replies) == 1  # the why, once


async def test_a_forged_token_or_signature_is_refused_with_no_answer(
    make_settings, store, fake, digest
):
    settings = settings_for(make_settings, fake, key=KEY)
    events = FeishuEvents(settings, store)
    body = json.dumps({"encrypt": encrypt(KEY, press("ev-8", f"c:{DAY}"))}).encode()
    ts, nonce = str(int(time.time())), "n-1"
    good = {
        "X-Lark-Request-Timestamp": ts,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": signature(ts, nonce, KEY, body),
    }
    async with serving(events, settings) as http:
        forged = await http.post(
            "/feishu/card", content=body, headers={**good, "X-Lark-Signature": "0" * 64}
        )
        unsigned = await http.post("/feishu/card", content=body)
        token = await http.post("/feishu/card", json=press("ev-9", f"c:{DAY}", token="forged"))
        ok = await http.post("/feishu/card", content=body, headers=good)
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert token.status_code in (401, 403) and "card" not in token.json()
    assert ok.status_code == 200
    assert ok.json()["card"]["data"] == cards(digest, View(section="domestic"))[0]


async def test_the_long_connection_answers_a_press_in_its_ack(make_settings, store, fake, digest):
    settings = settings_for(make_settings, fake)
    events = FeishuEvents(settings, store)
    events.start_ws(asyncio.get_running_loop())
    try:
        assert await asyncio.to_thread(fake.wait_for, lambda: fake.ws_connected)
        await asyncio.to_thread(fake.push_event, json.dumps(press("ev-10", f"b:{DAY}")).encode())
        await asyncio.to_thread(fake.push_event, json.dumps(press("ev-11", "zz")).encode())
        assert await asyncio.to_thread(fake.wait_for, lambda: len(fake.ws_answers) == 2)
        await events.drain()
    finally:
        await events.aclose()
    switched, refused = fake.ws_answers
    assert switched["card"] == {"type": "raw", "data": cards(digest, BRIEF)[0]}
    assert refused == {"toast": {"type": "info", "content": INVALID}}


async def test_pushed_cards_carry_buttons_and_webhook_cards_do_not(
    make_settings, store, fake, digest
):
    env = {
        "FEISHU_APP_ID": fake.app_id,
        "FEISHU_APP_SECRET": fake.app_secret,
        "FEISHU_WEBHOOK_URL": fake.hook_url("hook-1"),
    }
    settings = make_settings({"feishu": {"domain": fake.url, "chats": ["oc_push"]}}, env)
    channel = FeishuChannel(settings, store)
    chat, hook = await channel.jobs(digest, None)
    assert chat.parts == cards(digest, View())
    assert buttons(chat.parts[-1])
    assert all(buttons(card) == [] for card in hook.parts)


def encrypt(key: str, payload: dict[str, Any]) -> str:
    """Feishu's event encryption, written independently of the code under test."""
    raw = json.dumps(payload).encode()
    pad = 16 - len(raw) % 16
    iv = os.urandom(16)
    cipher = AES.new(hashlib.sha256(key.encode()).digest(), AES.MODE_CBC, iv)
    return base64.b64encode(iv + cipher.encrypt(raw + bytes([pad]) * pad)).decode()


async def test_a_press_feishu_names_no_message_for_is_answered_in_the_chat(
    make_settings, store, fake, digest
):
    settings = settings_for(make_settings, fake)
    events = FeishuEvents(settings, store)
    event = press("ev-12", f"w:{DAY}:1")
    del event["event"]["context"]["open_message_id"]
    async with serving(events, settings) as http:
        resp = await http.post("/feishu/card", json=event)
        await events.drain()
    item = digest.item(1)
    assert item is not None and resp.json() == {}
    assert [(m.chat_id, m.content) for m in fake.messages] == [
        ("oc_team", card) for card in reply_cards(Reply(digest=digest, why=item, notes=WhyNotes()))
    ]


async def test_votes_are_toasts_once_per_user_over_http_and_ws(make_settings, store, fake, digest):
    settings = settings_for(make_settings, fake)
    events = FeishuEvents(settings, store)
    (brief,) = cards(digest, BRIEF)
    assert buttons(brief)[1] == [
        ("❓1 为什么", f"w:{DAY}:1"),
        ("👍 1", f"l:{DAY}:1"),
        ("👎 1", f"d:{DAY}:1"),
    ]
    async with serving(events, settings) as http:
        answers = [
            (await http.post("/feishu/card", json=press(ev, data, user=user))).json()
            for ev, data, user in [
                ("ev-v1", f"l:{DAY}:2", "ou_a"),
                ("ev-v2", f"l:{DAY}:2", "ou_a"),  # a double tap
                ("ev-v2", f"l:{DAY}:2", "ou_a"),  # Feishu's retry of that one
                ("ev-v3", f"d:{DAY}:2", "ou_b"),
            ]
        ]
    events.start_ws(asyncio.get_running_loop())
    try:
        assert await asyncio.to_thread(fake.wait_for, lambda: fake.ws_connected)
        payload = json.dumps(press("ev-v4", f"d:{DAY}:2", user="ou_a")).encode()
        await asyncio.to_thread(fake.push_event, payload)
        assert await asyncio.to_thread(fake.wait_for, lambda: len(fake.ws_answers) == 1)
    finally:
        await events.aclose()
    toasts = [a.get("toast", {}).get("content") for a in [*answers, *fake.ws_answers]]
    assert toasts == [
        "第 2 条：已记录 👍（团队反馈 👍1 👎0）",
        "第 2 条：你已投过 👍（团队反馈 👍1 👎0）",
        None,  # the retry: answered once already
        "第 2 条：已记录 👎（团队反馈 👍1 👎1）",
        "第 2 条：已改为 👎（团队反馈 👍0 👎2）",
    ]
    assert fake.replies == [] and fake.messages == []


async def test_more_is_replied_in_the_thread_with_its_stories_why(make_settings, store, fake):
    day = make_digest()
    pool = make_pool(day)
    await store.save_digest(day, [], pool=pool)
    settings = settings_for(make_settings, fake)
    events = FeishuEvents(settings, store)
    assert buttons(cards(day, View())[-1])[-1] == [("更多 ▸", f"m:{DAY}")]
    async with serving(events, settings) as http:
        resp = await http.post("/feishu/card", json=press("ev-m", f"m:{DAY}"))
        await events.drain()
    assert resp.json() == {}
    listing = render_feishu_listing(more_listing(day, pool, 1))
    (reply,) = fake.replies
    assert reply.content["elements"][: len(listing[0]["elements"])] == listing[0]["elements"]
    whys = [d for row in buttons(reply.content) for _, d in row]
    shown = [p.n for p in pool if p.section == "domestic"][:5]
    assert [f"w:{DAY}:{n}" for n in shown] == whys[:5]
