"""The morning push to Telegram: python-telegram-bot against the fake Bot API, real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from bot.push import push
from pipeline.config import Settings
from pipeline.errors import AidailyError
from pipeline.models import ChatSettings, Digest, Subscriber
from pipeline.render import View, render_telegram
from pipeline.store import Store
from tests.factories import make_digest, make_item
from tests.fakes.telegram_server import TOKEN, FakeTelegram

pytestmark = pytest.mark.cluster_too

DAY = "2026-02-03"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def settings(tg: FakeTelegram, make_settings: Callable[..., Settings]) -> Settings:
    return make_settings({"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": TOKEN})


@pytest.fixture
async def digest(store: Store) -> Digest:
    day = make_digest(date=DAY)
    await store.save_digest(day, [])
    return day


async def subscribe(store: Store, *chats: int, kind: str = "private", **settings: object) -> None:
    for chat in chats:
        sub = Subscriber(
            channel="telegram",
            chat_id=str(chat),
            type=kind,
            since=datetime.now(UTC),
            settings=ChatSettings.model_validate(settings),
        )
        await store.save_subscriber(sub)


def full(digest: Digest) -> list[str]:
    return render_telegram(digest, View())


async def test_every_chat_gets_the_full_digest_once(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    chats = list(range(1, 11))
    await subscribe(store, *chats)
    parts = full(digest)
    assert len(parts) > 1  # the full digest does not fit one message
    report = await push(settings, store, DAY)
    assert (report.ok, report.sent, report.targets) == (True, 10 * len(parts), 10)
    for chat in chats:
        assert tg.texts(chat) == parts
        assert await store.get_shown("telegram", str(chat)) == DAY
    again = await push(settings, store, DAY)
    assert (again.sent, again.skipped) == (0, 10 * len(parts))
    assert tg.duplicates == 0
    last = await store.get_last_push("telegram")
    assert last is not None and last["skipped"] == 10 * len(parts)


async def test_faults_are_survived_and_reported(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    await subscribe(store, 1, 2, 3, 4, 5)
    await subscribe(store, -6, kind="group")
    tg.faults.retry_after[1] = [1]  # 429: wait a second, then it goes through
    tg.faults.blocked.add(2)  # 403: unsubscribed, the others go on
    tg.faults.flaky[3] = 2  # two 502s, then fine
    tg.faults.not_found.add(4)  # deleted chat
    tg.faults.migrated[-6] = -1006  # became a supergroup
    report = await push(settings, store, DAY)
    parts = full(digest)
    assert report.ok and report.gone == 2 and report.rate_limited == 1
    assert set(report.errors) == {"telegram:2", "telegram:4"}
    for chat in (1, 3, 5, -1006):
        assert tg.texts(chat) == parts
    assert tg.texts(2) == tg.texts(4) == tg.texts(-6) == []
    for chat in ("2", "4"):
        sub = await store.get_subscriber("telegram", chat)
        assert sub is not None and not sub.active
    moved = await store.get_subscriber("telegram", "-1006")
    assert moved is not None and moved.active
    # A repeat sends nothing: the gone chats are unsubscribed, the migrated part is in the ledger.
    again = await push(settings, store, DAY)
    assert again.sent == 0 and tg.duplicates == 0


async def test_unreachable_chat_fails_the_push_and_a_rerun_finishes_it(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    await subscribe(store, 1, 2)
    tg.faults.retry_after[2] = [3600]  # flood wait far beyond what a push waits out
    report = await push(settings, store, DAY)
    assert not report.ok and report.failed == 1 and "telegram:2" in report.errors
    assert tg.texts(2) == []
    rerun = await push(settings, store, DAY)
    assert rerun.ok and tg.texts(2) == full(digest) and tg.texts(1) == full(digest)


async def test_killed_push_then_rerun_gives_exactly_one_copy(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    chats = list(range(1, 21))
    await subscribe(store, *chats)
    parts = full(digest)
    task = asyncio.create_task(push(settings, store, DAY))
    await tg.wait_sent(25)  # some chats complete, some half-way, some untouched
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(tg.sent) < 20 * len(parts)
    rerun = await push(settings, store, DAY)
    assert rerun.ok and rerun.busy == 0 and rerun.skipped >= 25
    for chat in chats:
        assert tg.texts(chat) == parts
    assert tg.duplicates == 0


async def test_two_pushes_at_once_send_one_copy(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    chats = list(range(1, 16))
    await subscribe(store, *chats)
    a, b = await asyncio.gather(push(settings, store, DAY), push(settings, store, DAY))
    parts = full(digest)
    assert a.sent + b.sent == 15 * len(parts)
    for chat in chats:
        assert tg.texts(chat) == parts
    assert tg.duplicates == 0


async def test_chat_settings_choose_time_mode_and_sections(
    tg: FakeTelegram, settings: Settings, store: Store, digest: Digest
) -> None:
    await subscribe(store, 1, mode="brief")
    await subscribe(store, 2, sections=["international"])
    await subscribe(store, 3, push_time="07:30")
    await push(settings, store, DAY, due_at="08:00")
    assert tg.texts(1) == render_telegram(
        digest, View(brief=True, brief_count=settings.digest.brief)
    )
    assert tg.texts(2) == render_telegram(digest, View(section="international"))
    assert "【国内动态】" not in "".join(tg.texts(2))
    assert tg.texts(3) == []
    await push(settings, store, DAY, due_at="07:30")
    assert tg.texts(3) == full(digest)
    assert len(tg.sent) == len(tg.texts(1)) + len(tg.texts(2)) + len(full(digest))


async def test_feed_text_is_escaped(tg: FakeTelegram, settings: Settings, store: Store) -> None:
    item = make_item(
        n=1, summary="新模型 <script>alert(1)</script> 发布：A&B 与 1<2 的比较", title="<b>标题"
    )
    day = make_digest(n_domestic=0, n_international=0, date=DAY)
    day.sections.domestic = [item]
    await store.save_digest(day, [])
    await subscribe(store, 1)
    report = await push(settings, store, DAY)
    assert report.ok
    (sent,) = tg.to(1)
    assert sent.parse_mode == "HTML"  # accepted as HTML: no plain-text fallback was needed
    assert "&lt;script&gt;" in sent.text and "A&amp;B" in sent.text and "<script>" not in sent.text


async def test_missing_digest_says_what_to_run(settings: Settings, store: Store) -> None:
    with pytest.raises(
        AidailyError,
        match=r"no digest stored for 2026-01-01; run `aidaily run --date 2026-01-01` first",
    ):
        await push(settings, store, "2026-01-01")


async def test_a_rejected_token_fails_the_push_with_one_line(
    tg: FakeTelegram, make_settings: Callable[..., Settings], store: Store, digest: Digest
) -> None:
    settings = make_settings(
        {"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": "999:wrong"}
    )
    await subscribe(store, 1)
    report = await push(settings, store, DAY)
    assert not report.ok and "TELEGRAM_BOT_TOKEN" in report.errors["telegram"]
