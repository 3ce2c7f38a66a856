"""/more, /why on a left-out number, /search and /week through python-telegram-bot and the
fake Bot API: the answers are HTML Telegram accepts, with the numbers and links asked for."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.telegram.bot import TelegramApp, build_application, start_telegram, stop_telegram
from pipeline.config import Settings
from pipeline.models import PoolItem
from pipeline.store import Store
from tests.factories import make_digest, make_pool
from tests.fakes.telegram_server import TOKEN, FakeTelegram, Sent


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def pool(store: Store) -> list[PoolItem]:
    digest = make_digest()
    left = make_pool(digest, per_section=7)
    await store.save_digest(digest, [], pool=left)
    return left


@pytest.fixture
async def app(
    tg: FakeTelegram, store: Store, pool: list[PoolItem], make_settings: Callable[..., Settings]
) -> AsyncIterator[TelegramApp]:
    settings = make_settings({"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": TOKEN})
    application = build_application(settings, store, concurrent_updates=1)
    await start_telegram(application, settings, poll_timeout=1)
    yield application
    await stop_telegram(application)


async def ask(tg: FakeTelegram, chat_id: int, text: str) -> list[Sent]:
    before = len(tg.to(chat_id))
    tg.command(chat_id, text)
    got = await tg.wait_sent(before + 1, chat_id)
    return got[before:]


async def test_more_why_search_and_week_answer_in_telegram(
    tg: FakeTelegram, app: TelegramApp, pool: list[PoolItem]
) -> None:
    assert {"more", "search", "week"} <= {c["command"] for c in tg.commands}

    (more,) = await ask(tg, 7, "/more")
    assert more.parse_mode == "HTML" and "第 1/2 页" in more.text
    assert f'<a href="{pool[0].link}">' in more.text and "入选线" in more.text

    (why,) = await ask(tg, 7, f"/why {pool[1].n}")
    assert "未入选：得分" in why.text and pool[1].link in why.text

    (found,) = await ask(tg, 7, "/search 具身智能")
    assert "2026-02-03 · " in found.text and "搜索「具身智能」" in found.text

    (bad,) = await ask(tg, 7, "/search 猫")
    assert "两个相连的汉字" in bad.text

    (week,) = await ask(tg, 7, "/week")
    assert "本周要闻" in week.text and "2026-02-03 · 1、" in week.text
