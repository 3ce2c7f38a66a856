"""CPU of the main process per fetched feed: what `pipeline.fetch.fetch_all` itself costs.

    .venv/bin/python -m bench.fetch_cost [--feeds 1000] [--concurrency 32] [--rounds 3]

The feeds (`--bytes` of body each, no delay, no compression) are served by the
fake feed host (`tests.fakes.feed_server.FeedServer`) in a forked child process,
so its CPU is not counted; the main process times `fetch_all` over all of them
with `time.process_time()` (user + system CPU of the process, the event loop's
thread and any resolver threads alike) and wall time. Each round opens its own
connections, as a run does. Prints every round and the median.

Baseline, in the same run and rounds: the same GETs through httpx the way fetch.py made
them before it moved to aiohttp (32 lanes, each an `httpx.AsyncClient` keeping one
connection, the body streamed raw), so the ratio is measured here, not remembered.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.config import FeedSettings, FetchSettings
from pipeline.fetch import fetch_all
from tests.fakes.feed_server import FeedServer


def serve(feeds: int, size: int, conn: Connection) -> None:
    """Child process: serve `feeds` bodies of `size` bytes until the parent says stop."""
    body = (b"<rss><channel>" + b"x" * size)[:size]
    with FeedServer() as server:
        conn.send([server.add(f"/feeds/{n}.xml", body) for n in range(feeds)])
        conn.recv()


async def one_round(urls: list[str], cfg: FetchSettings) -> tuple[float, float, int]:
    feeds = [
        FeedSettings(id=f"f{n}", name=f"f{n}", url=url, region="domestic")
        for n, url in enumerate(urls)
    ]
    cpu, wall = time.process_time(), time.perf_counter()
    results = await fetch_all(feeds, cfg, {})
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu, wall, sum(r.ok for r in results)


async def httpx_round(urls: list[str], concurrency: int) -> tuple[float, float, int]:
    """The baseline: fetch.py's httpx lanes (before aiohttp), over the same feeds."""
    import httpx

    lanes: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(limits=limits) for _ in range(concurrency)]
    for client in clients:
        lanes.put_nowait(client)

    async def one(url: str) -> bool:
        client = await lanes.get()
        try:
            async with client.stream("GET", url) as resp:
                body = b"".join([chunk async for chunk in resp.aiter_raw()])
            return resp.status_code == 200 and bool(body)
        finally:
            lanes.put_nowait(client)

    cpu, wall = time.process_time(), time.perf_counter()
    ok = sum(await asyncio.gather(*(one(u) for u in urls)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    for client in clients:
        await client.aclose()
    return cpu, wall, ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--bytes", type=int, default=4000, help="body size of each feed")
    ap.add_argument("--concurrency", type=int, default=32, help="fetch.concurrency")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    parent, child = mp.Pipe()
    proc = mp.get_context("fork").Process(
        target=serve, args=(args.feeds, args.bytes, child), daemon=True
    )
    proc.start()
    try:
        urls = parent.recv()
        cfg = FetchSettings(concurrency=args.concurrency)
        cpus, base = [], []
        for n in range(args.rounds):  # interleaved: the machine's drift hits both alike
            cpu, wall, ok = asyncio.run(one_round(urls, cfg))
            cpus.append(cpu)
            print(
                f"round {n + 1}: fetch_all  {ok}/{args.feeds} ok, wall {wall:.2f} s, CPU {cpu:.2f} s"
                f" = {cpu / args.feeds * 1000:.2f} ms per feed"
            )
            cpu, wall, ok = asyncio.run(httpx_round(urls, args.concurrency))
            base.append(cpu)
            print(
                f"round {n + 1}: httpx lanes {ok}/{args.feeds} ok, wall {wall:.2f} s, CPU {cpu:.2f} s"
                f" = {cpu / args.feeds * 1000:.2f} ms per feed (baseline)"
            )
        mid, mid_base = statistics.median(cpus), statistics.median(base)
        print(
            f"median CPU {mid:.2f} s = {mid / args.feeds * 1000:.2f} ms per feed; "
            f"baseline {mid_base / args.feeds * 1000:.2f} ms; ratio {mid / mid_base:.2f}x"
        )
    finally:
        parent.send("stop")
        proc.join(timeout=10)


if __name__ == "__main__":
    main()
