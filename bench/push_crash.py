"""`aidaily push` killed with -9 at a random point, then run again: duplicates and time to complete.

    .venv/bin/python -m bench.push_crash [--trials 20] [--chats 60] [--seed 1]

Each trial: a stored digest and `--chats` Telegram subscribers (full digest, 3
parts each) in a throwaway redis-server; `aidaily push` (the real CLI, in its own
process) against `tests.fakes.telegram_server` on 127.0.0.1; SIGKILL once a
random number of its messages (uniform over 1 … all but one) has arrived; then `aidaily push` again at once, with the production
claim TTL (30 s). Time to complete runs from the kill to the rerun's exit.

Baseline: one uninterrupted push of the same chats, the same run. Prints per-trial
figures and the summary: duplicates (total, worst trial; the bound is the parts on
the wire at the kill, at most the push concurrency), incomplete chats after the
rerun, rerun exit codes, time to complete (median, max) and its ratio to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import redis.asyncio as aioredis

from bench.pipeline import redis_server
from pipeline.models import Subscriber
from pipeline.render import View, render_telegram
from pipeline.store import Store
from tests.factories import make_digest
from tests.fakes.telegram_server import TOKEN, FakeTelegram

CONFIG = Path(__file__).resolve().parent.parent / "examples" / "demo.yaml"
RERUN_TIMEOUT_S = 120.0


async def seed(url: str, chats: int) -> tuple[str, list[str]]:
    store = Store(aioredis.from_url(url), url)
    await store.r.flushdb()
    digest = make_digest()
    await store.save_digest(digest, [])
    since = datetime.now(UTC)
    for chat in range(1, chats + 1):
        await store.save_subscriber(Subscriber(channel="telegram", chat_id=str(chat), since=since))
    await store.r.aclose()
    return digest.date, render_telegram(digest, View())


async def start_push(url: str, base_url: str, day: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "REDIS_URL": url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "push", "--config", str(CONFIG), "--date", day,
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def incomplete(tg: FakeTelegram, parts: list[str], chats: int) -> int:
    return sum(1 for c in range(1, chats + 1) if list(dict.fromkeys(tg.texts(c))) != parts)


async def baseline(url: str, chats: int) -> float:
    day, parts = await seed(url, chats)
    async with FakeTelegram() as tg:
        started = time.monotonic()
        proc = await start_push(url, tg.base_url, day)
        code = await proc.wait()
        wall = time.monotonic() - started
        assert code == 0 and incomplete(tg, parts, chats) == 0 and tg.duplicates == 0
    return wall


async def trial(url: str, chats: int, kill_at: int) -> dict[str, float]:
    day, parts = await seed(url, chats)
    async with FakeTelegram() as tg:
        proc = await start_push(url, tg.base_url, day)
        started = time.monotonic()
        await tg.wait_sent(kill_at, timeout=RERUN_TIMEOUT_S)
        kill_s, sent_at_kill = time.monotonic() - started, len(tg.sent)
        proc.kill()
        await proc.wait()
        killed = time.monotonic()
        rerun = await start_push(url, tg.base_url, day)
        code = await asyncio.wait_for(rerun.wait(), RERUN_TIMEOUT_S)
        return {
            "kill_s": kill_s,
            "sent_at_kill": sent_at_kill,
            "complete_s": time.monotonic() - killed,
            "duplicates": tg.duplicates,
            "incomplete": incomplete(tg, parts, chats),
            "exit": code,
        }


async def bench(url: str, trials: int, chats: int, seed_: int) -> None:
    rng = random.Random(seed_)
    base = await baseline(url, chats)
    print(f"push after kill -9: {chats} chats x 3 parts, {trials} trials, claim TTL 30 s")
    print(f"  baseline: one uninterrupted push {base:.1f}s")
    rows = []
    for n in range(trials):
        row = await trial(url, chats, rng.randint(1, 3 * chats - 1))
        rows.append(row)
        print(
            f"  trial {n + 1:2d}: kill at {row['kill_s']:4.1f}s ({row['sent_at_kill']:3.0f} sent)  "
            f"complete {row['complete_s']:5.1f}s  duplicates {row['duplicates']:.0f}  "
            f"incomplete {row['incomplete']:.0f}  rerun exit {row['exit']:.0f}"
        )
    done = [r["complete_s"] for r in rows]
    dups = [r["duplicates"] for r in rows]
    print(
        f"  duplicates: total {sum(dups):.0f}, worst trial {max(dups):.0f}; "
        f"incomplete chats {sum(r['incomplete'] for r in rows):.0f}; "
        f"rerun exit codes {sorted({int(r['exit']) for r in rows})}"
    )
    print(
        f"  time to complete after the kill: median {statistics.median(done):.1f}s, "
        f"max {max(done):.1f}s = {statistics.median(done) / base:.1f}x / {max(done) / base:.1f}x "
        "the baseline push"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--chats", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    # the fake logs every request the killed pusher dropped mid-body: not a finding
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    with redis_server() as url:
        asyncio.run(bench(url, args.trials, args.chats, args.seed))


if __name__ == "__main__":
    main()
