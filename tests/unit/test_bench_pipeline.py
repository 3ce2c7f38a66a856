"""bench/pipeline.py's process sampling, when a process exits while it is being read."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bench.pipeline as bench


class _Exiting(type(Path())):  # type: ignore[misc]
    """/proc/PID/task as it is when the process exits between the listing and the read."""

    def glob(self, pattern: str):  # type: ignore[no-untyped-def,override]
        raise FileNotFoundError(2, "No such file or directory", str(self))


def test_a_process_that_exits_mid_read_has_no_children(monkeypatch: pytest.MonkeyPatch) -> None:
    # It used to raise, which ended the sampling thread: the rest of the row's peak
    # memory and CPU went unread.
    monkeypatch.setattr(bench, "Path", _Exiting)
    assert bench._children(os.getpid()) == []


def test_a_process_gone_reads_as_no_children_and_no_ticks() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert bench._children(proc.pid) == []
    assert bench._cpu_ticks(proc.pid) == 0


def test_a_live_process_lists_its_children() -> None:
    code = (
        "import subprocess, sys, time; "
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(5)']); time.sleep(5)"
    )
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 5
        while not bench._children(parent.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(bench._children(parent.pid)) == 1
    finally:
        for kid in bench._children(parent.pid):
            subprocess.run(["kill", str(kid)], check=False)
        parent.kill()
        parent.wait()


def test_cores_used_reads_each_half_second_from_the_ticks() -> None:
    memory = bench.TreeMemory(exclude=0)
    hz = os.sysconf("SC_CLK_TCK")
    # This process busy on one core for the first half second, then the workers on two.
    memory.series = [(0.0, 0, 0), (0.5, hz // 2, 0), (0.51, hz // 2, 0), (1.0, hz // 2, hz)]
    assert memory.cores_used(0.0, 1.0) == "1.0/0.0 0.0/2.0"


@pytest.mark.parametrize("old", ["-1", "101"])
def test_old_outside_a_percent_is_refused_in_one_line(
    old: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        bench.main(["--old", old])
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.endswith(f"error: --old {old}: a percent of each feed's items, from 0 to 100")
