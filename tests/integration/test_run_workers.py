"""A big run parses in worker processes and judges in them; the digest is the one a small
run would build in one process."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline import run as run_module
from pipeline import workers
from pipeline.config import Settings, parse_settings
from pipeline.curate import heuristic
from pipeline.curate.heuristic import HeuristicCurator
from pipeline.store import Store
from tests.conftest import ROOT

DAY = date(2026, 2, 3)
CUTOFF = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)  # 08:00 Asia/Shanghai
COMPANIES = ["华为", "阿里", "腾讯", "百度", "OpenAI", "Google", "Nvidia", "Meta"]
THINGS = ["发布大模型", "完成10亿美元融资", "开源智能体框架", "推出AI芯片", "被起诉侵犯版权"]


# Of each feed's 12 items, as a real feed lists them: 2 days old (items 5 and 11), and one
# undated (item 3, dated when first seen: this replay of an old day puts it outside).
OLD, UNDATED = (5, 11), 3
IN_WINDOW = 12 - len(OLD) - 1


def _feed_file(path: Path, n: int) -> str:
    items = []
    for i in range(12):
        title = (
            f"{COMPANIES[(n + i) % len(COMPANIES)]}{THINGS[(n * 3 + i) % len(THINGS)]}（{n}-{i}）"
        )
        when = CUTOFF - timedelta(hours=1 + (n + i) % 20 + 48 * (i in OLD))
        pub = (
            ""
            if i == UNDATED
            else f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        )
        items.append(
            f"<item><title>{title}</title><link>https://news{n}.example.com/a/{i}</link>"
            f"<description>&lt;p&gt;{title}。&lt;/p&gt;</description>{pub}</item>"
        )
    body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>f{n}</title>{"".join(items)}</channel></rss>'
    path.write_text(body, encoding="utf-8")
    return path.as_uri()


def _settings(tmp_path: Path, feeds: int) -> Settings:
    specs: list[dict[str, Any]] = [
        {
            "id": f"f{n}",
            "name": f"源{n}",
            "url": _feed_file(tmp_path / f"f{n}.xml", n),
            "region": "domestic" if n % 2 == 0 else "international",
        }
        for n in range(feeds)
    ]
    gone = (tmp_path / "gone.xml").as_uri()
    specs.append({"id": "gone", "name": "不存在", "url": gone, "region": "domestic"})
    return parse_settings({"feeds": specs}, {})


async def _digest_json(
    settings: Settings, store: Store, curator: HeuristicCurator | None = None
) -> dict[str, Any]:
    curator = curator or HeuristicCurator(settings)
    result = await run_module.run(settings, DAY, store, curator=curator)
    data = result.digest.model_dump(mode="json")
    data["pool"] = [item.model_dump(mode="json") for item in result.pool]  # /more and its /why
    data.pop("generated_at")
    for feed in data["feeds"]:
        feed.pop("elapsed_ms")
    return data


def _shown(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The digest's items and its pool (what /more shows)."""
    return [*data["sections"]["domestic"], *data["sections"]["international"], *data["pool"]]


def _not_here(*_args: Any) -> Any:
    raise AssertionError("ran in the main process, not in a worker")


async def test_a_run_in_worker_processes_builds_the_same_digest(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = run_module.POOL_MIN_FEEDS + 4
    settings = _settings(tmp_path, feeds)
    # In this process parsing and judging would fail: only the workers can have done them.
    # (A run parses in this process while its workers start; here it waits for them.)
    monkeypatch.setattr(workers.Pool, "ready", True)
    monkeypatch.setattr(run_module, "_parse_inline", _not_here)
    monkeypatch.setattr(heuristic, "POOL_MIN_CANDIDATES", 10)  # this day has ~40 stories
    curator = HeuristicCurator(settings)
    monkeypatch.setattr(curator, "judge_one", _not_here)
    pools = _count_pools(monkeypatch)
    in_workers = await _digest_json(settings, store, curator)
    monkeypatch.undo()
    assert pools == [1]  # judging borrowed the parse workers: one pool for the run

    # As `aidaily run` judges: the words (reason, tags, summary) written only for the items
    # and the pool, in this process, after selection.
    monkeypatch.setattr(workers.Pool, "ready", True)
    monkeypatch.setattr(heuristic, "POOL_MIN_CANDIDATES", 10)
    # Every lead was read where it was parsed: no story is sent to the workers to be judged.
    monkeypatch.setattr(heuristic, "_judge_in_workers", _not_here)
    deferred = HeuristicCurator(settings, defer_words=True)
    pools = _count_pools(monkeypatch)
    written: list[str] = []
    words = deferred._words
    monkeypatch.setattr(
        deferred, "_words", lambda c, j, day: written.append(c.id) or words(c, j, day=day)
    )
    words_later = await _digest_json(settings, store, deferred)
    monkeypatch.undo()
    assert sorted(written) == sorted(it["id"] for it in _shown(words_later))  # and no other
    assert pools == [1]  # the parse workers', let go after the last feed: none for judging

    # Workers still starting when the feeds arrive: those feeds are parsed here instead.
    monkeypatch.setattr(workers.Pool, "ready", False)
    # (as `aidaily run` judges: each entry read for the curator here too, as in a worker)
    while_starting = await _digest_json(
        settings, store, HeuristicCurator(settings, defer_words=True)
    )
    monkeypatch.undo()

    monkeypatch.setattr(run_module, "POOL_MIN_FEEDS", 10_000)
    monkeypatch.setattr(heuristic, "POOL_MIN_CANDIDATES", 10_000)
    in_process = await _digest_json(settings, store)

    assert in_workers == in_process == while_starting == words_later
    assert all(it["reason"] and it["summary"] and it["tags"] for it in _shown(in_workers))
    assert in_workers["raw_count"] == IN_WINDOW * feeds
    assert in_workers["candidate_count"] >= 20  # above the 10 that sent judging to workers
    assert [f["ok"] for f in in_workers["feeds"]].count(False) == 1  # the missing file
    assert in_workers["curator"]["errors"] == []


def _count_pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    opened = [0]
    real = workers.pool

    @contextlib.asynccontextmanager
    async def counted() -> AsyncIterator[workers.Pool]:
        opened[0] += 1
        async with real() as pool:
            yield pool

    monkeypatch.setattr(workers, "pool", counted)
    return opened


async def test_the_forkserver_goes_when_the_last_pool_closes() -> None:
    """Idle between runs (`serve`), the forkserver would keep its own copy of what it
    imported; it is stopped with the last pool, and the next pool starts one again."""
    import os
    from multiprocessing import forkserver

    for _ in range(2):
        async with workers.pool() as outer:
            async with workers.pool() as inner:
                assert await inner.run(int, "7") == 7
            server = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
            assert server is not None  # the outer pool is still open: still serving
            assert await outer.run(int, "8") == 8
        await workers.settled()  # stopped while the caller goes on
        assert forkserver._forkserver._forkserver_pid is None  # type: ignore[attr-defined]
        with pytest.raises(ProcessLookupError):
            os.kill(server, 0)


async def test_a_pool_is_ready_once_its_workers_are_up_while_the_loop_is_busy() -> None:
    """The first feeds are parsed in this process, one per turn of the event loop, until
    the workers are up: the pool must say so while the loop is still busy with them (it
    used to wait for the loop to run the starting thread's callback, up to 0.45 s of a
    big run's start with both workers up and idle)."""
    import time

    async with workers.pool() as pool:
        deadline = time.monotonic() + 60
        while not pool.ready and time.monotonic() < deadline:
            time.sleep(0.01)  # a step that never gives the loop a turn
        assert pool.ready
        assert await pool.run(int, "9") == 9  # and jobs go to the workers at once


# Evaluated in a worker: a builtin job, so unpickling it imports nothing of its own.
LOADED = "sorted({m.split('.')[0] for m in __import__('sys').modules} & {'redis', 'bot', 'httpx'})"


async def test_workers_import_only_what_parsing_and_judging_need() -> None:
    async with workers.pool() as pool:
        loaded = await pool.run(eval, LOADED)
        ready = await pool.run(eval, "'pipeline.parse' in __import__('sys').modules")
    assert loaded == []  # no Redis client, no bot, no HTTP client in a parse worker
    assert ready is True  # preloaded by the forkserver, not imported per job


# Run as a script, the way `aidaily` runs: its __main__ imports the bot (and so redis).
UNDER_THE_CLI = """
import asyncio, json, sys
import bot.cli  # what `aidaily`'s __main__ imports
from pipeline import workers

LOADED = "sorted({m.split('.')[0] for m in __import__('sys').modules} & {'redis', 'bot', 'httpx'})"
MAIN = "getattr(__import__('sys').modules['__main__'], '__file__', None)"

async def main() -> None:
    async with workers.pool() as pool:
        print(json.dumps([await pool.run(eval, LOADED), await pool.run(eval, MAIN)]))

if __name__ == "__main__":
    assert "bot" in sys.modules
    asyncio.run(main())
"""


def test_workers_do_not_re_run_the_callers_main_module(tmp_path: Path) -> None:
    # multiprocessing would re-run the caller's __main__ (`aidaily`: bot.cli) in every worker.
    script = tmp_path / "like_aidaily.py"
    script.write_text(UNDER_THE_CLI, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    loaded, main_file = json.loads(out.stdout)
    assert loaded == []  # no bot, no redis, no httpx in a worker
    assert main_file != str(script)  # and the script did not run again there


async def test_an_entry_the_reader_fails_on_costs_its_feed_nothing(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lead that cannot be read in the workers is judged from its text after clustering;
    the feed and the digest are whole."""
    from pipeline.intake import parse_noted

    feeds = run_module.POOL_MIN_FEEDS + 4
    settings = _settings(tmp_path, feeds)
    plain = await _digest_json(settings, store, HeuristicCurator(settings, defer_words=True))

    def picky(entry: Any) -> object:
        if "腾讯" in entry.title:
            raise ValueError("cannot read this one")
        return heuristic.read_lead(entry)

    noted = parse_noted(
        (tmp_path / "f0.xml").read_bytes(), settings.feeds[0],
        content_type=None, location=settings.feeds[0].url, now=CUTOFF, reader=picky,
    )  # fmt: skip
    assert None in noted.reads and noted.parsed.entries  # this feed has such an entry
    curator = HeuristicCurator(settings, defer_words=True)
    curator.entry_reader = picky
    monkeypatch.setattr(workers.Pool, "ready", False)  # read here: the reader is local
    assert await _digest_json(settings, store, curator) == plain


def test_a_worker_notes_and_reads_only_what_can_be_in_the_window(tmp_path: Path) -> None:
    """Entries dated outside the day's window are parsed (a feed's state keeps them) but
    neither noted nor read: the run drops them before clustering. Undated ones are read:
    their date is when they were first seen, known only in the main process."""
    from pipeline.intake import parse_noted

    settings = _settings(tmp_path, 1)
    start, end = settings.window(DAY)
    noted = parse_noted(
        (tmp_path / "f0.xml").read_bytes(), settings.feeds[0],
        content_type=None, location=settings.feeds[0].url, now=CUTOFF,
        reader=heuristic.read_lead, window=(start.astimezone(UTC), end.astimezone(UTC)),
    )  # fmt: skip
    entries = noted.parsed.entries
    assert len(entries) == 12
    assert noted.notes is not None and noted.reads is not None
    skipped = [e.title for e, n in zip(entries, noted.notes, strict=True) if n is None]
    assert skipped == [e.title for e in entries if e.dated and not start < e.published_at <= end]
    assert len(skipped) == len(OLD)
    assert [r is None for r in noted.reads] == [n is None for n in noted.notes]
    assert not entries[UNDATED].dated and noted.notes[UNDATED] is not None


async def test_a_run_says_each_stage_as_it_reaches_it(tmp_path: Path, store: Store) -> None:
    """What `aidaily run` shows on a terminal: each stage in turn, with how much it holds
    (a big day spends seconds parsing after the last fetch, and grouping)."""
    settings = _settings(tmp_path, 24)  # enough feeds for the worker processes
    said: list[str] = []
    await run_module.run(
        settings,
        DAY,
        store,
        curator=HeuristicCurator(settings, defer_words=True),
        progress=said.append,
    )
    stages = [msg.split()[0] for msg in said]
    parsing = ["parsing"] if "parsing" in stages else []  # only if a parse outlasts the fetches
    assert stages == ["fetching", *parsing, "grouping", "curating", "storing"]
    assert said[0] == "fetching 25 feeds"
    assert said[stages.index("grouping")] == f"grouping {IN_WINDOW * 24} entries into stories"
    if parsing:
        assert re.fullmatch(r"parsing the last [0-9]+ feeds", said[1])
