"""Chat commands as a user types them, answered from a real store."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import ChatContext, Commands, parse_command, reply_to_text
from pipeline.config import Settings, parse_settings
from pipeline.store import Store
from tests.factories import make_digest

pytestmark = pytest.mark.cluster_too

TODAY = "2026-02-03"


class FixedDay(Settings):
    """Settings whose 'today' is the demo day, so tests do not depend on the clock."""

    def today(self, now=None) -> date:  # type: ignore[no-untyped-def]
        return date.fromisoformat(TODAY)


@pytest.fixture
async def commands(store: Store) -> Commands:
    settings = FixedDay.model_validate(parse_settings({}, {}).model_dump())
    return Commands(store, settings)


def chat(chat_id: str = "100", **kw: object) -> ChatContext:
    return ChatContext(channel="telegram", chat_id=chat_id, **kw)  # type: ignore[arg-type]


async def say(commands: Commands, text: str, ctx: ChatContext | None = None) -> str:
    return reply_to_text(await commands.handle(ctx or chat(), text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/why 3", ("why", ["3"])),
        ("/why@AidailyBot 3", ("why", ["3"])),
        ("@_user_1 /today", ("today", [])),
        ("  /TODAY  ", ("today", [])),
        ("hello", ("", ["hello"])),
    ],
)
def test_parse_command(text: str, expected: tuple[str, list[str]]) -> None:
    assert parse_command(text) == expected


async def test_today_shows_every_item_with_its_number(commands: Commands, store: Store) -> None:
    digest = make_digest(date=TODAY)
    await store.save_digest(digest, [])
    text = await say(commands, "/today")
    assert "国内动态" in text and "国际动态" in text
    for item in digest.items:
        assert f"{item.n}、" in text
    assert "尚未生成" not in text


async def test_today_before_todays_run_says_which_date_it_shows(
    commands: Commands, store: Store
) -> None:
    await store.save_digest(make_digest(date="2026-02-02"), [])
    text = await say(commands, "/today")
    assert "2026-02-02" in text and "尚未生成" in text


async def test_no_digest_at_all_is_said_plainly(commands: Commands) -> None:
    assert "还没有任何日报" in await say(commands, "/today")
    assert "还没有任何日报" in await say(commands, "/why 1")


async def test_why_explains_the_item(commands: Commands, store: Store) -> None:
    digest = make_digest(date=TODAY)
    await store.save_digest(digest, [])
    item = digest.items[2]
    text = await say(commands, "/why 3")
    for part in (item.category, item.reason, item.source, item.link, *item.tags):
        assert part in text
    for other in item.also_reported_by:
        assert other.source in text


async def test_why_bad_input_says_what_would_work(commands: Commands, store: Store) -> None:
    await store.save_digest(make_digest(date=TODAY), [])
    assert "/why 1 到 /why 27" in await say(commands, "/why 99")
    assert "用法：/why N" in await say(commands, "/why abc")
    assert "用法：/why N" in await say(commands, "/why")


async def test_sections_and_brief_follow_the_digest_last_shown(
    commands: Commands, store: Store
) -> None:
    old, new = make_digest(date="2026-02-02"), make_digest(date=TODAY)
    await store.save_digest(old, [])
    await store.save_digest(new, [])
    await say(commands, "/date 2026-02-02")
    intl = await say(commands, "/intl")
    assert "2026-02-02" in intl and "国际动态" in intl and "【国内动态】" not in intl
    assert old.items[0].link in await say(commands, "/why 1")
    # another chat was shown nothing: it gets the latest
    assert new.items[0].link in await say(commands, "/why 1", chat("200"))


async def test_cn_and_brief(commands: Commands, store: Store) -> None:
    digest = make_digest(date=TODAY)
    await store.save_digest(digest, [])
    cn = await say(commands, "/cn")
    assert "【国际动态】" not in cn and digest.sections.domestic[0].summary in cn
    assert await say(commands, "/domestic") == cn
    brief = await say(commands, "/brief")
    assert "精简版" in brief and digest.sections.domestic[5].summary not in brief


async def test_date_bad_and_missing(commands: Commands, store: Store) -> None:
    await store.save_digest(make_digest(date=TODAY), [])
    assert "用法：/date YYYY-MM-DD" in await say(commands, "/date tomorrow")
    assert "用法：/date YYYY-MM-DD" in await say(commands, "/date 2026-02-30")
    missing = await say(commands, "/date 2025-01-01")
    assert "没有 2025-01-01 的日报" in missing and TODAY in missing


async def test_unknown_command_and_plain_text_get_help(commands: Commands) -> None:
    for text in ("/foo", "what is this", "/help"):
        answer = await say(commands, text)
        assert "/today" in answer and "/why N" in answer


async def test_subscribe_settings_unsubscribe(commands: Commands, store: Store) -> None:
    assert "订阅成功" in await say(commands, "/start")
    assert "已在订阅中" in await say(commands, "/subscribe")
    assert [s.chat_id for s in await store.list_subscribers("telegram")] == ["100"]
    assert "08:00" in await say(commands, "/settings")
    assert "07:30" in await say(commands, "/settings time 07:30")
    assert "精简版" in await say(commands, "/settings mode brief")
    assert "国际动态" in await say(commands, "/settings sections intl")
    sub = await store.get_subscriber("telegram", "100")
    assert sub is not None
    assert (sub.settings.push_time, sub.settings.mode, sub.settings.sections) == (
        "07:30",
        "brief",
        ["international"],
    )
    assert "HH:MM" in await say(commands, "/settings time 25:00")
    assert "已退订" in await say(commands, "/stop")
    assert await store.list_subscribers("telegram") == []
    assert "没有订阅" in await say(commands, "/unsubscribe")


async def test_group_settings_need_a_chat_admin(commands: Commands) -> None:
    group = chat("-100", chat_type="group", can_change_settings=False)
    await say(commands, "/start", group)
    assert "只有群管理员" in await say(commands, "/settings mode brief", group)


async def test_stats_is_for_admins_only(commands: Commands, store: Store) -> None:
    await store.save_digest(make_digest(date=TODAY), [])
    assert "仅限管理员" in await say(commands, "/stats")
    text = await say(commands, "/stats", chat(is_admin=True))
    assert "订阅" in text and "上次运行" in text
