"""Posting to Telegram channels and paid broadcast: python-telegram-bot against the fake Bot API,
real Redis (a single node and a cluster)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.check import WARN_ONLY, check_telegram_targets
from bot.push import push
from pipeline.config import Settings
from pipeline.models import ChatSettings, Digest, Subscriber
from pipeline.render import View, render_telegram
from pipeline.store import Store
from tests.factories import make_digest
from tests.fakes.telegram_server import TOKEN, FakeTelegram

pytestmark = pytest.mark.cluster_too

DAY = "2026-02-03"
NEWS = -1001000000001  # @ai_daily_news
PLAIN_ID = -1001000000002  # a private channel, known by its id only


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        fake.add_channel(NEWS, "ai_daily_news")
        fake.add_channel(PLAIN_ID)
        yield fake


@pytest.fixture
def configure(tg: FakeTelegram, make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    def make(**telegram: Any) -> Settings:
        return make_settings(
            {"telegram": {"base_url": tg.base_url, **telegram}}, {"TELEGRAM_BOT_TOKEN": TOKEN}
        )

    return make


@pytest.fixture
async def digest(store: Store) -> Digest:
    day = make_digest(date=DAY)
    await store.save_digest(day, [])
    return day


async def subscribe(store: Store, *chats: int, **settings: object) -> None:
    for chat in chats:
        sub = Subscriber(
            channel="telegram",
            chat_id=str(chat),
            since=datetime.now(UTC),
            settings=ChatSettings.model_validate(settings),
        )
        await store.save_subscriber(sub)


async def test_each_channel_gets_the_full_digest_once_beside_the_subscribers(
    tg: FakeTelegram, configure: Callable[..., Settings], store: Store, digest: Digest
) -> None:
    settings = configure(channels=["@ai_daily_news", str(PLAIN_ID)])
    await subscribe(store, 1)
    await subscribe(store, 2, mode="brief")
    full = render_telegram(digest, View(brief_count=settings.digest.brief))

    report = await push(settings, store, DAY)

    assert (report.ok, report.targets) == (True, 4)
    assert tg.texts(NEWS) == full and tg.texts(PLAIN_ID) == full  # no per-chat settings
    assert tg.texts(1) == full and tg.texts(2) != full  # subscribers keep their own view
    assert all(s.parse_mode == "HTML" and not s.paid for s in tg.sent)
    # The channel is its own target in the ledger; a second push (or instance) sends nothing.
    targets = {str(e.key.target) for e in await store.ledger_entries(DAY)}
    assert {"telegram:@ai_daily_news", f"telegram:{PLAIN_ID}"} <= targets
    again = await push(settings, store, DAY)
    assert again.sent == 0 and tg.duplicates == 0
    # A channel is not a subscriber: nothing about it lands among the chats.
    assert {s.chat_id for s in await store.list_subscribers("telegram")} == {"1", "2"}


async def test_channels_are_posted_at_the_digest_time_only(
    tg: FakeTelegram, configure: Callable[..., Settings], store: Store, digest: Digest
) -> None:
    settings = configure(channels=["@ai_daily_news"])
    await subscribe(store, 3, push_time="21:30")

    evening = await push(settings, store, DAY, due_at="21:30")
    assert tg.texts(NEWS) == [] and tg.texts(3) != []
    assert evening.targets == 1

    morning = await push(settings, store, DAY, due_at=settings.digest.time)
    assert morning.targets == 1 and tg.texts(NEWS) != []


async def test_a_channel_that_refuses_is_reported_and_skipped_not_unsubscribed(
    tg: FakeTelegram, configure: Callable[..., Settings], store: Store, digest: Digest
) -> None:
    tg.add_channel(-1001000000003, "left_channel", status="left")
    settings = configure(channels=["@left_channel", "@no_such_channel", "@ai_daily_news"])
    await subscribe(store, 4)

    report = await push(settings, store, DAY)

    assert report.gone == 2 and report.failed == 0
    assert "not a member" in report.errors["telegram:@left_channel"]
    assert "chat not found" in report.errors["telegram:@no_such_channel"].lower()
    assert tg.texts(NEWS) != [] and tg.texts(4) != []  # the others got theirs
    assert [s.chat_id for s in await store.list_subscribers("telegram")] == ["4"]


async def test_paid_broadcast_sends_with_allow_paid_broadcast_past_the_free_limit(
    tg: FakeTelegram, configure: Callable[..., Settings], store: Store, digest: Digest
) -> None:
    tg.enforce_rate = True  # 30/s overall, 1,000/s for paid messages, 1/s per chat
    chats = list(range(100, 180))
    await subscribe(store, *chats)

    report = await push(configure(paid_broadcast=True, channels=["@ai_daily_news"]), store, DAY)

    assert report.ok and report.rate_limited == 0 and tg.refused_429 == 0
    assert len(tg.sent) == report.sent and all(s.paid for s in tg.sent)
    # Paced to the paid ceiling, not to the free 30/s: the first second carries far more.
    first = min(s.at for s in tg.sent)
    assert sum(1 for s in tg.sent if s.at - first < 1.0) > 30


async def test_without_paid_broadcast_the_push_keeps_under_thirty_a_second(
    tg: FakeTelegram, configure: Callable[..., Settings], store: Store, digest: Digest
) -> None:
    tg.enforce_rate = True
    chats = list(range(200, 240))
    await subscribe(store, *chats)

    report = await push(configure(), store, DAY)

    assert report.ok and tg.refused_429 == 0 and not any(s.paid for s in tg.sent)
    per_second = Counter(int(s.at - tg.sent[0].at) for s in tg.sent)
    assert max(per_second.values()) <= 30


async def test_check_says_per_channel_whether_the_bot_may_post(
    tg: FakeTelegram, configure: Callable[..., Settings]
) -> None:
    tg.add_channel(-1001000000004, "read_only_admin", can_post=False)
    tg.add_channel(-1001000000005, "just_member", status="member")
    settings = configure(
        channels=["@ai_daily_news", "@read_only_admin", "@just_member", "@nowhere_at_all"]
    )

    lines = await check_telegram_targets(settings)

    assert [(name, ok) for name, ok, _ in lines] == [
        ("channel", True),
        ("channel", False),
        ("channel", False),
        ("channel", False),
    ]
    texts = [text for _, _, text in lines]
    assert texts[0].startswith("@ai_daily_news (AI 日报, channel): ok")
    assert "cannot post messages" in texts[1]
    assert "not an administrator (it is member)" in texts[2]
    assert texts[3].startswith("@nowhere_at_all: not found")


async def test_check_warns_that_paid_broadcast_spends_stars(
    configure: Callable[..., Settings],
) -> None:
    assert await check_telegram_targets(configure()) == []
    [(name, ok, text)] = await check_telegram_targets(configure(paid_broadcast=True))

    assert (name, ok) == ("paid", False)  # printed as "warn", not a failure (WARN_ONLY)
    assert name in WARN_ONLY and "Telegram Stars" in text
