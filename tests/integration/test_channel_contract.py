"""One contract for every `bot.channel.Channel`, run over the Telegram and the Feishu fakes.

As aiogram runs one storage test class over every storage: each test here is
parametrised with `indirect=True` over a harness per channel — its fake server
on 127.0.0.1 spoken to by the real client library, the real Channel, and the
fake's knobs for a chat that is gone and a rate-limit answer.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.channel import Channel
from bot.commands import Reply
from bot.delivery import RetryPolicy, deliver
from bot.feishu.buttons import reply_cards
from bot.feishu.push import FeishuChannel
from bot.interests import interest_view
from bot.telegram.push import TelegramChannel, push_bot
from pipeline.config import Settings
from pipeline.models import ChatSettings, Digest, Interests, Subscriber
from pipeline.render import View, render_telegram
from pipeline.store import Store
from tests.factories import make_digest, make_pool
from tests.fakes.feishu_server import FeishuFake
from tests.fakes.telegram_server import TOKEN, FakeTelegram

FAST = RetryPolicy(max_attempts=4, backoff_base_s=0.001, backoff_max_s=0.01, max_wait_s=5.0)


class Harness:
    """A channel under test, its fake, and the fake's knobs, the same for every channel."""

    channel: Channel
    chats: tuple[str, str]  # two chat ids valid on this channel

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    async def subscribe(self, chat: str, **settings: Any) -> None:
        sub = Subscriber(
            channel=self.channel.name,  # type: ignore[arg-type]
            chat_id=chat,
            since=datetime.now(UTC),
            settings=ChatSettings(**settings),
        )
        await self.store.save_subscriber(sub)

    def render(self, digest: Digest, view: View) -> list[Any]:
        raise NotImplementedError

    def received(self, chat: str) -> list[Any]:
        raise NotImplementedError

    def make_gone(self, chat: str) -> None:
        raise NotImplementedError

    def rate_limit_once(self, chat: str) -> None:
        raise NotImplementedError


class TelegramHarness(Harness):
    chats = ("101", "102")

    def __init__(self, store: Store, settings: Settings, tg: FakeTelegram, bot: Any) -> None:
        super().__init__(store, settings)
        self.tg = tg
        self.channel = TelegramChannel(settings, store, bot)

    def render(self, digest: Digest, view: View) -> list[Any]:
        return render_telegram(digest, view)

    def received(self, chat: str) -> list[Any]:
        return self.tg.texts(int(chat))

    def make_gone(self, chat: str) -> None:
        self.tg.faults.blocked.add(int(chat))

    def rate_limit_once(self, chat: str) -> None:
        self.tg.faults.retry_after[int(chat)] = [1]


class FeishuHarness(Harness):
    chats = ("oc_101", "oc_102")

    def __init__(self, store: Store, settings: Settings, fake: FeishuFake) -> None:
        super().__init__(store, settings)
        self.fake = fake
        self.channel = FeishuChannel(settings, store)

    def render(self, digest: Digest, view: View) -> list[Any]:
        return reply_cards(Reply(digest=digest, view=view))  # app-bot chats get buttons

    def received(self, chat: str) -> list[Any]:
        return [m.content for m in self.fake.messages if m.chat_id == chat]

    def make_gone(self, chat: str) -> None:
        self.fake.gone_chats[chat] = 230002  # the bot was removed from the group

    def rate_limit_once(self, chat: str) -> None:
        self.fake.fail_next.append(230020)  # one chat's frequency limit


@pytest.fixture(params=["telegram", "feishu"])
async def harness(
    request: pytest.FixtureRequest, store: Store, make_settings: Callable[..., Settings]
) -> AsyncIterator[Harness]:
    async with AsyncExitStack() as stack:
        if request.param == "telegram":
            tg = await stack.enter_async_context(FakeTelegram())
            settings = make_settings(
                {"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": TOKEN}
            )
            bot = await stack.enter_async_context(push_bot(settings))
            yield TelegramHarness(store, settings, tg, bot)
        else:
            fake = stack.enter_context(FeishuFake())
            env = {"FEISHU_APP_ID": fake.app_id, "FEISHU_APP_SECRET": fake.app_secret}
            settings = make_settings({"feishu": {"domain": fake.url}}, env)
            yield FeishuHarness(store, settings, fake)


async def push(h: Harness, digest: Digest, due_at: str | None = None) -> Any:
    jobs = await h.channel.jobs(digest, due_at)
    return await deliver(h.store, digest.date, jobs, policy=FAST)


async def test_a_chat_is_due_at_its_own_time_else_at_the_digest_time(harness: Harness) -> None:
    early, usual = harness.chats
    await harness.subscribe(early, push_time="07:30")
    await harness.subscribe(usual)
    digest = make_digest()
    targets = {
        due: [str(j.target) for j in await harness.channel.jobs(digest, due)]
        for due in ("07:30", harness.settings.digest.time)
    }
    name = harness.channel.name
    assert targets == {
        "07:30": [f"{name}:{early}"],
        harness.settings.digest.time: [f"{name}:{usual}"],
    }
    assert len(await harness.channel.jobs(digest, None)) == 2


async def test_a_chat_gets_the_view_it_chose(harness: Harness) -> None:
    brief, full = harness.chats
    await harness.subscribe(brief, mode="brief", sections=["international"])
    await harness.subscribe(full)
    digest = make_digest()
    report = await push(harness, digest)
    count = harness.settings.digest.brief
    assert report.ok
    assert harness.received(brief) == harness.render(
        digest, View(section="international", brief=True, brief_count=count)
    )
    assert harness.received(full) == harness.render(digest, View())


async def test_after_a_push_the_chat_was_shown_that_digest(harness: Harness) -> None:
    chat, _ = harness.chats
    await harness.subscribe(chat)
    digest = make_digest()
    await push(harness, digest)
    assert await harness.store.get_shown(harness.channel.name, chat) == digest.date


async def test_a_gone_chat_is_reported_and_the_others_still_get_theirs(harness: Harness) -> None:
    gone, fine = harness.chats
    for chat in harness.chats:
        await harness.subscribe(chat)
    harness.make_gone(gone)
    digest = make_digest()
    report = await push(harness, digest)
    assert (report.gone, report.failed) == (1, 0)
    assert harness.received(gone) == []
    assert harness.received(fine) == harness.render(digest, View())
    assert await harness.store.get_shown(harness.channel.name, gone) is None


async def test_a_rate_limit_is_waited_out_and_nothing_is_doubled(harness: Harness) -> None:
    chat, _ = harness.chats
    await harness.subscribe(chat)
    harness.rate_limit_once(chat)
    digest = make_digest()
    report = await asyncio.wait_for(push(harness, digest), 30)
    assert report.ok and report.rate_limited == 1
    assert harness.received(chat) == harness.render(digest, View())


async def test_send_part_sends_one_part_to_one_chat(harness: Harness) -> None:
    chat, other = harness.chats
    digest = make_digest()
    parts = harness.render(digest, View())
    await harness.channel.send_part(chat, digest.date, 0, parts[0])
    assert harness.received(chat) == parts[:1] and harness.received(other) == []
    assert str(harness.channel.target(chat)) == f"{harness.channel.name}:{chat}"


async def test_a_chat_with_interests_gets_its_view_of_the_push(harness: Harness) -> None:
    tuned, plain = harness.chats
    for chat in harness.chats:
        await harness.subscribe(chat)
    mine = Interests(follows=["机器人"], muted_sources=["36氪"])
    await harness.store.save_interests(harness.channel.name, tuned, mine)
    digest = make_digest()
    pool = make_pool(digest)
    await harness.store.save_digest(digest, [], pool=pool)

    report = await push(harness, digest)

    assert report.ok
    view = interest_view(View(), digest, mine, pool)
    assert view.hidden and view.followed and view.pulled
    assert harness.received(tuned) == harness.render(digest, view)
    assert harness.received(plain) == harness.render(digest, View())
    tuned_text = json.dumps(harness.received(tuned), ensure_ascii=False)
    assert f"已按你的设置隐藏 {len(view.hidden)} 条" in tuned_text and "🔖" in tuned_text
    for pulled in view.pulled:  # pulled in from the pool, under the pool's own number
        assert re.search(rf"(\\n|^|\*\*|\"){pulled.item.n}\.(\*\*)? 🔖", tuned_text), pulled.item.n
    plain_text = json.dumps(harness.received(plain), ensure_ascii=False)
    assert "🔖" not in plain_text and "已按你的设置隐藏" not in plain_text
