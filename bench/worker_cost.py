"""What a parse worker's job costs per entry, against feedparser parsing the same feeds.

    .venv/bin/python -m bench.worker_cost [--feeds 10] [--entries 100] [--repeat 5]
    .venv/bin/python -m bench.worker_cost --instructions     # needs valgrind

The job is `pipeline.intake.parse_noted` with the heuristic's reader (`read_lead`), as a
big run's workers do it: parse a body, note each entry for clustering, read it for
judging; its steps are timed alone too (parse; parse + notes; the whole job). The
bodies are `bench/pipeline.py`'s (`feed_body`), half Chinese, half English.

Time (µs an entry, the fastest of `--repeat` passes, the caches of texts emptied after
each feed as the workers empty them) depends on how fast the machine is at that moment;
on a shared machine that varies by a third from one second to the next. With
`--instructions`, each step is also counted in instructions (valgrind's cachegrind: the
same count on every run of the same code), as the difference between running it three
times and once, so that imports and setup cancel out; and feedparser's own count on the
same feeds is the baseline, measured in the same run: "× feedparser" compares with the
pipeline bench's floor, which is feedparser's rate.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = ("feedparser", "parse", "parse+notes", "job")


def _pipeline_bench() -> Any:
    """bench/pipeline.py as a module (its feed bodies and settings)."""
    spec = importlib.util.spec_from_file_location("bench_pipeline", ROOT / "bench" / "pipeline.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_pipeline"] = module
    spec.loader.exec_module(module)
    return module


class Feeds:
    """`feeds` bodies of `entries` entries each, and a pass of one step over all of them."""

    def __init__(self, feeds: int, entries: int) -> None:
        bench = _pipeline_bench()
        self.now = datetime.now(UTC)
        self.settings = bench.bench_settings([f"http://feeds.test/{n}" for n in range(feeds)], 32)
        self.bodies = [
            bench.feed_body(n, entries, self.now, random.Random(n)) for n in range(feeds)
        ]
        self.entries = feeds * entries

    def run(self, step: str) -> None:
        import feedparser

        from pipeline import facts, kinds
        from pipeline.curate.heuristic import read_lead
        from pipeline.dedupe import notes_of, pack
        from pipeline.intake import parse_noted
        from pipeline.parse import parse_feed

        for feed, body in zip(self.settings.feeds, self.bodies, strict=True):
            if step == "feedparser":
                feedparser.parse(body)
                continue
            where = {"content_type": None, "location": feed.url, "now": self.now}
            if step == "job":
                parse_noted(body, feed, reader=read_lead, **where)
                continue
            parsed = parse_feed(body, feed, **where)
            if step == "parse+notes":
                [pack(notes_of(e)) for e in parsed.entries]
            facts.forget()  # as parse_noted does after each feed
            kinds.forget()

    def microseconds(self, repeat: int) -> dict[str, float]:
        """Each step's fastest of `repeat` passes, per entry; the steps take turns, so that
        the machine's drift reaches each of them alike."""
        for step in STEPS:
            self.run(step)  # warm: tables' per-token caches, imports
        best = dict.fromkeys(STEPS, float("inf"))
        for _ in range(repeat):
            for step in STEPS:
                t0 = time.process_time()
                self.run(step)
                best[step] = min(best[step], time.process_time() - t0)
        return {step: s / self.entries * 1e6 for step, s in best.items()}


def instructions(step: str, args: argparse.Namespace) -> float:
    """Instructions per entry of one pass of `step` (valgrind: three passes less one)."""

    def count(passes: int) -> int:
        out = subprocess.run(
            [
                "valgrind", "--tool=cachegrind", "--cache-sim=no",
                "--cachegrind-out-file=/dev/null",
                sys.executable, "-m", "bench.worker_cost", "--inner", step,
                "--passes", str(passes), "--feeds", str(args.feeds), "--entries", str(args.entries),
            ],
            cwd=ROOT, capture_output=True, text=True, check=True,
            env={"PYTHONHASHSEED": "0", "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        for line in out.stderr.splitlines():
            if "I" in line and "refs:" in line:
                return int(line.rsplit(":", 1)[1].replace(",", "").strip())
        raise RuntimeError(f"no instruction count from valgrind: {out.stderr[-300:]}")

    entries: int = args.feeds * args.entries
    return (count(3) - count(1)) / 2 / entries


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes (the fastest counts)")
    parser.add_argument("--instructions", action="store_true", help="count with valgrind too")
    parser.add_argument("--inner", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--passes", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    feeds = Feeds(args.feeds, args.entries)
    if args.inner:  # one step, under valgrind
        for _ in range(args.passes):
            feeds.run(args.inner)
        return
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind on PATH (Debian: apt-get install valgrind)")
    print(f"{args.feeds} feeds x {args.entries} entries (bench/pipeline.py's bodies)")
    print(f"{'step':<12} {'us/entry':>9} {'x feedparser':>13}" + (
        f" {'k instr/entry':>14} {'x feedparser':>13}" if args.instructions else ""))  # fmt: skip
    timed = feeds.microseconds(args.repeat)
    base_us, base_ir = timed["feedparser"], 0.0
    for step in STEPS:
        us = timed[step]
        line = f"{step:<12} {us:>9.0f} {us / base_us:>12.2f}x"
        if args.instructions:
            ir = instructions(step, args)
            base_ir = base_ir or ir
            line += f" {ir / 1000:>14,.0f} {ir / base_ir:>12.2f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
