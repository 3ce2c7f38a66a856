"""Telegram buttons end to end: python-telegram-bot polling the fake Bot API, a real Redis.

A digest comes with an inline keyboard on its last message; a tap arrives as a
callback query, is answered once (answerCallbackQuery), and either edits the
tapped message (editMessageText), sends a new one, or only shows a toast.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.buttons import INVALID, STALE
from bot.commands import ChatContext, Commands, Reply
from bot.delivery import RetryPolicy, deliver
from bot.push import push
from bot.telegram.bot import (
    SORRY,
    TelegramApp,
    TelegramBot,
    build_application,
    handle_webhook,
    start_telegram,
    stop_telegram,
)
from bot.telegram.push import TelegramChannel, push_bot
from pipeline.config import Settings
from pipeline.models import Digest, Subscriber
from pipeline.render import (
    View,
    WhyNotes,
    render_telegram,
    render_telegram_listing,
    render_telegram_why,
)
from pipeline.render.view import more_listing
from pipeline.store import Store
from tests.factories import make_digest, make_pool
from tests.fakes.telegram_server import BOT_USERNAME, TOKEN, Answer, FakeTelegram, Sent

DAY = "2026-02-03"
GROUP = -100777


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def settings(tg: FakeTelegram, make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(
        {"telegram": {"base_url": tg.base_url}},
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "s3cret"},
    )


@pytest.fixture
async def digest(store: Store) -> Digest:
    day = make_digest()
    assert day.date == DAY
    await store.save_digest(day, [])
    return day


@pytest.fixture
async def app(settings: Settings, store: Store, digest: Digest) -> AsyncIterator[TelegramApp]:
    application = build_application(settings, store, concurrent_updates=1)
    await start_telegram(application, settings, poll_timeout=1)
    yield application
    await stop_telegram(application)


async def ask(tg: FakeTelegram, chat: int, text: str, parts: int, **kw: Any) -> list[Sent]:
    before = len(tg.to(chat))
    tg.command(chat, text, **kw)
    return (await tg.wait_sent(before + parts, chat))[before:]


async def settle(tg: FakeTelegram, app: TelegramApp) -> None:
    """Every update queued so far handled, and the edits and sends that follow taps done."""
    helper = 1
    before = len(tg.to(helper))
    tg.command(helper, "/help")  # updates go in order: the ones before it were handled
    await tg.wait_sent(before + 1, helper)
    await app.bot_data["aidaily"].drain()


async def press(
    tg: FakeTelegram, app: TelegramApp, chat: int, message_id: int, data: str, **kw: Any
) -> Answer:
    """Tap a button, wait for its answer and for everything that follows it."""
    query = tg.tap(chat, message_id, data, **kw)
    answer = await tg.wait_answered(query)
    await settle(tg, app)
    return answer


def labels(tg: FakeTelegram, chat: int, message_id: int) -> list[list[str]]:
    return [[b["text"] for b in row] for row in tg.keyboard(chat, message_id)]


def datas(tg: FakeTelegram, chat: int, message_id: int) -> list[str]:
    return [b["callback_data"] for row in tg.keyboard(chat, message_id) for b in row]


async def test_a_digest_carries_its_keyboard_on_the_last_message(
    tg: FakeTelegram, app: TelegramApp, digest: Digest
) -> None:
    parts = render_telegram(digest, View())
    sent = await ask(tg, 21, f"/date {DAY}", len(parts))
    assert [s.text for s in sent] == parts and len(parts) > 1
    assert all(s.reply_markup is None for s in sent[:-1])
    rows = labels(tg, 21, sent[-1].message_id)
    assert rows[0] == ["国内", "国际", "精简", "✓ 完整"]
    numbers = [label for row in rows[1:-1] for label in row]
    assert numbers == [f"❓{item.n}" for item in digest.items]
    assert rows[-1] == ["更多 ▸"]
    assert all(len(row) <= 6 for row in rows)  # fits a phone's width
    assert all(len(d.encode()) <= 64 for d in datas(tg, 21, sent[-1].message_id))


async def test_a_view_switch_edits_the_tapped_message_in_place(
    tg: FakeTelegram, app: TelegramApp, digest: Digest, store: Store
) -> None:
    sent = await ask(tg, 22, f"/date {DAY}", len(render_telegram(digest, View())))
    last = sent[-1].message_id
    answer = await press(tg, app, 22, last, f"b:{DAY}")
    assert answer.text is None  # the edit is the answer: no toast
    brief = render_telegram(digest, View(brief=True, brief_count=5))
    assert len(brief) == 1
    (edit,) = tg.edits
    assert (edit.chat_id, edit.message_id, edit.text) == (22, last, brief[0])
    assert labels(tg, 22, last)[0] == ["国内", "国际", "✓ 精简", "完整"]
    assert len(tg.to(22)) == len(sent)  # nothing new sent: edited in place
    assert await store.get_shown("telegram", "22") == DAY


async def test_a_longer_view_edits_the_first_part_and_sends_the_rest(
    tg: FakeTelegram, app: TelegramApp, digest: Digest
) -> None:
    sent = await ask(tg, 23, "/brief", 1)
    domestic = render_telegram(digest, View(section="domestic"))
    assert len(domestic) == 2
    await press(tg, app, 23, sent[0].message_id, f"c:{DAY}")
    assert [e.text for e in tg.edits] == [domestic[0]]
    assert tg.keyboard(23, sent[0].message_id) == []  # the keyboard moved to the new last part
    new = tg.to(23)[-1]
    assert new.text == domestic[1]
    assert labels(tg, 23, new.message_id)[0] == ["✓ 国内", "国际", "精简", "完整"]
    domestic_numbers = [f"❓{i.n}" for i in digest.sections.domestic]
    shown = [b for row in labels(tg, 23, new.message_id)[1:] for b in row if b.startswith("❓")]
    assert shown == domestic_numbers


async def test_full_from_the_brief_is_three_messages_the_tapped_one_first(
    tg: FakeTelegram, app: TelegramApp, digest: Digest
) -> None:
    (brief,) = await ask(tg, 33, "/brief", 1)
    full = render_telegram(digest, View())
    assert len(full) == 3
    await press(tg, app, 33, brief.message_id, f"f:{DAY}")
    assert [(e.message_id, e.text) for e in tg.edits] == [(brief.message_id, full[0])]
    later = tg.to(33)[1:]
    assert [m.text for m in later] == full[1:]
    assert later[0].reply_markup is None and later[1].reply_markup is not None
    assert labels(tg, 33, later[1].message_id)[0] == ["国内", "国际", "精简", "✓ 完整"]


async def test_why_is_one_tap_away_and_sent_as_a_new_message(
    tg: FakeTelegram, app: TelegramApp, digest: Digest
) -> None:
    sent = await ask(tg, 24, "/brief", 1)
    answer = await press(tg, app, 24, sent[0].message_id, f"w:{DAY}:3")
    item = digest.item(3)
    assert item is not None and answer.text is None
    assert tg.to(24)[-1].text == render_telegram_why(digest, item, WhyNotes())[0]
    assert labels(tg, 24, tg.to(24)[-1].message_id) == [["👍 3", "👎 3"]]
    assert tg.edits == []


async def test_a_tap_pins_its_digest_whatever_the_chat_saw_since(
    tg: FakeTelegram, app: TelegramApp, digest: Digest, store: Store
) -> None:
    older = make_digest(date="2026-02-02")
    await store.save_digest(older, [])
    sent = await ask(tg, 25, "/date 2026-02-02", len(render_telegram(older, View())))
    await ask(tg, 25, f"/date {DAY}", len(render_telegram(digest, View())))
    await press(tg, app, 25, sent[-1].message_id, "i:2026-02-02")
    assert tg.edits[0].text == render_telegram(older, View(section="international"))[0]
    assert await store.get_shown("telegram", "25") == "2026-02-02"


@pytest.mark.parametrize(
    ("data", "toast"),
    [
        ("x:2026-02-03", INVALID),  # unknown kind
        ("w:2026-02-03", INVALID),  # why without a number
        ("f:2026-02-03:4", INVALID),  # a number where none belongs
        ("w:2026-13-45:1", INVALID),  # not a date
        ("w:2026-02-03:0", INVALID),
        ("w:2026-02-03:" + "9" * 60, INVALID),  # over 64 bytes
        ("'; DROP TABLE", INVALID),
        ("", INVALID),
        ("f:2020-01-01", STALE),  # well formed, but no such digest (any more)
        ("w:2026-02-03:99", "没有第 99 条"),
    ],
)
async def test_a_forged_or_stale_tap_gets_a_short_toast_and_nothing_else(
    tg: FakeTelegram, app: TelegramApp, digest: Digest, data: str, toast: str
) -> None:
    sent = await ask(tg, 26, "/brief", 1)
    answer = await press(tg, app, 26, sent[0].message_id, data)
    assert answer.text is not None and toast in answer.text and len(answer.text) <= 200
    assert tg.edits == [] and len(tg.to(26)) == 1
    assert tg.refused_answers == 0


async def test_a_double_tap_is_answered_twice_and_edits_once(
    tg: FakeTelegram, app: TelegramApp, digest: Digest
) -> None:
    sent = await ask(tg, 27, "/brief", 1)
    first = tg.tap(27, sent[0].message_id, f"i:{DAY}")
    second = tg.tap(27, sent[0].message_id, f"i:{DAY}")
    await settle(tg, app)
    assert len(tg.answered(first)) == len(tg.answered(second)) == 1
    assert len(tg.edits) == 1 and tg.refused_answers == 0
    assert len(tg.to(27)) == 2  # the brief, and the second part of 国际动态
    third = tg.tap(27, sent[0].message_id, f"i:{DAY}")  # later, the same: still nothing to do
    await tg.wait_answered(third)
    await settle(tg, app)
    assert len(tg.edits) == 1 and len(tg.to(27)) == 2


async def test_tapping_the_view_already_shown_changes_nothing(
    tg: FakeTelegram, app: TelegramApp, digest: Digest
) -> None:
    sent = await ask(tg, 28, "/brief", 1)
    # 精简 under the brief: Telegram answers the edit "message is not modified"
    answer = await press(tg, app, 28, sent[0].message_id, f"b:{DAY}")
    assert answer.text is None and tg.edits == [] and len(tg.to(28)) == 1


async def test_a_message_that_cannot_be_edited_gets_the_view_as_new_messages(
    tg: FakeTelegram, app: TelegramApp, digest: Digest
) -> None:
    await press(tg, app, 29, 999_999, f"b:{DAY}")  # a message Telegram no longer has
    brief = render_telegram(digest, View(brief=True, brief_count=5))
    assert [s.text for s in tg.to(29)] == brief and tg.edits == []


async def test_buttons_work_in_groups_and_answers_reply_to_the_digest(
    tg: FakeTelegram, app: TelegramApp, digest: Digest
) -> None:
    sent = await ask(tg, GROUP, "/brief@AidailyBot", 1, chat_type="supergroup")
    await press(tg, app, GROUP, sent[0].message_id, f"w:{DAY}:2", chat_type="supergroup", user_id=5)
    why = tg.to(GROUP)[-1]
    assert why.reply_to == sent[0].message_id and "第 2 条" in why.text


async def test_a_tap_through_the_webhook_is_answered_and_edits(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    application = build_application(settings, store)
    await application.initialize()
    await application.start()
    try:
        parts, markup = application.bot_data["aidaily"].rendered(
            Reply(digest=digest, view=View(brief=True, brief_count=5))
        )
        sent = await application.bot.send_message(
            31, parts[0], parse_mode="HTML", reply_markup=markup
        )
        query = tg.tap(31, sent.message_id, f"i:{DAY}")
        update = tg.queued[-1]  # what Telegram would POST to the webhook
        body = json.dumps(update).encode()
        assert await handle_webhook(application, body, "s3cret", "s3cret") == 200
        answer = await tg.wait_answered(query)
        await application.bot_data["aidaily"].drain()
    finally:
        await application.stop()
        await application.shutdown()
    assert answer.text is None
    assert tg.edits[0].message_id == sent.message_id
    assert tg.edits[0].text == render_telegram(digest, View(section="international"))[0]


async def test_a_press_that_fails_inside_is_still_answered(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    class Broken(Commands):
        async def handle(self, ctx: ChatContext, text: str) -> Reply:
            if text.startswith(("/why", "/like")):
                raise RuntimeError("boom")
            return await super().handle(ctx, text)

    application = build_application(settings, store, Broken(store, settings), concurrent_updates=1)
    await start_telegram(application, settings, poll_timeout=1)
    try:
        (sent,) = await ask(tg, 32, "/brief", 1)
        vote = await press(tg, application, 32, sent.message_id, f"l:{DAY}:2")
        why = await press(tg, application, 32, sent.message_id, f"w:{DAY}:2")
    finally:
        await stop_telegram(application)
    # a vote is answered after its command: the failure is its toast, nothing is sent
    assert vote.text == SORRY and len(tg.answered(vote.query_id)) == 1
    # a why of a digest item is answered at once; its failure comes as the apology
    assert why.text is None and len(tg.answered(why.query_id)) == 1
    assert [m.text for m in tg.to(32)[1:]] == [SORRY]


async def test_the_push_carries_the_chats_keyboard(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    from datetime import UTC, datetime

    from pipeline.models import ChatSettings

    sub = Subscriber(
        channel="telegram",
        chat_id="30",
        since=datetime.now(UTC),
        settings=ChatSettings(mode="brief"),
    )
    await store.save_subscriber(sub)
    post = Subscriber(channel="telegram", chat_id="-100900", type="channel", since=sub.since)
    await store.save_subscriber(post)
    async with push_bot(settings) as bot:
        channel = TelegramChannel(settings, store, bot)
        fast = RetryPolicy(max_attempts=2, backoff_base_s=0.001, backoff_max_s=0.01)
        report = await deliver(store, DAY, await channel.jobs(digest, None), policy=fast)
    assert report.ok
    (pushed,) = tg.to(30)
    assert labels(tg, 30, pushed.message_id)[0] == ["国内", "国际", "✓ 精简", "完整"]
    handlers = TelegramBot(settings, store)
    _, markup = handlers.rendered(Reply(digest=digest, view=View(brief=True, brief_count=5)))
    assert markup is not None and pushed.reply_markup == markup.to_dict()
    # In a channel one reader's tap would change the post for everyone: no buttons there.
    assert tg.to(-100900) and all(m.reply_markup is None for m in tg.to(-100900))


async def test_votes_from_the_brief_are_toasts_and_count_once_per_user(
    tg: FakeTelegram, app: TelegramApp, digest: Digest, store: Store
) -> None:
    (brief,) = await ask(tg, 40, "/brief", 1)
    rows = labels(tg, 40, brief.message_id)
    assert rows[1] == ["❓1 为什么", "👍 1", "👎 1"]  # per item in the brief view
    toasts = [
        (await press(tg, app, 40, brief.message_id, data, user_id=user)).text
        for data, user in [
            (f"l:{DAY}:1", 1),
            (f"l:{DAY}:1", 1),  # a double tap
            (f"d:{DAY}:1", 1),  # changed
            (f"l:{DAY}:1", 2),  # someone else in the same chat
        ]
    ]
    assert toasts == [
        "第 1 条：已记录 👍（团队反馈 👍1 👎0）",
        "第 1 条：你已投过 👍（团队反馈 👍1 👎0）",
        "第 1 条：已改为 👎（团队反馈 👍0 👎1）",
        "第 1 条：已记录 👍（团队反馈 👍1 👎1）",
    ]
    assert tg.edits == [] and len(tg.to(40)) == 1  # votes send nothing
    tally = await store.item_votes(DAY, digest.items[0].id)
    assert (tally.up, tally.down) == (1, 1)
    # the why shows the votes, and carries the vote buttons itself
    await press(tg, app, 40, brief.message_id, f"w:{DAY}:1")
    why = tg.to(40)[-1]
    assert "👍1 👎1" in why.text
    assert labels(tg, 40, why.message_id) == [["👍 1", "👎 1"]]
    assert (await press(tg, app, 40, why.message_id, f"l:{DAY}:1", user_id=3)).text == (
        "第 1 条：已记录 👍（团队反馈 👍2 👎1）"
    )


async def test_more_is_a_button_and_its_stories_why_too(
    tg: FakeTelegram, app: TelegramApp, store: Store
) -> None:
    day = make_digest()
    pool = make_pool(day)
    await store.save_digest(day, [], pool=pool)
    parts = render_telegram(day, View())
    sent = await ask(tg, 41, f"/date {DAY}", len(parts))
    assert labels(tg, 41, sent[-1].message_id)[-1] == ["更多 ▸"]
    await press(tg, app, 41, sent[-1].message_id, f"m:{DAY}")
    more = tg.to(41)[-1]
    assert more.text == render_telegram_listing(more_listing(day, pool, 1))[0]
    first_left_out = next(p.n for p in pool if p.section == "domestic")
    assert f"❓{first_left_out}" in [b for row in labels(tg, 41, more.message_id) for b in row]
    await press(tg, app, 41, more.message_id, f"w:{DAY}:{first_left_out}")
    assert "入选线" in tg.to(41)[-1].text  # a left-out story's why says what kept it out
    assert tg.edits == []


async def test_a_channel_posts_buttons_as_links_that_press_them_in_a_private_chat(
    tg: FakeTelegram,
    app: TelegramApp,
    digest: Digest,
    store: Store,
    make_settings: Callable[..., Settings],
) -> None:
    channel = -1001000000009
    tg.add_channel(channel, "ai_daily_news")
    settings = make_settings(
        {"telegram": {"base_url": tg.base_url, "channels": ["@ai_daily_news"]}},
        {"TELEGRAM_BOT_TOKEN": TOKEN},
    )
    await push(settings, store, DAY)
    post = tg.to(channel)[-1]
    rows = post.reply_markup["inline_keyboard"]
    buttons = [b for row in rows for b in row]
    # links, never callbacks: one reader's press must not change the post for all
    assert buttons and all("callback_data" not in b for b in buttons)
    why_3 = next(b for b in buttons if b["text"] == "❓3")
    assert why_3["url"] == f"https://t.me/{BOT_USERNAME}?start=w_{DAY}_3"

    # The reader's press: Telegram opens the bot's chat and sends /start with the payload.
    reader = 31
    sent = await ask(tg, reader, f"/start w_{DAY}_3", 1)
    item = digest.item(3)
    assert item is not None
    assert sent[0].text == render_telegram_why(digest, item, WhyNotes())[0]
    assert await store.get_shown("telegram", str(reader)) == DAY
    stale = await ask(tg, reader, "/start w_2020-01-01_3", 1)
    assert stale[0].text == STALE
    plain = await ask(tg, reader, "/start", 1)  # no payload: the ordinary subscription
    assert "订阅" in plain[0].text
