"""Worker processes for a run's CPU-bound steps (parsing feeds, judging stories): one pool.

A big run opens one pool (`pool`) for its whole length; parsing uses it while the
feeds arrive and the heuristic curator's judging borrows the same warm workers
(`borrow`), instead of starting a second pool when the first has ended.

Workers come from a forkserver that has imported only what the jobs need
(`PRELOAD`): a worker is forked ready and loads neither redis nor httpx, nor
anything of `bot`: unlike multiprocessing's default, it does not re-run the
caller's `__main__` (`_Popen`).

Workers die with the process that opened the pool, even when it is killed with
SIGKILL: their parent is the forkserver, which outlives the caller, so each
worker watches the caller's pid itself (a pidfd, polled where there is none)
and exits when it is gone. The forkserver and multiprocessing's resource
tracker then see their pipes close and exit on their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gc
import io
import os
import select
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from typing import Any, TypeVar

WORKERS = 2
# Imported once in the forkserver, inherited by every worker it forks.
PRELOAD = ["pipeline.intake", "pipeline.curate.heuristic"]
POLL_S = 0.5  # how often a worker without pidfd support checks on its caller

_open: contextvars.ContextVar[Pool | None] = contextvars.ContextVar(
    "pipeline_workers", default=None
)

T = TypeVar("T")


class Pool:
    """Worker processes that run a job at a time each; jobs wait until the workers are up."""

    def __init__(
        self, executor: ProcessPoolExecutor, started: asyncio.Future[None], up: threading.Event
    ) -> None:
        self._executor = executor
        self._started = started
        self._up = up

    @property
    def ready(self) -> bool:
        """True once every worker is up (`run` before that waits for them).

        Read from the starting thread's own flag, not from `started`: that future is done
        only once the event loop has run the thread's callback and two steps after it, and
        a loop busy with the first feeds (parsed here while the workers start, one per
        step) took up to 0.45 s to get there, the workers idle all the while."""
        return self._up.is_set()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker; raises BrokenProcessPool if the worker died."""
        if not self._up.is_set():  # one caller giving up must not stop the start
            await asyncio.shield(self._started)
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)


def available() -> bool:
    """Worker processes pay off only with a second core to run them on."""
    return (os.cpu_count() or 1) >= 2


@contextlib.asynccontextmanager
async def pool() -> AsyncIterator[Pool]:
    """A pool of `WORKERS` processes that die with this one; `borrow` finds it while open."""
    # forkserver, not fork: forking a process that runs threads (the event loop's resolver,
    # redis, the caller's) can copy a held lock into the child.
    await settled()  # the last pool's forkserver, if still stopping, is gone first
    context = _Context()
    context.set_forkserver_preload(PRELOAD)
    executor = ProcessPoolExecutor(
        max_workers=WORKERS, mp_context=context, initializer=_die_with, initargs=(os.getpid(),)
    )
    # Start the workers now, while the first feeds are on the wire, and in a thread: starting
    # one waits for the forkserver's imports (~0.3 s, seconds on a busy machine), which on
    # the event loop held every fetch back.
    up = threading.Event()
    # Submitted here, not in a task that would wait for the loop's next turn.
    started = asyncio.get_running_loop().run_in_executor(None, _start, executor, up)
    opened = Pool(executor, started, up)
    token = _open.set(opened)
    _pools[0] += 1
    try:
        yield opened
    finally:
        _open.reset(token)
        _pools[0] -= 1
        with contextlib.suppress(Exception):
            await asyncio.shield(started)
        # Not waiting for the workers to exit: they leave on their own within moments.
        executor.shutdown(wait=False, cancel_futures=True)
        if _pools[0] == 0:
            # Not waited for here: the forkserver's exit (~50 ms) overlaps the caller's next
            # step (a run's clustering), and `settled` waits for it; in a thread of its own,
            # not the loop's executor, which may close first (a test's loop).
            stop = threading.Thread(target=_stop_forkserver, name="forkserver-stop", daemon=True)
            stop.start()
            _stopping.append(stop)


_pools = [0]  # pools open in this process
_stopping: list[threading.Thread] = []  # forkservers being stopped


async def settled() -> None:
    """Return once the forkserver of the last pool closed is gone (a run waits for it before
    it returns: no process of its outlives it)."""
    while _stopping:
        stop = _stopping.pop()
        if stop.is_alive():
            await asyncio.to_thread(stop.join)


def _stop_forkserver() -> None:
    """Stop the forkserver once no pool is open: idle, it holds its own copy of everything
    it imported (~30 MB, at the end of a big run's fetching its peak, and all day long in
    `serve` between daily runs). The next pool starts one again (~0.3 s, while the first
    feeds are on the wire). multiprocessing's `_stop` (what its own tests use): it closes
    the server's "alive" pipe, and the server exits; the workers it forked exit on their
    own (`executor.shutdown`)."""
    with contextlib.suppress(Exception):
        forkserver._forkserver._stop()  # type: ignore[attr-defined]


@contextlib.asynccontextmanager
async def borrow() -> AsyncIterator[Pool]:
    """The pool the current run opened, or one of our own for as long as we need it."""
    current = _open.get()
    if current is not None:
        yield current
        return
    async with pool() as opened:
        yield opened


class _Popen(popen_forkserver.Popen):
    """Starts a worker from the forkserver as multiprocessing does, less one step: the
    worker does not re-run the caller's `__main__` (`aidaily`, i.e. `bot.cli`; a bench or
    test script), which multiprocessing does in case a job is a function defined there.
    Jobs here are functions of `pipeline` modules, so a worker loads only those."""

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_name", None)
        prep_data.pop("init_main_from_path", None)
        # The rest as in multiprocessing.popen_forkserver.Popen._launch.
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        parent_w = os.dup(w)  # the child's sentinel of this process, as upstream keeps it
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))  # type: ignore[attr-defined]
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(mp_context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:
        return _Popen(process_obj)


class _Context(mp_context.ForkServerContext):
    """The forkserver context, with workers that do not re-run the caller's `__main__`."""

    Process = _Process


def _start(executor: ProcessPoolExecutor, up: threading.Event) -> None:
    """Spawn every worker: each submission finding no idle worker starts one; then `up`."""
    for job in [executor.submit(int) for _ in range(WORKERS)]:
        job.result()
    up.set()


def _die_with(caller: int) -> None:
    """Worker initializer: exit as soon as `caller` exits, however it ends."""
    # Ctrl-C reaches the whole process group: the caller stops its workers itself, without
    # a KeyboardInterrupt traceback from each of them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(caller,), name="watch-caller", daemon=True).start()
    # What the forkserver imported is shared with it page by page until written to; the
    # cycle collector, walking it, wrote to every page (the worker's own copy of each).
    gc.freeze()


def _watch(caller: int) -> None:
    try:
        fd = os.pidfd_open(caller)
    except ProcessLookupError:  # gone before we started watching
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd (old kernel, not Linux): poll instead
        while _alive(caller):
            time.sleep(POLL_S)
        os._exit(1)
    select.select([fd], [], [])  # readable once the process has exited
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
