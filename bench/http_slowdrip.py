"""Slow-drip clients against `aidaily serve`'s HTTP server, guarded and not, on loopback.

    .venv/bin/python -m bench.http_slowdrip [--clients 1000] [--hold 15]

The server runs in a child process (its resident memory is its own): once with
the service's uvicorn config (`bot.service.http_config`: bot/http_guard.py's
header timeout and connection cap) and once, as the baseline, with plain
uvicorn (what `serve` ran before issue 10). This process opens `--clients`
connections that each send a request line and then one header byte a second,
for `--hold` seconds. Printed per run: how many connections the server had
closed by the end, the server's RSS before and at the end, and its growth as a
ratio to the baseline's.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (after the path set-up: bench runs as a script)

CHILD = """
import asyncio, sys
import redis.asyncio as aioredis
import uvicorn
from bot.metrics import Metrics
from bot.service import _Uvicorn, bind, http_config
from bot.http import create_app
from pipeline.config import parse_settings
from pipeline.store import Store

async def main(mode):
    store = Store(aioredis.from_url("redis://127.0.0.1:1/0"), "redis://127.0.0.1:1/0")
    app = create_app(parse_settings({}, {}), store, metrics=Metrics())
    if mode == "guarded":
        config = http_config(app, Metrics())
    else:
        config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False)
    sock = bind("127.0.0.1", 0)
    print(sock.getsockname()[1], flush=True)
    await _Uvicorn(config).serve(sockets=[sock])

asyncio.run(main(sys.argv[1]))
"""


async def drip(port: int, hold_s: float, closed: list[int]) -> None:
    """One client: a request line, then a header byte a second; note when the server hangs up."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        closed.append(1)  # refused outright counts as closed
        return
    writer.write(b"POST /feishu/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: ")
    deadline = time.monotonic() + hold_s
    try:
        while time.monotonic() < deadline:
            try:
                data = await asyncio.wait_for(reader.read(1024), timeout=1.0)
            except TimeoutError:
                writer.write(b"a")
                await writer.drain()
                continue
            if not data or data.startswith(b"HTTP/1.1 "):
                closed.append(1)
                return
    except OSError:
        closed.append(1)
    finally:
        writer.close()


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 1e6


async def one_run(mode: str, clients: int, hold_s: float) -> tuple[int, float, float]:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        await asyncio.sleep(0.5)
        before = rss_mb(proc.pid)
        closed: list[int] = []
        tasks = [asyncio.create_task(drip(port, hold_s, closed)) for _ in range(clients)]
        await asyncio.sleep(hold_s - 0.5)
        at_end = rss_mb(proc.pid)
        await asyncio.gather(*tasks)
        return len(closed), before, at_end
    finally:
        proc.terminate()
        proc.wait(10)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--hold", type=float, default=15.0)
    args = ap.parse_args(argv)
    print(f"{args.clients} slow-drip clients held {args.hold:g} s")
    results = {m: asyncio.run(one_run(m, args.clients, args.hold)) for m in ("plain", "guarded")}
    base_growth = max(results["plain"][2] - results["plain"][1], 0.1)
    for mode, (closed, before, at_end) in results.items():
        growth = at_end - before
        print(
            f"{mode:8} closed by the server: {closed:5d}/{args.clients}  "
            f"RSS {before:6.1f} -> {at_end:6.1f} MB (+{growth:5.1f} MB, "
            f"{growth / base_growth:4.2f}x the baseline's growth)"
        )


if __name__ == "__main__":
    main()
