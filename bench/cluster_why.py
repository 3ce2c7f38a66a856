"""Run + push + chat on a three-master Redis Cluster vs a single node: same results, /why p99.

    .venv/bin/python -m bench.cluster_why [--chats 60] [--whys 2000] [--at-once 50]

A throwaway single redis-server (the baseline) and a throwaway three-master
cluster (tests/redis_cluster.py: `redis-server --cluster-enabled yes` x3 +
`redis-cli --cluster create`), both on 127.0.0.1, each opened through
`open_store` as aidaily opens them:

1. run: `pipeline.run.run` over the bundled demo day (examples/demo.yaml,
   2026-02-03, heuristic curator, local feeds), on each in turn;
2. push: `bot.push.push` of that digest to `--chats` Telegram subscribers against
   the fake Bot API (tests/fakes/telegram_server.py), paced at 29 msg/s as always;
3. chat: `--whys` `/why N` through `Commands.handle` for chats that were just
   pushed (each reads the chat's shown date, the digest, the item's votes and the
   chat's interests): one after another, then `--at-once` (50) at a time, then all
   `--whys` at once (far past the 64 connections either store keeps a node: callers
   wait for one; redis-py's own cluster client refused them, MaxConnectionsError).

The chat step takes turns: one /why, one batch, one burst on the node, then the
same on the cluster, with both stores open in this one process. So both see the
same load on this shared machine and the same heap: a burst's slowest /why is the
one a full garbage-collector pass lands in, and that pass costs more the more
objects are alive, so a kind measured after the other (a bigger heap) lost.

Prints the load average, each step's wall time and the /why p50/p99 on each,
the cluster / single ratios, and whether the results are the same: the digest's
items, the push report's counts and every /why answer. Target: cluster /why p99
within 2x of the single node's, and no /why of the big burst failing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

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
PHASES = ("serial", "batches", "burst")  # one after another, --at-once at a time, all at once


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Kind:
    """One store under test, what its run and push gave, and its /why answers per phase."""

    name: str
    store: Store
    commands: Commands
    chats: int
    n_items: int
    run_s: float
    push_s: float
    items: list[str]
    push: tuple[int, ...]
    ms: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PHASES})
    answers: dict[str, list[str]] = field(default_factory=lambda: {p: [] for p in PHASES})
    failed: int = 0

    async def why(self, i: int) -> tuple[float, str]:
        ctx = ChatContext(channel="telegram", chat_id=str(i % self.chats + 1))
        t0 = time.perf_counter()
        reply = await self.commands.handle(ctx, f"/why {i % self.n_items + 1}")
        ms = (time.perf_counter() - t0) * 1000
        return ms, reply.why.model_dump_json() if reply.why else (reply.text or "")

    def record(self, phase: str, results: list[tuple[float, str] | BaseException]) -> None:
        for result in results:
            if isinstance(result, BaseException):
                self.failed += 1
                continue
            self.ms[phase].append(result[0])
            self.answers[phase].append(result[1])


async def prepare(name: str, url: str, cluster: bool, chats: int) -> Kind:
    """Open the store, run the demo day into it and push that digest to `chats` chats."""
    store: Store = await open_store(url, cluster=cluster)
    async with FakeTelegram() as tg:
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": tg.base_url}
        settings = load_settings(str(DEMO), env)
        day = datetime.fromisoformat(DAY).date()

        started = time.perf_counter()
        digest = (await run(settings, day, store, curator=HeuristicCurator(settings))).digest
        run_s = time.perf_counter() - started

        since = datetime.now(UTC)
        for chat in range(1, chats + 1):
            await store.save_subscriber(
                Subscriber(channel="telegram", chat_id=str(chat), since=since)
            )
        started = time.perf_counter()
        report = await push(settings, store, DAY, channel="telegram")
        push_s = time.perf_counter() - started
        sent = (report.sent, report.skipped, report.failed, report.ok, len(tg.sent))
    return Kind(
        name,
        store,
        Commands(store, settings),
        chats,
        len(digest.items),
        run_s,
        push_s,
        [it.model_dump_json() for it in digest.items],
        sent,
    )


async def chat(kinds: list[Kind], whys: int, at_once: int) -> None:
    """The /why phases, each kind taking its turn at every step."""
    for kind in kinds:  # open the pools' connections
        await asyncio.gather(*(kind.why(i) for i in range(at_once)))
    for i in range(whys):
        for kind in kinds:
            kind.record(PHASES[0], [await kind.why(i)])
    for start in range(0, whys, at_once):
        batch = range(start, min(start + at_once, whys))
        for kind in kinds:
            kind.record(PHASES[1], await asyncio.gather(*(kind.why(i) for i in batch)))
    for kind in kinds:
        burst = await asyncio.gather(*(kind.why(i) for i in range(whys)), return_exceptions=True)
        kind.record(PHASES[2], burst)


async def compare(single_url: str, cluster_url: str, args: argparse.Namespace) -> list[Kind]:
    kinds = [
        await prepare("single", single_url, False, args.chats),
        await prepare("cluster", cluster_url, True, args.chats),
    ]
    try:
        await chat(kinds, args.whys, args.at_once)
    finally:
        for kind in kinds:
            await kind.store.close()
    return kinds


def _labels(args: argparse.Namespace) -> dict[str, str]:
    return dict(
        zip(
            PHASES,
            ("one after another", f"{args.at_once} at once", f"{args.whys} at once"),
            strict=True,
        )
    )


def _print(k: Kind, labels: dict[str, str]) -> None:
    print(
        f"  {k.name:<8} run {k.run_s:5.2f} s  push {k.push_s:5.2f} s ({k.push[0]} msgs)  "
        f"{k.failed} /why failed"
    )
    for phase in PHASES:
        ms = k.ms[phase]
        print(
            f"           /why {labels[phase]:<18} p50 {statistics.median(ms):7.2f} ms  "
            f"p99 {pct(ms, 99):7.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=60)
    parser.add_argument("--whys", type=int, default=2000)
    parser.add_argument("--at-once", type=int, default=50)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory() as tmp,
        redis_server() as single_url,
        redis_cluster(Path(tmp)) as cluster_url,
    ):
        single, cluster = asyncio.run(compare(single_url, cluster_url, args))
    print(
        "Run + push + chat: single redis-server (baseline) vs a 3-master Redis Cluster "
        f"(load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, 2 cores)"
    )
    labels = _labels(args)
    _print(single, labels)
    _print(cluster, labels)
    p99 = ", ".join(
        f"{pct(cluster.ms[p], 99) / pct(single.ms[p], 99):.2f}x {labels[p]}" for p in PHASES
    )
    print(
        f"  cluster / single: run {cluster.run_s / single.run_s:.2f}x  "
        f"push {cluster.push_s / single.push_s:.2f}x  /why p99 {p99} (target <= 2x)"
    )
    same = {
        "digest items": single.items == cluster.items,
        "push report": single.push == cluster.push,
    }
    for phase in PHASES:
        answers = single.answers[phase]
        same[f"{len(answers)} /why answers {labels[phase]}"] = answers == cluster.answers[phase]
    print("  same results: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in same.items()))


if __name__ == "__main__":
    main()
