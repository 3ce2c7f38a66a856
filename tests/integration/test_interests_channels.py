"""/like, /dislike, /follow, /mute, /following and /why: the same answers in Telegram, Feishu
and `aidaily chat`.

Each channel is driven as its users drive it: Telegram through python-telegram-bot
polling the fake Bot API, Feishu through POST /feishu/events and lark-oapi replying
to the fake Feishu, the terminal through `aidaily chat`'s own context. Answers are
read back as the user sees them (HTML or card markdown turned into plain text).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from html import unescape
from typing import Any

import pytest

from bot.commands import ChatContext, Commands, reply_to_text
from bot.feishu.events import FeishuEvents
from bot.telegram.bot import build_application, start_telegram, stop_telegram
from pipeline.config import Settings
from pipeline.store import Store
from tests.factories import FEEDS, make_digest
from tests.fakes.feishu_server import FeishuFake
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.integration.test_feishu_events import events_settings, message_event, serving

pytestmark = pytest.mark.integration

Say = Callable[[str], Awaitable[str]]

# What a user types, and what every channel answers (item 3 is not 36氪's; 27 items).
SCRIPT: list[tuple[str, str]] = [
    ("/follow", "用法：/follow 话题，例如 /follow 具身智能（含有它的条目排在前面并标 🔖）"),
    (
        "/follow 具身智能",
        "已关注「具身智能」：含有它的条目排在前面并标 🔖，日报未收录的相关报道也可能补充进来。",
    ),
    ("/mute source 36氪", "已屏蔽来源「36氪」：它的条目不再显示，日报开头会注明隐藏了几条。"),
    ("/mute 加密货币", "已屏蔽「加密货币」：含有它的条目不再显示，日报开头会注明隐藏了几条。"),
    ("/unmute 加密货币", "已取消屏蔽「加密货币」。"),
    ("/like 3", "第 3 条：已记录 👍（团队反馈 👍1 👎0）"),
    ("/dislike 3", "第 3 条：已改为 👎（团队反馈 👍0 👎1）"),
    ("/like 99", "没有第 99 条。2026-02-03 的日报共 27 条，请发送 /like 1 到 /like 27。"),
    (
        "/following",
        "本会话的关注与屏蔽\n🔖 关注（1/20）：具身智能\n🔇 屏蔽词：无\n🔇 屏蔽来源：36氪\n"
        "屏蔽共 1/50 项\n修改：/follow 话题 · /unfollow 话题 · /mute 词语 · "
        "/mute source 来源 · /unmute 词语 · /unmute source 来源",
    ),
]


def _plain_html(text: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", text))


def _plain_card(card: dict[str, Any]) -> str:
    return "\n".join(unescape(e["content"]) for e in card["elements"] if e.get("tag") == "markdown")


@pytest.fixture(params=["telegram", "feishu", "console"])
async def say(
    request: pytest.FixtureRequest, store: Store, make_settings: Callable[..., Settings]
) -> AsyncIterator[Say]:
    await store.save_digest(make_digest(), [])
    feeds = [
        {"id": fid, "name": name, "url": f"https://{fid}.example.com/feed", "region": region}
        for fid, (name, region) in FEEDS.items()
    ]
    base = make_settings

    def make_settings(data: dict[str, Any] | None = None, env: Any = None) -> Settings:
        return base({**(data or {}), "feeds": feeds}, env)

    async with AsyncExitStack() as stack:
        if request.param == "telegram":
            yield await _telegram(stack, store, make_settings)
        elif request.param == "feishu":
            yield await _feishu(stack, store, make_settings)
        else:
            commands = Commands(store, make_settings())
            # as `aidaily chat` sets it up (bot/cli.py cmd_chat)
            ctx = ChatContext(
                channel="console", chat_id="console", title="terminal", user_id="console",
                is_admin=True,
            )  # fmt: skip

            async def console(text: str) -> str:
                return reply_to_text(await commands.handle(ctx, text))

            yield console


async def _telegram(
    stack: AsyncExitStack, store: Store, make_settings: Callable[..., Settings]
) -> Say:
    tg = await stack.enter_async_context(FakeTelegram())
    settings = make_settings({"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": TOKEN})
    app = build_application(settings, store, concurrent_updates=1)
    await start_telegram(app, settings, poll_timeout=1)
    stack.push_async_callback(stop_telegram, app)

    async def telegram(text: str) -> str:
        before = len(tg.to(77))
        tg.command(77, text, user_id=77)
        got = await tg.wait_sent(before + 1, 77)
        return "\n".join(_plain_html(s.text) for s in got[before:])

    return telegram


async def _feishu(
    stack: AsyncExitStack, store: Store, make_settings: Callable[..., Settings]
) -> Say:
    fake = stack.enter_context(FeishuFake())
    events = FeishuEvents(events_settings(make_settings, fake), store)
    http = await stack.enter_async_context(serving(events))
    sent = iter(range(1, 1000))

    async def feishu(text: str) -> str:
        before = len(fake.replies)
        event_id = f"ev-{next(sent)}"
        event = message_event(event_id, text, chat_type="p2p", mention=None, message_id=event_id)
        assert (await http.post("/feishu/events", json=event)).status_code == 200
        await events.drain()
        return "\n".join(_plain_card(r.content) for r in fake.replies[before:])

    return feishu


async def test_the_same_words_get_the_same_answers(say: Say) -> None:
    for text, expected in SCRIPT:
        assert await say(text) == expected, text


async def test_why_and_today_show_the_votes_and_the_chats_view(say: Say) -> None:
    digest = make_digest()
    muted = [it for it in digest.items if it.source == "36氪"]
    await say("/follow 具身智能")
    await say("/mute source 36氪")
    await say("/dislike 3")

    why = await say("/why 3")
    assert "团队反馈：👍0 👎1" in why
    assert "本会话：因你关注「具身智能」而排在本板块前面（🔖）" in why

    today = (await say("/today")).replace("**", "")  # Feishu's bold numbers
    assert f"已按你的设置隐藏 {len(muted)} 条" in today
    assert re.search(r"(^|\n)3(、|\.) ?🔖", today), today[:500]
    for it in muted:
        assert not re.search(rf"(^|\n){it.n}(、|\.) ", today)
