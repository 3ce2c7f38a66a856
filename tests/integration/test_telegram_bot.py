"""The Telegram bot end to end: python-telegram-bot polling a fake Bot API server.

Updates go in through getUpdates, answers come out through sendMessage; the
store is a real Redis.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.commands import BOT_COMMANDS, ChatContext, Commands, Reply
from bot.telegram.bot import (
    SORRY,
    ChatSender,
    TelegramApp,
    build_application,
    handle_webhook,
    start_telegram,
    stop_telegram,
)
from bot.telegram.push import push_bot
from pipeline.config import Settings
from pipeline.models import Digest, Subscriber
from pipeline.render import View, render_telegram
from pipeline.store import Store
from tests.factories import make_digest
from tests.fakes.telegram_server import TOKEN, FakeTelegram, Sent

ADMIN = 4242
GROUP = -100500


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def settings(tg: FakeTelegram, make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(
        {"telegram": {"base_url": tg.base_url, "admins": [ADMIN]}},
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "s3cret"},
    )


@pytest.fixture
async def digest(store: Store) -> Digest:
    day = make_digest()
    await store.save_digest(day, [])
    return day


@pytest.fixture
async def app(settings: Settings, store: Store, digest: Digest) -> AsyncIterator[TelegramApp]:
    # One update at a time, in order: a later answer proves an earlier update was handled.
    application = build_application(settings, store, concurrent_updates=1)
    await start_telegram(application, settings, poll_timeout=1)
    yield application
    await stop_telegram(application)


async def ask(tg: FakeTelegram, chat_id: int, text: str, parts: int = 1, **kw: Any) -> list[Sent]:
    """Send a command from a chat and wait for `parts` new answers there."""
    before = len(tg.to(chat_id))
    tg.command(chat_id, text, **kw)
    got = await tg.wait_sent(before + parts, chat_id)
    return got[before:]


async def quiet(tg: FakeTelegram, chat_id: int, text: str, **kw: Any) -> list[Sent]:
    """Send a command the bot should ignore; a /help after it proves nothing else came."""
    before = len(tg.to(chat_id))
    tg.command(chat_id, text, **kw)
    await ask(tg, 1, "/help")  # processed after the ignored one (updates go in order)
    return tg.to(chat_id)[before:]


async def test_commands_are_registered_and_today_answers_in_html(
    tg: FakeTelegram, app: TelegramApp, digest: Digest
) -> None:
    assert [c["command"] for c in tg.commands] == [name for name, _ in BOT_COMMANDS]
    expected = render_telegram(digest, View(note=None))
    answers = await ask(tg, 7, "/today", parts=len(expected))
    assert all(a.parse_mode == "HTML" and a.link_preview_disabled for a in answers)
    whole = "\n".join(a.text for a in answers)
    for item in digest.items:
        assert f"{item.n}. " in whole or f"{item.n}、" in whole
    assert all(a.reply_to is None for a in answers)  # private chats get no quote


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("/why 99", "/why 1 到 /why 27"),
        ("/why abc", "用法：/why N"),
        ("/why", "用法：/why N"),
        ("/date 2026-13-45", "用法：/date YYYY-MM-DD"),
        ("/date 2025-01-01", "没有 2025-01-01 的日报"),
        ("/foo", "/today"),
        ("/stats", "仅限管理员"),
    ],
)
async def test_bad_input_gets_a_short_useful_answer(
    tg: FakeTelegram, app: TelegramApp, text: str, says: str
) -> None:
    (answer,) = await ask(tg, 8, text)
    assert says in answer.text


async def test_why_names_the_item_its_source_and_link(
    tg: FakeTelegram, app: TelegramApp, digest: Digest
) -> None:
    item = digest.item(3)
    assert item is not None
    answers = await ask(tg, 9, "/why 3")
    text = answers[0].text
    assert item.source in text and item.link in text and item.category in text


async def test_start_subscribes_and_stop_unsubscribes(
    tg: FakeTelegram, app: TelegramApp, store: Store
) -> None:
    (hello,) = await ask(tg, 11, "/start")
    assert "订阅成功" in hello.text
    sub = await store.get_subscriber("telegram", "11")
    assert sub is not None and sub.active and sub.type == "private"
    (bye,) = await ask(tg, 11, "/stop")
    assert "已退订" in bye.text
    sub = await store.get_subscriber("telegram", "11")
    assert sub is not None and not sub.active


async def test_group_commands_need_our_name_and_get_a_reply(
    tg: FakeTelegram, app: TelegramApp, store: Store
) -> None:
    answers = await ask(tg, GROUP, "/start@AidailyBot", chat_type="supergroup", title="AI 读书会")
    assert answers[0].reply_to is not None
    sub = await store.get_subscriber("telegram", str(GROUP))
    assert sub is not None and sub.title == "AI 读书会" and sub.type == "supergroup"
    (why,) = await ask(tg, GROUP, "/why@AidailyBot 99", chat_type="supergroup")
    assert "/why 27" in why.text
    assert await quiet(tg, GROUP, "/today@OtherBot", chat_type="supergroup") == []
    assert await quiet(tg, GROUP, "/foo", chat_type="supergroup") == []
    (unknown,) = await ask(tg, GROUP, "/foo@AidailyBot", chat_type="supergroup")
    assert "/today" in unknown.text


async def test_only_group_admins_change_group_settings(
    tg: FakeTelegram, app: TelegramApp, store: Store
) -> None:
    await ask(tg, GROUP, "/start@AidailyBot", chat_type="group", user_id=1)
    (refused,) = await ask(
        tg, GROUP, "/settings@AidailyBot mode brief", chat_type="group", user_id=1
    )
    assert "只有群管理员" in refused.text
    tg.admins[GROUP].add(2)
    (done,) = await ask(tg, GROUP, "/settings@AidailyBot mode brief", chat_type="group", user_id=2)
    assert "已更新" in done.text
    sub = await store.get_subscriber("telegram", str(GROUP))
    assert sub is not None and sub.settings.mode == "brief"
    (shown,) = await ask(tg, GROUP, "/settings@AidailyBot", chat_type="group", user_id=1)
    assert "精简版" in shown.text


async def test_settings_in_private_chats(tg: FakeTelegram, app: TelegramApp, store: Store) -> None:
    await ask(tg, 12, "/start")
    (bad,) = await ask(tg, 12, "/settings time 25:00")
    assert "HH:MM" in bad.text
    await ask(tg, 12, "/settings time 07:30")
    await ask(tg, 12, "/settings sections intl")
    sub = await store.get_subscriber("telegram", "12")
    assert (
        sub is not None
        and sub.settings.push_time == "07:30"
        and sub.settings.sections == ["international"]
    )


async def test_stats_for_configured_admins(tg: FakeTelegram, app: TelegramApp) -> None:
    (stats,) = await ask(tg, ADMIN, "/stats")
    assert "运行状态" in stats.text and "订阅" in stats.text


async def test_a_failing_command_is_apologised_for_and_the_bot_goes_on(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    class Broken(Commands):
        async def handle(self, ctx: ChatContext, text: str) -> Reply:
            if text.startswith("/today"):
                raise RuntimeError("boom")
            return await super().handle(ctx, text)

    application = build_application(settings, store, Broken(store, settings))
    await start_telegram(application, settings, poll_timeout=1)
    try:
        (sorry,) = await ask(tg, 13, "/today")
        assert sorry.text == SORRY
        (fine,) = await ask(tg, 13, "/why 99")
        assert "/why 27" in fine.text
    finally:
        await stop_telegram(application)


async def test_a_chat_that_blocked_the_bot_is_unsubscribed(
    tg: FakeTelegram, app: TelegramApp, store: Store
) -> None:
    await ask(tg, 14, "/start")
    tg.faults.blocked.add(14)
    tg.command(14, "/today")
    await ask(tg, 1, "/help")  # the blocked chat's update was handled before this one
    sub = await store.get_subscriber("telegram", "14")
    assert sub is not None and not sub.active


async def test_webhook_checks_the_secret_and_feeds_the_app(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    application = build_application(settings, store)
    await application.initialize()
    await application.start()
    try:
        update = {
            "update_id": 1,
            "message": {
                "message_id": 5,
                "date": int(datetime.now(UTC).timestamp()),
                "chat": {"id": 15, "type": "private", "first_name": "用户"},
                "from": {"id": 15, "is_bot": False, "first_name": "用户"},
                "text": "/why 99",
                "entities": [{"type": "bot_command", "offset": 0, "length": 4}],
            },
        }
        body = json.dumps(update).encode()
        assert await handle_webhook(application, body, "wrong", "s3cret") == 403
        assert await handle_webhook(application, body, None, "s3cret") == 403
        assert await handle_webhook(application, body, "s3cret", None) == 403
        assert await handle_webhook(application, b"{not json", "s3cret", "s3cret") == 400
        assert await handle_webhook(application, body, "s3cret", "s3cret") == 200
        (answer,) = await tg.wait_sent(1, 15)
        assert "/why 27" in answer.text
    finally:
        await application.stop()
        await application.shutdown()


async def test_invalid_html_falls_back_to_plain_text_once(
    tg: FakeTelegram, settings: Settings, store: Store
) -> None:
    async with push_bot(settings) as bot:
        await ChatSender(bot, store, 16).send(0, "<b>未闭合的标签 &amp; 符号")
    (sent,) = tg.to(16)
    assert sent.parse_mode is None and sent.text == "未闭合的标签 & 符号"


async def test_migrated_group_moves_its_subscription(
    tg: FakeTelegram, settings: Settings, store: Store
) -> None:
    since = datetime.now(UTC)
    await store.save_subscriber(
        Subscriber(channel="telegram", chat_id="-17", type="group", since=since)
    )
    tg.faults.migrated[-17] = -10017
    async with push_bot(settings) as bot:
        sender = ChatSender(bot, store, -17)
        await sender.send(0, "<b>日报</b>")
    assert sender.chat_id == -10017 and tg.texts(-10017) == ["<b>日报</b>"]
    assert await store.get_subscriber("telegram", "-17") is None
    moved = await store.get_subscriber("telegram", "-10017")
    assert moved is not None and moved.active and moved.type == "supergroup"
