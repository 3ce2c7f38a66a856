"""Delivery after a crash and across forms of the digest, against a real Redis."""

from __future__ import annotations

from typing import Any

from bot.delivery import Job, RetryPolicy, deliver
from pipeline.render import View, render_telegram
from pipeline.store import Store, Target
from tests.factories import make_digest

DAY = "2026-02-03"
FAST = RetryPolicy(max_attempts=2, backoff_base_s=0.001, backoff_max_s=0.01, max_wait_s=1.0)


class Inbox:
    def __init__(self) -> None:
        self.got: list[tuple[str, int, Any]] = []

    def job(self, target: str, parts: list[Any]) -> Job:
        async def send(i: int, part: Any) -> None:
            self.got.append((target, i, part))

        return Job(Target(*target.split(":", 1)), parts, send)


async def test_a_claim_left_by_a_crash_is_not_reported_as_success(store: Store) -> None:
    # A previous push (serve killed, or stopped past its 9 s deadline) left a claim on part 0.
    inbox = Inbox()
    job = inbox.job("telegram:1", ["第0部分", "第1部分"])
    await store.ledger_claim(job.key(DAY, 0), "crashed-host:123:dead", 600)

    report = await deliver(store, DAY, [job], policy=FAST)

    assert inbox.got == []  # the chat got nothing …
    assert not report.ok  # … so this push must not count as done (exit 1, retry later)


async def test_a_later_push_with_more_parts_does_not_send_a_headless_tail(store: Store) -> None:
    digest = make_digest()
    brief = render_telegram(digest, View(brief=True))
    full = render_telegram(digest, View())
    assert len(brief) == 1 and len(full) == 3
    inbox = Inbox()
    # 08:00: the chat is on brief mode and gets the one-part brief digest.
    await deliver(store, DAY, [inbox.job("telegram:7", brief)], policy=FAST)
    # Later the chat says /settings mode full and /settings time 21:00; at 21:00 the
    # per-chat push runs for it with the full rendering.
    await deliver(store, DAY, [inbox.job("telegram:7", full)], policy=FAST)

    # Either nothing more (already pushed today) or the whole digest — never parts 1..2 alone.
    assert [p for _, _, p in inbox.got[1:]] in ([], full)
