"""Feishu push benchmark: 50 chats and 5 webhooks against the fake Feishu with its limits.

    .venv/bin/python -m bench.feishu_push

Runs `bot.push.push(channel="feishu")` (the real lark-oapi client, the real webhook
code, the Redis ledger in the embedded Redis) twice per setting: against a fake
with no limits (the baseline) and against one with Feishu's limits (app 50/s and
1000/min, 5/s per chat, custom bots 5/s and 100/min). Prints wall time against the
limit-bound minimum, duplicates (must be 0), failures (must be 0), rate-limit answers.
"""

from __future__ import annotations

import asyncio
import math
import os
import tempfile
import time
from typing import Any

from bot.push import push
from pipeline.config import parse_settings
from pipeline.render import View, render_feishu
from pipeline.store import open_store
from tests.factories import make_digest
from tests.fakes.feishu_server import FeishuFake

CHATS = 50
HOOKS = 5


def limit_bound_minimum(app_msgs: int, chat_parts: int, hook_parts: int) -> float:
    """The least wall time Feishu's limits allow (network time not counted)."""
    app = (math.ceil(app_msgs / 50) - 1) * 1.0  # 50 a second per app
    chat = (chat_parts - 1) * 0.2  # 5 a second per chat
    hook = (math.ceil(hook_parts / 5) - 1) * 1.0  # 5 a second per custom bot
    return max(app, chat, hook, 0.0)


async def one_run(limited: bool, data_dir: str) -> dict[str, Any]:
    hooks = {f"hook-{i}": f"secret-{i}" for i in range(HOOKS)}
    fake = FeishuFake(
        hook_secrets=dict(hooks),
        app_limit=(50, 1.0) if limited else None,
        chat_limit=(5, 1.0) if limited else None,
    )
    if not limited:
        fake.hook_windows.default_factory = lambda: _Unlimited()  # type: ignore[assignment,return-value]
    fake.start()
    store = await open_store(None, data_dir)
    try:
        env = {"FEISHU_APP_ID": fake.app_id, "FEISHU_APP_SECRET": fake.app_secret}
        webhooks = []
        for i, token in enumerate(hooks):
            env[f"HOOK_{i}"] = hooks[token]
            webhooks.append({"url": fake.hook_url(token), "secret_env": f"HOOK_{i}"})
        chats = [f"oc_bench_{i:02d}" for i in range(CHATS)]
        settings = parse_settings(
            {"feishu": {"domain": fake.url, "chats": chats, "webhooks": webhooks}}, env
        )
        digest = make_digest(40, 40)
        await store.r.flushdb()
        await store.save_digest(digest, [])
        started = time.monotonic()
        report = await push(settings, store, digest.date, channel="feishu")
        wall = time.monotonic() - started
        again = await push(settings, store, digest.date, channel="feishu")
        chat_parts = len(render_feishu(digest, View()))
        hook_parts = len(render_feishu(digest, View(), for_webhook=True))
        posted = len(fake.messages) + sum(len(v) for v in fake.hook_posts.values())
        expected = CHATS * chat_parts + HOOKS * hook_parts
        return {
            "wall": wall,
            "minimum": limit_bound_minimum(CHATS * chat_parts, chat_parts, hook_parts),
            "messages": expected,
            "posted": posted,
            "duplicates": posted - expected + fake.duplicates,
            "failures": report.failed + report.gone + again.failed + again.gone,
            "second_sent": again.sent,
            "rate_limited": report.rate_limited,
            "token_requests": fake.token_requests,
        }
    finally:
        await store.close()
        fake.stop()


class _Unlimited:
    def hit(self, now: float) -> bool:
        return True


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = await one_run(False, os.path.join(tmp, "a"))
        lim = await one_run(True, os.path.join(tmp, "b"))
    print(f"Feishu push: {CHATS} chats + {HOOKS} webhooks, {lim['messages']} messages")
    for name, r in (("no limits (baseline)", base), ("Feishu limits", lim)):
        print(
            f"  {name:22s} wall {r['wall']:.2f}s  limit-bound minimum {r['minimum']:.2f}s  "
            f"duplicates {r['duplicates']}  failures {r['failures']}  "
            f"rate-limit answers {r['rate_limited']}  token requests {r['token_requests']}  "
            f"second push sent {r['second_sent']}"
        )
    ratio = lim["wall"] / lim["minimum"] if lim["minimum"] else float("nan")
    print(
        f"  limited wall / limit-bound minimum: {ratio:.2f}x; limited / baseline: {lim['wall'] / base['wall']:.2f}x"
    )


if __name__ == "__main__":
    asyncio.run(main())
