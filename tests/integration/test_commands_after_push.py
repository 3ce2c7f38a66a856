"""Review: which digest /why N means after a Feishu push (fixed; kept as regression tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.commands import ChatContext, Commands
from bot.delivery import RetryPolicy, deliver
from bot.feishu.push import feishu_jobs
from pipeline.config import Settings
from pipeline.store import Store
from tests.factories import make_digest
from tests.fakes.feishu_server import FeishuFake


@pytest.fixture
def fake() -> Iterator[FeishuFake]:
    with FeishuFake() as server:
        yield server


async def test_why_after_a_feishu_push_means_the_pushed_digest(
    store: Store, make_settings: Callable[..., Settings], fake: FeishuFake
) -> None:
    settings = make_settings(
        {"feishu": {"domain": fake.url, "chats": ["oc_team"]}},
        {"FEISHU_APP_ID": fake.app_id, "FEISHU_APP_SECRET": fake.app_secret},
    )
    old, new = make_digest(date="2026-02-01"), make_digest(date="2026-02-03")
    await store.save_digest(old, [])
    commands = Commands(store, settings)
    ctx = ChatContext(channel="feishu", chat_id="oc_team", chat_type="group")
    await commands.handle(ctx, "/date 2026-02-01")  # yesterday someone looked at an old day
    await store.save_digest(new, [])

    jobs = await feishu_jobs(settings, store, new)
    report = await deliver(store, new.date, jobs, policy=RetryPolicy(backoff_base_s=0.01))
    assert report.ok and report.sent >= 1
    assert [m.chat_id for m in fake.messages] == ["oc_team"] * report.sent

    reply = await commands.handle(ctx, "/why 1")

    assert reply.digest is not None and reply.digest.date == "2026-02-03"
