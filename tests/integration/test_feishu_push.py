"""Feishu push through the real lark-oapi client and the real webhook code, against a fake
Feishu on 127.0.0.1, with the delivery ledger on a real Redis."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.commands import Reply
from bot.delivery import PushReport, RetryPolicy, deliver
from bot.feishu.buttons import reply_cards
from bot.feishu.client import FeishuApp
from bot.feishu.push import feishu_jobs
from bot.feishu.webhook import hook_target
from pipeline.config import Settings
from pipeline.models import Digest
from pipeline.render import View, render_feishu
from pipeline.render.feishu import card_size
from pipeline.store import Store
from tests.factories import make_digest, make_item
from tests.fakes.feishu_server import FeishuFake

pytestmark = pytest.mark.integration
FAST = RetryPolicy(backoff_base_s=0.01, backoff_max_s=0.05)


@pytest.fixture
def fake() -> Iterator[FeishuFake]:
    with FeishuFake(hook_secrets={"hook-signed": "s3cret", "hook-plain": None}) as server:
        yield server


def feishu_settings(
    make_settings: Callable[..., Settings],
    fake: FeishuFake,
    chats: list[str],
    hooks: list[tuple[str, str | None]] = (),  # type: ignore[assignment]
) -> Settings:
    env = {"FEISHU_APP_ID": fake.app_id, "FEISHU_APP_SECRET": fake.app_secret}
    webhooks = []
    for i, (token, secret) in enumerate(hooks):
        entry: dict[str, Any] = {"url": fake.hook_url(token)}
        if secret is not None:
            entry["secret_env"] = f"HOOK_SECRET_{i}"
            env[f"HOOK_SECRET_{i}"] = secret
        webhooks.append(entry)
    return make_settings(
        {"feishu": {"domain": fake.url, "chats": chats, "webhooks": webhooks}}, env
    )


async def push(settings: Settings, store: Store, digest: Digest, **kw: Any) -> PushReport:
    jobs = await feishu_jobs(settings, store, digest, hook_backoff_s=0.05)
    return await deliver(store, digest.date, jobs, policy=FAST, **kw)


def chat_cards(digest: Digest, view: View) -> list[dict[str, Any]]:
    """What an app-bot chat is pushed: the cards, the buttons under the last."""
    return reply_cards(Reply(digest=digest, view=view))


def posted(fake: FeishuFake, chat: str) -> list[dict[str, Any]]:
    return [m.content for m in fake.messages if m.chat_id == chat]


async def test_push_twice_posts_once_per_chat_and_webhook(make_settings, store, fake):
    chats = ["oc_team", "oc_ops", "oc_lab"]
    settings = feishu_settings(
        make_settings, fake, chats, [("hook-signed", "s3cret"), ("hook-plain", None)]
    )
    digest = make_digest(40, 40)  # several cards per chat and per webhook
    cards = chat_cards(digest, View())  # app-bot chats get the buttons too
    hook_cards = render_feishu(digest, View(), for_webhook=True)
    assert len(cards) > 1 and len(hook_cards) > 1

    first = await push(settings, store, digest)
    second = await push(settings, store, digest)

    assert first.ok and first.sent == 3 * len(cards) + 2 * len(hook_cards)
    assert second.sent == 0 and second.skipped == first.sent
    for chat in chats:
        assert posted(fake, chat) == cards  # in order, each once
    assert all(m.msg_type == "interactive" for m in fake.messages)
    assert fake.hook_posts["hook-signed"] == [
        {"timestamp": p["timestamp"], "sign": p["sign"], "msg_type": "interactive", "card": c}
        for p, c in zip(fake.hook_posts["hook-signed"], hook_cards, strict=True)
    ]
    assert [p["card"] for p in fake.hook_posts["hook-plain"]] == hook_cards
    assert "sign" not in fake.hook_posts["hook-plain"][0]
    assert fake.duplicates == 0 and not fake.errors
    # Tenant tokens come from the SDK's cache: one request for all these messages.
    assert fake.token_requests == 1


async def test_message_uuid_lets_feishu_drop_a_resend(make_settings, store, fake):
    """The ledger is lost (a new Redis) and the process restarted: Feishu's own uuid
    dedupe (one hour) still keeps the chat from seeing a part twice."""
    settings = feishu_settings(make_settings, fake, ["oc_team"])
    digest = make_digest()
    await push(settings, store, digest)
    await store.r.flushdb()
    restarted = Store(aioredis.from_url(store.url), store.url, store.k)
    resent = await push(settings, restarted, digest)
    await restarted.close()
    assert resent.sent == 1  # our side did send it again …
    assert len(posted(fake, "oc_team")) == 1  # … and Feishu dropped the repeat
    assert fake.duplicates == 1


async def test_a_process_never_resends_what_it_knows_it_sent(make_settings, store, fake):
    settings = feishu_settings(make_settings, fake, ["oc_team"])
    digest = make_digest()
    await push(settings, store, digest)
    await store.r.flushdb()  # the ledger is lost, but this process remembers
    again = await push(settings, store, digest)
    assert (again.sent, again.skipped) == (0, 1) and fake.duplicates == 0


async def test_cancelled_push_resumes_without_doubles(make_settings, store, fake):
    chats = [f"oc_{i}" for i in range(6)]
    settings = feishu_settings(make_settings, fake, chats, [("hook-signed", "s3cret")])
    digest = make_digest(40, 40)
    cards = chat_cards(digest, View())
    task = asyncio.create_task(push(settings, store, digest, concurrency=2))
    assert await asyncio.to_thread(fake.wait_for, lambda: len(fake.messages) >= 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(fake.messages) < len(chats) * len(cards)  # it really stopped part-way

    # A crashed push may leave a claim whose outcome is unknown; a later push takes it
    # over once it expires (here: at once). Feishu's uuid dedupe covers a part that
    # did reach it, so either way each chat sees each card once.
    report = await push(settings, store, digest, claim_ttl_s=0.0)

    assert report.ok and report.busy == 0
    for chat in chats:
        assert posted(fake, chat) == cards
    assert len(fake.hook_posts["hook-signed"]) == len(
        render_feishu(digest, View(), for_webhook=True)
    )


async def test_webhook_frequency_limit_11232_is_retried(make_settings, store, fake):
    settings = feishu_settings(make_settings, fake, [], [("hook-signed", "s3cret")])
    fake.hook_fail_next.extend([11232, 11232])
    report = await push(settings, store, make_digest())
    assert report.ok and report.sent == 1 and report.rate_limited == 2
    assert len(fake.hook_posts["hook-signed"]) == 1
    assert fake.errors[11232] == 2


async def test_webhook_bad_signature_19021_is_reported_and_not_retried(
    make_settings, store, fake, caplog
):
    settings = feishu_settings(make_settings, fake, [], [("hook-signed", "wrong-secret")])
    caplog.set_level(logging.WARNING)
    report = await push(settings, store, make_digest(40, 40))
    target = str(hook_target(fake.hook_url("hook-signed")))
    assert report.gone == 1 and report.sent == 0 and report.failed == 0
    assert report.errors[target] == (
        f"Feishu webhook {target}: signature rejected (19021) — check FEISHU_WEBHOOK_SECRET and the server clock"
    )
    assert len(fake.hook_times["hook-signed"]) == 1  # one attempt, no retry, no later parts
    assert "hook-signed" not in caplog.text  # the webhook URL holds a secret: never logged


async def test_bot_not_in_chat_is_reported_and_others_still_get_theirs(
    make_settings, store, fake, caplog
):
    settings = feishu_settings(make_settings, fake, ["oc_gone", "oc_team"])
    fake.gone_chats["oc_gone"] = 230002
    caplog.set_level(logging.WARNING)
    report = await push(settings, store, make_digest())
    assert report.gone == 1 and report.sent == 1 and report.ok
    assert "not in this chat" in report.errors["feishu:oc_gone"]
    assert len(posted(fake, "oc_team")) == 1
    # Every failure is logged with Feishu's code, message and log id.
    line = next(r.getMessage() for r in caplog.records if "code=230002" in r.getMessage())
    assert "Bot/User can NOT be out of the chat." in line and "log_id=fake-log-" in line


async def test_api_rate_limit_and_server_errors_are_retried(make_settings, store, fake):
    settings = feishu_settings(make_settings, fake, ["oc_team"])
    fake.fail_next.extend([500, 99991400, 503])
    report = await push(settings, store, make_digest())
    assert report.ok and report.sent == 1 and report.rate_limited == 1
    assert len(posted(fake, "oc_team")) == 1
    assert fake.errors[500] == 1 and fake.errors[99991400] == 1 and fake.errors[503] == 1


async def test_unreachable_feishu_fails_the_push_for_a_later_retry(make_settings, store, fake):
    settings = feishu_settings(make_settings, fake, ["oc_team"])
    fake.stop()
    report = await push(settings, store, make_digest())
    assert not report.ok and report.failed == 1
    assert "Feishu chat oc_team" in report.errors["feishu:oc_team"]


async def test_chat_settings_choose_brief_and_sections(make_settings, store, fake):
    from bot.commands import ChatContext, Commands

    settings = feishu_settings(make_settings, fake, ["oc_team", "oc_brief"])
    commands = Commands(store, settings)
    ctx = ChatContext(channel="feishu", chat_id="oc_brief", chat_type="group")
    await commands.handle(ctx, "/start")
    await commands.handle(ctx, "/settings mode brief")
    digest = make_digest()
    await push(settings, store, digest)
    assert posted(fake, "oc_brief") == chat_cards(
        digest, View(brief=True, brief_count=settings.digest.brief)
    )
    assert posted(fake, "oc_team") == chat_cards(digest, View())


async def test_titles_with_markup_characters_render_as_text(make_settings, store, fake):
    settings = feishu_settings(make_settings, fake, ["oc_team"], [("hook-plain", None)])
    title = "<b>OpenAI</b> & *Gemini* [发布](javascript:alert(1))"
    item = make_item(n=1, title=title, summary=title)
    digest = make_digest(1, 0).model_copy(
        update={"sections": make_digest(1, 0).sections.model_copy(update={"domestic": [item]})}
    )
    await push(settings, store, digest)
    for card in [*posted(fake, "oc_team"), fake.hook_posts["hook-plain"][0]["card"]]:
        text = json.dumps(card, ensure_ascii=False)
        assert "<b>" not in text and "*Gemini*" not in text and "[发布]" not in text
        assert "javascript:" not in text or "](javascript:" not in text
        assert "&lt;b&gt;OpenAI&lt;/b&gt;" in text and "&#42;Gemini&#42;" in text


async def test_cards_fit_the_size_limits_and_feishu_accepts_them(make_settings, store, fake):
    settings = feishu_settings(make_settings, fake, ["oc_team"], [("hook-plain", None)])
    long_text = "大模型" * 60
    digest = make_digest(40, 40)
    items = [
        it.model_copy(update={"summary": long_text, "reason": long_text}) for it in digest.items
    ]
    sections = digest.sections.model_copy(
        update={"domestic": items[:40], "international": items[40:]}
    )
    digest = digest.model_copy(update={"sections": sections})
    report = await push(settings, store, digest)
    assert report.ok and not fake.errors
    assert all(card_size(c) <= 30 * 1024 for c in posted(fake, "oc_team"))
    assert all(card_size(p["card"]) <= 20 * 1024 for p in fake.hook_posts["hook-plain"])
    assert len(fake.hook_posts["hook-plain"]) > len(posted(fake, "oc_team")) >= 2


async def test_app_bot_client_is_built_from_settings(make_settings, fake):
    settings = feishu_settings(make_settings, fake, [])
    app = FeishuApp(settings.feishu)
    assert app.client.config.domain == fake.url
    assert await app.bot_open_id() == fake.bot_open_id
