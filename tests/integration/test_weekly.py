"""/week and the weekly push (`digest.weekly`): the week's ten most important stories,
pushed once a week to every Telegram chat, Feishu chat and webhook against the fakes,
through the same ledger as the daily push, under the week's own key."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import archive
from bot.commands import ChatContext, Commands, Reply, reply_to_text
from bot.delivery import PushReport
from bot.feishu.buttons import reply_cards
from bot.metrics import Metrics
from bot.schedule import DailyScheduler
from bot.weekly import push_week
from pipeline.config import Settings
from pipeline.models import ChatSettings, Digest, Mention, Subscriber
from pipeline.render import render_feishu_listing, render_telegram_listing
from pipeline.render.view import Listing
from pipeline.store import Ballot, Store
from tests.factories import make_digest
from tests.fakes.feishu_server import FeishuFake
from tests.fakes.telegram_server import TOKEN, FakeTelegram

pytestmark = pytest.mark.cluster_too

SHANGHAI = ZoneInfo("Asia/Shanghai")
END = date(2026, 2, 8)  # a Sunday


def day_of(offset: int) -> str:
    return (END - timedelta(days=offset)).isoformat()


def with_stories(on: str, *stories: tuple[str, str, int]) -> Digest:
    """A digest of `on` whose first items are (title, importance, other outlets)."""
    digest = make_digest(len(stories), 0, date=on)
    items = []
    for item, (title, importance, others) in zip(digest.sections.domestic, stories, strict=True):
        mentions = [
            Mention(
                source=f"媒体{i}",
                feed=f"f{i}",
                link=f"https://m{i}.example.com/{title}",
                title=title,
            )
            for i in range(others)
        ]
        items.append(
            item.model_copy(
                update={
                    "id": f"{on}-{title}",
                    "title": title,
                    "summary": f"消息，{title}。",
                    "importance": importance,
                    "link": f"https://news.example.com/{on}/{title}",
                    "also_reported_by": mentions,
                }
            )
        )
    return digest.model_copy(
        update={"sections": digest.sections.model_copy(update={"domestic": items})}
    )


async def store_week(store: Store) -> None:
    await store.save_digest(
        with_stories(day_of(0), ("周日要闻", "high", 1), ("周日小事", "low", 0)), []
    )
    await store.save_digest(
        with_stories(day_of(3), ("周四大事", "high", 4), ("周四中事", "medium", 2)), []
    )
    many = [(f"周二第{i}条", "medium", 0) for i in range(12)]
    await store.save_digest(with_stories(day_of(5), *many), [])
    await store.save_digest(with_stories(day_of(7), ("上周大事", "high", 9)), [])  # 8 days back


async def test_week_ranks_the_seven_days_by_importance_then_outlets(store: Store) -> None:
    await store_week(store)

    listing = await archive.week(store, END)

    assert isinstance(listing, Listing) and listing.dated
    shown = [(listed.day, listed.item.title) for g in listing.groups for listed in g.items]
    assert len(shown) == 10
    assert shown[:3] == [(day_of(3), "周四大事"), (day_of(0), "周日要闻"), (day_of(3), "周四中事")]
    assert all(title != "上周大事" for _, title in shown)  # outside the seven days
    assert (day_of(0), "周日小事") not in shown  # low, and ten stronger ones that week
    assert "2026-02-02 至 2026-02-08" in listing.title


async def test_week_command_answers_with_date_number_and_link(store: Store, make_settings) -> None:
    class Sunday(Settings):
        def today(self, now=None) -> date:  # type: ignore[no-untyped-def]
            return END

    settings = Sunday.model_validate(make_settings().model_dump())
    commands = Commands(store, settings)
    ctx = ChatContext(channel="console", chat_id="1")
    assert "没有存档的日报" in reply_to_text(await commands.handle(ctx, "/week"))

    await store_week(store)
    text = reply_to_text(await commands.handle(ctx, "/week"))

    first = next(ln for ln in text.splitlines() if "周四大事" in ln)
    assert first.startswith(f"{day_of(3)} · 1、🔥")
    assert f"https://news.example.com/{day_of(3)}/周四大事" in text and "5 家媒体报道" in text

    # weeks later with nothing new: the last week there was, said as such
    class MonthLater(Settings):
        def today(self, now=None) -> date:  # type: ignore[no-untyped-def]
            return END + timedelta(days=30)

    later = Commands(store, MonthLater.model_validate(make_settings().model_dump()))
    text = reply_to_text(await later.handle(ctx, "/week"))
    assert f"以下为截至 {END.isoformat()} 的一周" in text and "周四大事" in text


# -- the weekly push against the fakes ------------------------------------------------------


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def fs() -> Iterator[FeishuFake]:
    with FeishuFake(hook_secrets={"hook-plain": None}) as server:
        yield server


@pytest.fixture
def settings(tg: FakeTelegram, fs: FeishuFake, make_settings: Callable[..., Settings]) -> Settings:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "FEISHU_APP_ID": fs.app_id,
        "FEISHU_APP_SECRET": fs.app_secret,
    }
    data = {
        "digest": {"weekly": "sun 20:00"},
        "telegram": {"base_url": tg.base_url},
        "feishu": {
            "domain": fs.url,
            "chats": ["oc_team"],
            "webhooks": [{"url": fs.hook_url("hook-plain")}],
        },
    }
    return make_settings(data, env)


async def subscribe(store: Store, *chats: int, **chosen: Any) -> None:
    for chat in chats:
        await store.save_subscriber(
            Subscriber(
                channel="telegram",
                chat_id=str(chat),
                since=datetime.now(UTC),
                settings=ChatSettings.model_validate(chosen),
            )
        )


async def test_the_weekly_push_reaches_every_target_once_whatever_is_repeated(
    tg: FakeTelegram, fs: FeishuFake, settings: Settings, store: Store
) -> None:
    await store_week(store)
    await subscribe(store, 1, 2)
    await subscribe(store, 3, push_time="07:30", mode="brief", sections=["international"])
    await store.set_shown("telegram", "1", day_of(0))
    listing = await archive.week(store, END)
    assert isinstance(listing, Listing)
    parts = render_telegram_listing(listing)

    first = await push_week(settings, store, END)
    again = await push_week(settings, store, END)

    assert first.ok and first.targets == 5  # three Telegram chats, a Feishu chat, a webhook
    for chat in (1, 2, 3):  # whatever their own time or form: the week, as one list
        assert tg.texts(chat) == parts
    # app-bot chats get a why button per story, as every list answer (bot/buttons.py)
    assert [m.content for m in fs.messages if m.chat_id == "oc_team"] == reply_cards(
        Reply(listing=listing)
    )
    whys = [b["callback_data"] for row in tg.keyboard(1, tg.to(1)[-1].message_id) for b in row]
    assert whys == [f"w:{x.day}:{x.item.n}" for g in listing.groups for x in g.items]
    assert [p["card"] for p in fs.hook_posts["hook-plain"]] == render_feishu_listing(
        listing, for_webhook=True
    )
    assert again.sent == 0 and again.skipped == first.sent
    assert tg.duplicates == 0 and fs.duplicates == 0
    # the weekly is not a day's digest: what /why N means and the morning's /stats stay
    assert await store.get_shown("telegram", "1") == day_of(0)
    assert await store.get_last_push("telegram") is None


# -- the schedule ----------------------------------------------------------------------------


class Weeklies:
    def __init__(self) -> None:
        self.days: list[date] = []

    async def __call__(self, settings: Settings, store: Store, day: date) -> PushReport:
        self.days.append(day)
        return PushReport(targets=1, sent=1)


async def test_the_schedule_pushes_the_week_once_at_its_time_and_catches_up(
    store: Store, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings({"digest": {"weekly": "sun 20:00"}})
    weeklies = Weeklies()
    now = [datetime(2026, 2, 8, 19, 59, tzinfo=SHANGHAI)]

    def sched(owner: str) -> DailyScheduler:
        return DailyScheduler(
            settings, store, metrics=Metrics(), now=lambda: now[0], weekly_fn=weeklies, owner=owner
        )

    a, b = sched("a"), sched("b")
    assert await a.weekly(now[0]) == "not-due"
    now[0] = datetime(2026, 2, 8, 20, 0, tzinfo=SHANGHAI)
    assert await a.weekly(now[0]) == "pushed"
    assert await b.weekly(now[0] + timedelta(minutes=5)) == "done"  # another instance, later
    assert weeklies.days == [END]

    # down at Sunday 20:00, back by Monday morning: caught up; a day later: next week's turn
    assert a.weekly_due(datetime(2026, 2, 16, 7, 0, tzinfo=SHANGHAI)) == date(2026, 2, 15)
    assert a.weekly_due(datetime(2026, 2, 16, 9, 0, tzinfo=SHANGHAI)) is None
    assert sched("c").weekly_due(datetime(2026, 2, 12, 20, 0, tzinfo=SHANGHAI)) is None


async def test_week_ranks_team_votes_after_importance_and_outlets(store: Store) -> None:
    await store_week(store)
    tuesday = day_of(5)

    async def vote(title: str, user: str, vote: str) -> None:
        ballot = Ballot(
            day=tuesday,
            user=user,
            item=f"{tuesday}-{title}",
            feed="kr36",
            category="行业应用",
            vote=vote,  # type: ignore[arg-type]
        )
        await store.cast_vote(ballot)

    await vote("周二第11条", "telegram:1", "up")
    await vote("周二第11条", "telegram:2", "up")
    await vote("周二第0条", "telegram:1", "down")

    listing = await archive.week(store, END)

    titles = [listed.item.title for g in listing.groups for listed in g.items]
    # importance and outlets first (周四大事, 周日要闻, 周四中事), then the liked Tuesday story
    assert titles[3] == "周二第11条"
    assert "周二第0条" not in titles  # disliked: the eleven other mediums outrank it
