"""Run + push + chat on a three-master Redis Cluster vs a single node: same results, /why p99.

    .venv/bin/python -m bench.cluster_why [--chats 60] [--whys 2000]

On each of a throwaway single redis-server (the baseline) and a throwaway
three-master cluster (tests/redis_cluster.py: `redis-server --cluster-enabled yes`
x3 + `redis-cli --cluster create`), both on 127.0.0.1, through `open_store` as
aidaily opens them:

1. run: `pipeline.run.run` over the bundled demo day (examples/demo.yaml,
   2026-02-03, heuristic curator, local feeds);
2. push: `bot.push.push` of that digest to `--chats` Telegram subscribers against
   the fake Bot API (tests/fakes/telegram_server.py), paced at 29 msg/s as always;
3. chat: `--whys` `/why N` through `Commands.handle`, one after another, for
   chats that were just pushed (so each reads the chat's shown digest, then the
   digest), then the same number `--at-once` (50) at a time on one event loop (the
   cluster client refuses more than 64 connections per node: MaxConnectionsError
   at 2,000 at once).

Prints each step's wall time and the /why p50/p99 on each, the cluster / single
ratios, and whether the results are the same: the digest's items, the push
report's counts and every /why answer. Target: cluster /why p99 within 2x of the
single node's.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.pipeline import redis_server
from bot.commands import ChatContext, Commands
from bot.push import push
from pipeline.config import load_settings
from pipeline.curate.heuristic import HeuristicCurator
from pipeline.models import Subscriber
from pipeline.run import run
from pipeline.store import Store, open_store
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.redis_cluster import redis_cluster

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo.yaml"
DAY = "2026-02-03"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def one_kind(url: str, cluster: bool, chats: int, whys: int, at_once: int) -> dict[str, Any]:
    store: Store = await open_store(url, cluster=cluster)
    try:
        async with FakeTelegram() as tg:
            env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": tg.base_url}
            settings = load_settings(str(DEMO), env)
            day = datetime.fromisoformat(DAY).date()

            started = time.perf_counter()
            digest = (await run(settings, day, store, curator=HeuristicCurator(settings))).digest
            run_s = time.perf_counter() - started

            since = datetime.now(UTC)
            for chat in range(1, chats + 1):
                sub = Subscriber(channel="telegram", chat_id=str(chat), since=since)
                await store.save_subscriber(sub)
            started = time.perf_counter()
            report = await push(settings, store, DAY, channel="telegram")
            push_s = time.perf_counter() - started

            commands = Commands(store, settings)
            n_items = len(digest.items)

            async def why(i: int) -> tuple[float, str]:
                ctx = ChatContext(channel="telegram", chat_id=str(i % chats + 1))
                t0 = time.perf_counter()
                reply = await commands.handle(ctx, f"/why {i % n_items + 1}")
                ms = (time.perf_counter() - t0) * 1000
                shown = reply.why.model_dump_json() if reply.why else (reply.text or "")
                return ms, shown

            await asyncio.gather(*(why(i) for i in range(50)))  # open the pool's connections
            serial = [await why(i) for i in range(whys)]
            burst: list[tuple[float, str]] = []
            for start in range(0, whys, at_once):  # `at_once` in flight, `whys` in all
                batch = range(start, min(start + at_once, whys))
                burst += await asyncio.gather(*(why(i) for i in batch))
            return {
                "run_s": run_s,
                "push_s": push_s,
                "items": [it.model_dump_json() for it in digest.items],
                "push": (report.sent, report.skipped, report.failed, report.ok, len(tg.sent)),
                "answers": [text for _, text in serial],
                "serial_ms": [ms for ms, _ in serial],
                "burst_ms": [ms for ms, _ in burst],
                "at_once": at_once,
            }
    finally:
        await store.close()


def _print(name: str, r: dict[str, Any]) -> None:
    s, b = r["serial_ms"], r["burst_ms"]
    print(
        f"  {name:<8} run {r['run_s']:5.2f} s  push {r['push_s']:5.2f} s ({r['push'][0]} msgs)  "
        f"/why one after another p50 {statistics.median(s):5.2f} ms p99 {pct(s, 99):5.2f} ms  "
        f"{r['at_once']} at once p50 {statistics.median(b):6.1f} ms p99 {pct(b, 99):6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=60)
    parser.add_argument("--whys", type=int, default=2000)
    parser.add_argument("--at-once", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, redis_server() as single_url:
        single = asyncio.run(one_kind(single_url, False, args.chats, args.whys, args.at_once))
        with redis_cluster(Path(tmp)) as cluster_url:
            cluster = asyncio.run(one_kind(cluster_url, True, args.chats, args.whys, args.at_once))
    print("Run + push + chat: single redis-server (baseline) vs a 3-master Redis Cluster")
    _print("single", single)
    _print("cluster", cluster)
    ratio = pct(cluster["serial_ms"], 99) / pct(single["serial_ms"], 99)
    burst = pct(cluster["burst_ms"], 99) / pct(single["burst_ms"], 99)
    print(
        f"  cluster / single: run {cluster['run_s'] / single['run_s']:.2f}x  "
        f"push {cluster['push_s'] / single['push_s']:.2f}x  /why p99 {ratio:.2f}x "
        f"({cluster['at_once']} at once {burst:.2f}x; target <= 2x)"
    )
    same = {
        "digest items": single["items"] == cluster["items"],
        "push report": single["push"] == cluster["push"],
        f"{args.whys} /why answers": single["answers"] == cluster["answers"],
    }
    print("  same results: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in same.items()))


if __name__ == "__main__":
    main()
