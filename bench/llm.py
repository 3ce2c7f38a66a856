"""What batching and the cache save: the LLM curator on a 200-entry day vs one call per entry.

    .venv/bin/python bench/llm.py [--n 200] [--latency 0.3] [--batch-size 20] [--concurrency 4]
                                  [--context-tokens 128000]

Against the fake OpenAI server (tests/fakes/openai_server.py) answering every
call after `--latency` seconds, through the real `openai` client and a real
Redis (the embedded one, in a temporary folder), three runs of the same day:

1. batched: one same-story call, `judge` in batches of `--batch-size` (fewer when
   `--context-tokens` cannot hold that many) + the one `conclude` call;
2. naive: the same curator with batch_size=1 (one call per entry) + `conclude`,
   with the same concurrency, on a cold cache (another model name);
3. rerun: the batched run again, same day, unchanged entries: must make 0 calls.

Figures: calls, prompt/completion tokens, wall time, and the ratios naive/batched.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.config import parse_settings
from pipeline.curate.llm import LLMCurator
from pipeline.models import Candidate
from pipeline.store import Store, open_store
from tests.fakes.news_day import DAY, big_day, shortlist
from tests.fakes.openai_server import FakeOpenAI


@dataclass
class Figures:
    name: str
    calls: int
    judge_calls: int
    prompt_tokens: int
    completion_tokens: int
    cache_hits: int
    fallbacks: int
    wall_s: float


async def one_run(
    name: str,
    fake: FakeOpenAI,
    store: Store,
    cands: list[Candidate],
    model: str,
    batch: int,
    conc: int,
    context: int,
) -> Figures:
    """judge + conclude over the top 27, as `aidaily run` does; figures from the server and the curator."""
    llm = {
        "base_url": fake.base_url,
        "model": model,
        "batch_size": batch,
        "concurrency": conc,
        "max_retries": 0,
        "context_tokens": context,
    }
    settings = parse_settings({"llm": llm}, {"OPENAI_API_KEY": fake.api_key})
    curator = LLMCurator(settings, store)
    before = (fake.calls, fake.prompt_tokens, fake.completion_tokens)
    started = time.perf_counter()
    verdicts = await curator.judge(cands, DAY)
    judge_calls = fake.calls - before[0]
    top = sorted(cands, key=lambda c: -verdicts.judgements[c.id].score.total)[:27]
    await curator.conclude(shortlist(top, verdicts.judgements), DAY)
    wall = time.perf_counter() - started
    stats = curator.stats()
    assert not stats.errors, stats.errors
    return Figures(
        name,
        fake.calls - before[0],
        judge_calls,
        fake.prompt_tokens - before[1],
        fake.completion_tokens - before[2],
        stats.cache_hits,
        stats.fallbacks,
        wall,
    )


async def warm_up(fake: FakeOpenAI, store: Store) -> None:
    settings = parse_settings(
        {"llm": {"base_url": fake.base_url, "model": "bench"}}, {"OPENAI_API_KEY": fake.api_key}
    )
    ok, line = await LLMCurator(settings, store).check()
    assert ok, line


def table(rows: list[Figures]) -> str:
    head = (
        "| run | calls (judge + conclude) | prompt tokens | completion tokens | cache hits | fallbacks | wall time |\n"
        "|---|---:|---:|---:|---:|---:|---:|"
    )
    lines = [
        f"| {r.name} | {r.calls} ({r.judge_calls} + {r.calls - r.judge_calls}) | {r.prompt_tokens:,} | "
        f"{r.completion_tokens:,} | {r.cache_hits} | {r.fallbacks} | {r.wall_s:.2f} s |"
        for r in rows
    ]
    return "\n".join([head, *lines])


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--latency", type=float, default=0.3)
    ap.add_argument("--batch-size", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument(
        "--context-tokens", type=int, default=128_000, help="llm.context_tokens (gpt-4o-mini: 128k)"
    )
    args = ap.parse_args()
    cands = big_day(args.n)
    ctx = args.context_tokens
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeOpenAI(latency_s=args.latency, models=("bench", "bench-naive")) as fake,
    ):
        store = await open_store(None, tmp)
        try:
            await warm_up(fake, store)  # imports and first connection, outside the timed runs
            batched = await one_run(
                "batched", fake, store, cands, "bench", args.batch_size, args.concurrency, ctx
            )
            naive = await one_run(
                "naive (1 entry/call)", fake, store, cands, "bench-naive", 1, args.concurrency, ctx
            )
            rerun = await one_run(
                "rerun (batched)",
                fake,
                store,
                cands,
                "bench",
                args.batch_size,
                args.concurrency,
                ctx,
            )
        finally:
            await store.close()
    print(
        f"{args.n} entries, {args.latency * 1000:.0f} ms per call, batch_size {args.batch_size}, concurrency {args.concurrency}, context_tokens {ctx:,}\n"
    )
    print(table([batched, naive, rerun]))
    print(
        f"\nnaive/batched: calls {naive.calls / batched.calls:.1f}x, "
        f"prompt tokens {naive.prompt_tokens / batched.prompt_tokens:.2f}x, "
        f"wall time {naive.wall_s / batched.wall_s:.1f}x (batched = {batched.wall_s / naive.wall_s:.3f} of naive)"
    )
    print(f"rerun model calls: {rerun.calls} (cache hits {rerun.cache_hits})")


if __name__ == "__main__":
    asyncio.run(main())
