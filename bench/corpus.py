"""The whole feedparser test corpus (~2,100 odd feeds) as file:// feeds in one run.

    .venv/bin/python bench/corpus.py [--corpus /work/shared/corpus/feedparser-tests]

Every corpus file becomes one feed (`file://` URL). In one run:

1. the pipeline: `pipeline.run.run(settings, day, store)` with the heuristic
   curator on a temporary redis-server, if `pipeline.run` is importable; else
   `fetch_each` + `parse_feed` for every feed. It must finish (no crash, no
   hang) and report per-feed failures as one line each;
2. the baseline: a sequential `feedparser.parse(path)` loop over the same files.

Prints wall time, entries parsed, feeds failed (with the most common reasons),
and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import feedparser

from bench.pipeline import redis_server, report_day
from pipeline.config import Settings, parse_settings
from pipeline.fetch import fetch_each
from pipeline.parse import parse_feed
from pipeline.store import Keys, Store

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared/corpus/feedparser-tests"


async def pipeline_run(settings: Settings, redis_url: str) -> tuple[str, int, list[str]]:
    """(what ran, entries parsed, one error line per failed feed)."""
    import redis.asyncio as aioredis

    try:
        from pipeline.curate.heuristic import HeuristicCurator
        from pipeline.run import run
    except ImportError as exc:
        print(f"  TODO: pipeline.run not importable yet ({exc}); timing fetch_each + parse_feed")
        return await fetch_and_parse(settings)
    client = aioredis.from_url(redis_url)
    store = Store(client, redis_url, Keys("aidaily-bench"))
    try:
        day = report_day(settings, datetime.now(UTC))
        digest = (await run(settings, day, store, curator=HeuristicCurator(settings))).digest
        errors = [f.error or "" for f in digest.feeds if not f.ok]
        return "run()", sum(f.entries for f in digest.feeds), errors
    finally:
        await client.flushdb()
        await client.aclose()


async def fetch_and_parse(settings: Settings) -> tuple[str, int, list[str]]:
    now = datetime.now(UTC)
    parsed, errors = 0, []
    async for r in fetch_each(settings.feeds, settings.fetch, {}):
        if not r.ok or r.body is None:
            errors.append(r.error or "")
            continue
        out = parse_feed(r.body, r.feed, content_type=r.content_type, location=r.final_url, now=now)
        parsed += len(out.entries)
        if out.error:
            errors.append(out.error)
    return "fetch_each + parse_feed", parsed, errors


def baseline(paths: list[Path]) -> tuple[int, int]:
    """(entries, bozo feeds) from a plain sequential feedparser loop."""
    entries = bozo = 0
    for path in paths:
        d = feedparser.parse(str(path))
        entries += len(d.entries)
        bozo += bool(d.bozo)
    return entries, bozo


def reason_kind(error: str) -> str:
    """The error without its line and column, to group failures."""
    return re.sub(r"<unknown>:\d+:\d+: ", "", error)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args(argv)
    paths = sorted(p for p in args.corpus.rglob("*.xml") if p.is_file())
    if not paths:
        sys.exit(
            f"no .xml files under {args.corpus}: pass --corpus PATH to feedparser's tests folder"
        )
    feeds: list[dict[str, Any]] = [
        {"id": f"c{n}", "name": p.stem, "url": p.as_uri(), "region": "international"}
        for n, p in enumerate(paths)
    ]
    settings = parse_settings({"feeds": feeds}, env={})
    print(
        f"{len(paths)} corpus files as file:// feeds, fetch.concurrency {settings.fetch.concurrency}"
    )
    with redis_server() as redis_url:
        t0 = time.perf_counter()
        what, parsed, errors = asyncio.run(pipeline_run(settings, redis_url))
        took = time.perf_counter() - t0
    print(f"pipeline  {took:7.2f} s  {what}: {parsed} entries parsed, {len(errors)} feeds failed")
    for kind, count in collections.Counter(reason_kind(e) for e in errors).most_common(5):
        print(f"          {count:5d} x {kind}")
    t0 = time.perf_counter()
    base_entries, bozo = baseline(paths)
    base = time.perf_counter() - t0
    print(
        f"baseline  {base:7.2f} s  sequential feedparser.parse(path): {base_entries} raw entries, {bozo} bozo"
    )
    print(
        f"ratio     {base / took:7.2f}x the baseline's speed (the pipeline also cleans, links and stores)"
    )


if __name__ == "__main__":
    main()
