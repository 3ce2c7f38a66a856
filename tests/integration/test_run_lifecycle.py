"""`aidaily run` leaves nothing behind when it is stopped: SIGTERM stops it cleanly (the
embedded Redis too), and after SIGKILL its worker processes, forkserver and resource
tracker exit by themselves. A real `aidaily run` over 20 slow local feeds, stopped while
its parse workers are up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import run as run_module
from pipeline import workers
from tests.conftest import ROOT
from tests.fakes.feed_server import RSS, FeedServer

FEEDS = run_module.POOL_MIN_FEEDS + 4  # enough for the run to parse in worker processes
GONE_WITHIN_S = 10.0


@pytest.fixture
def slow_feeds() -> Iterator[list[str]]:
    """Feeds that answer after a minute: the run is still fetching when it is stopped."""
    with FeedServer() as server:
        yield [server.add(f"/f{n}.xml", RSS.encode(), delay_s=60) for n in range(FEEDS)]


@pytest.fixture
def config(tmp_path: Path, slow_feeds: list[str]) -> Path:
    lines = [f"redis:\n  data_dir: {tmp_path / 'data'}", "fetch:\n  timeout_s: 90", "feeds:"]
    lines += [
        f"  - {{id: f{n}, name: 源{n}, url: '{url}', region: domestic}}"
        for n, url in enumerate(slow_feeds)
    ]
    path = tmp_path / "config.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def started(config: Path) -> Iterator[tuple[subprocess.Popen[str], list[int], int]]:
    """`aidaily run` with its helper processes up: (process, their pids, embedded redis pid)."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    helpers: list[int] = []
    redis_pid = 0
    try:
        helpers = _wait_for_workers(proc.pid)
        redis_pid = _embedded_redis_pid(config.parent / "data")
        yield proc, helpers, redis_pid
    finally:  # whatever the test did, leave nothing running
        for pid in {proc.pid, *_descendants(proc.pid), *helpers, redis_pid}:
            if pid and _alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


def test_sigterm_stops_the_run_its_workers_and_the_embedded_redis(
    started: tuple[subprocess.Popen[str], list[int], int],
) -> None:
    proc, helpers, redis_pid = started
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=GONE_WITHIN_S)
    stderr = proc.stderr.read() if proc.stderr else ""

    assert code == 128 + signal.SIGTERM
    assert stderr.strip().splitlines()[-1] == "aidaily run: stopped by SIGTERM"
    assert _all_gone([*helpers, redis_pid]) == []


def test_after_sigkill_the_worker_processes_exit_by_themselves(
    started: tuple[subprocess.Popen[str], list[int], int],
) -> None:
    proc, helpers, _ = started
    proc.kill()
    proc.wait(timeout=GONE_WITHIN_S)
    # The forkserver, the resource tracker and both workers: none outlives the run.
    assert len(helpers) >= 2 + workers.WORKERS
    assert _all_gone(helpers) == []


def _wait_for_workers(pid: int) -> list[int]:
    """The run's helper processes, once both parse workers have started."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # resource tracker + forkserver (children), and the workers the forkserver forked
        helpers = [p for p in _descendants(pid) if b"multiprocessing" in _cmdline(p)]
        if len(helpers) >= 2 + workers.WORKERS:
            return helpers
        time.sleep(0.1)
    raise AssertionError(f"the run's worker processes never started: {_descendants(pid)}")


def _embedded_redis_pid(data_dir: Path) -> int:
    deadline = time.monotonic() + 30
    settings = data_dir / "aidaily.rdb.settings"
    while time.monotonic() < deadline:
        try:
            pidfile = Path(json.loads(settings.read_text())["pidfile"])
            return int(pidfile.read_text().strip())
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)
    raise AssertionError(f"the embedded redis never started under {data_dir}")


def _all_gone(pids: list[int]) -> list[int]:
    """The pids still running after GONE_WITHIN_S, polled."""
    deadline = time.monotonic() + GONE_WITHIN_S
    while time.monotonic() < deadline:
        left = [pid for pid in pids if _alive(pid)]
        if not left:
            return []
        time.sleep(0.1)
    return [pid for pid in pids if _alive(pid)]


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*/children"):
            try:
                kids = [int(k) for k in task.read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its parent to reap it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"
