"""What aidaily itself costs per pushed message, and how close it paces to Telegram's limits.

    .venv/bin/python -m bench.push_cost [--chats 100000] [--free-chats 1000] [--paid-chats 6667]

A Telegram bot may send ~30 msg/s (1,000 msg/s with paid broadcast): the limit must
always be the platform's, never ours. Against a fake Bot API with no limit, in its
own process (a raw asyncio HTTP/1.1 keep-alive server answering getMe and
sendMessage with valid JSON, counting messages and exact repeats), on 127.0.0.1:

1. baseline, the fake's ceiling: a trivial raw-socket client (keep-alive, 64
   connections) posting sendMessage bodies as fast as it answers;
2. baselines, the library alone: python-telegram-bot's `Bot.send_message` 2,048 at a
   time, no Redis, no ledger: on PTB's stock HTTPXRequest (256 connections), and on
   aidaily's push Bot (`bot.telegram.request.PushRequest`, the same pool);
3. aidaily: `--chats` subscribers (full digest, 3 parts each) in a throwaway
   redis-server; the push path of `bot.push` (`TelegramChannel.jobs` then
   `bot.delivery.deliver`: ledger claim + send + record per part, per-chat pace)
   with paid-broadcast settings and the rate limiter lifted (1e9/s), run to its
   end (all 300,000 messages: ~3-4 minutes here), or stopped (cancelled, as serve's
   shutdown does) after `--seconds`. Measured in a fresh process: msg/s (messages
   the fake received / wall), CPU seconds of our process per 1,000 messages
   (getrusage), its peak RSS (ru_maxrss), duplicates; and the sending window (the
   fake's first to last message) with its rate, which leaves out the setup. The
   peak is not reached when the jobs are built but grows while the push sends:
   whatever the process keeps per sent part counts 300,000 times, so a stopped
   push understates it (it did: 193 MB after 90 s, 218 MB at the end);
4. paced, with `bot.push.push` itself: `--free-chats` x 3 at Telegram's 30 msg/s
   (aidaily paces at 29) and `--paid-chats` x 3 with `telegram.paid_broadcast`
   (1,000 msg/s): achieved rate / the limit.

Targets: (3) >= 1,000 msg/s and <= 200 MB; (4) >= 0.95 of 30 msg/s, >= 0.9 of 1,000 msg/s.
The machine has 2 cores: the fake takes one, aidaily (and redis-server) the other.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import logging
import multiprocessing as mp
import os
import re
import resource
import socket
import time
from datetime import UTC, datetime
from typing import Any, ClassVar

import redis.asyncio as aioredis

from bench.pipeline import _rss_kb, redis_server
from pipeline.models import Subscriber
from pipeline.render import View, render_telegram
from pipeline.store import Keys, Store
from tests.factories import make_digest

TOKEN = "123456:BENCH-token"
PARTS_OF = "full digest"
_LENGTH = re.compile(rb"(?i)\r\ncontent-length:\s*(\d+)")
_CHAT = re.compile(rb'chat_id"?[=:] ?"?(-?\d+)')  # a form or a JSON body
_PAID = re.compile(rb'allow_paid_broadcast"?[=:] ?true')
_ME = json.dumps(
    {
        "ok": True,
        "result": {"id": 123456, "is_bot": True, "first_name": "AI", "username": "AidailyBot"},
    }
).encode()


# -- the fake Bot API, in its own process -------------------------------------------------


class _Api(asyncio.Protocol):
    """HTTP/1.1 keep-alive: getMe, sendMessage (a valid Message back), GET /stats."""

    # one server per process; first/last: wall-clock times of the first and last message
    stats: ClassVar[dict[str, Any]] = {"sent": 0, "paid": 0, "first": 0.0, "last": 0.0}
    seen: ClassVar[set[bytes]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.t: asyncio.Transport = transport  # type: ignore[assignment]
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            m = _LENGTH.search(self.buf, 0, end + 2)
            n = int(m.group(1)) if m else 0
            if len(self.buf) < end + 4 + n:
                return
            head, body = self.buf[:end], self.buf[end + 4 : end + 4 + n]
            self.buf = self.buf[end + 4 + n :]
            self._answer(head.split(b" ", 2)[1], body)

    def _answer(self, path: bytes, body: bytes) -> None:
        if path.endswith(b"/sendMessage"):
            now = time.time()
            self.stats["first"] = self.stats["first"] or now
            self.stats["last"] = now
            self.stats["sent"] += 1
            self.stats["paid"] += _PAID.search(body) is not None
            self.seen.add(hashlib.blake2b(body, digest_size=12).digest())
            m = _CHAT.search(body)
            chat = int(m.group(1)) if m else 1
            out = (
                b'{"ok":true,"result":{"message_id":%d,"date":%d,"chat":{"id":%d,'
                b'"type":"private"},"text":"ok"}}' % (self.stats["sent"], int(time.time()), chat)
            )
        elif path.endswith(b"/getMe"):
            out = _ME
        elif path == b"/stats":
            stats = {**self.stats, "distinct": len(self.seen)}
            out = json.dumps(stats).encode()
        elif path == b"/reset":
            self.stats.update(sent=0, paid=0, first=0.0, last=0.0)
            self.seen.clear()
            out = b"{}"
        else:
            out = b'{"ok":true,"result":true}'
        self.t.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (len(out), out)
        )


def _serve_api(port: int) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Api, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> dict[str, Any]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            data += s.recv(65536)
    return dict(json.loads(data.split(b"\r\n\r\n", 1)[1]))


# -- the measured work, each in a fresh process ---------------------------------------------


def _usage() -> tuple[float, float]:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024  # CPU s, peak MB (Linux: KiB)


def _raw_client(port: int, messages: int, conns: int) -> dict[str, float]:
    body = b"chat_id=1&text=%3Cb%3E" + b"x" * 2000 + b"%3C%2Fb%3E&parse_mode=HTML"
    req = (
        b"POST /bot%s/sendMessage HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n%s"
        % (TOKEN.encode(), len(body), body)
    )

    async def one(n: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(n):
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
            m = _LENGTH.search(b"\r\n" + head)
            await reader.readexactly(int(m.group(1)) if m else 0)
        writer.close()

    async def main() -> float:
        started = time.monotonic()
        await asyncio.gather(*(one(messages // conns) for _ in range(conns)))
        return time.monotonic() - started

    wall = asyncio.run(main())
    return {"messages": messages // conns * conns, "wall": wall}


def _ptb_alone(base: str, messages: int, concurrency: int, stock: bool) -> dict[str, float]:
    """`Bot.send_message` alone: on aidaily's push Bot, or on PTB's stock HTTPXRequest."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.telegram.push import PAID_PUSH_POOL, push_bot
    from pipeline.config import parse_settings

    settings = parse_settings(
        {"telegram": {"base_url": base, "paid_broadcast": True}}, {"TELEGRAM_BOT_TOKEN": TOKEN}
    )
    text = render_telegram(make_digest(), View())[0]

    async def run(bot: Bot) -> float:
        gate = asyncio.Semaphore(concurrency)

        async def send(chat: int) -> None:
            async with gate:
                await bot.send_message(
                    chat_id=chat, text=text, parse_mode="HTML", allow_paid_broadcast=True
                )

        started = time.monotonic()
        await asyncio.gather(*(send(c) for c in range(1, messages + 1)))
        return time.monotonic() - started

    async def main() -> float:
        if stock:
            request = HTTPXRequest(connection_pool_size=PAID_PUSH_POOL, pool_timeout=60)
            async with Bot(TOKEN, base_url=base, request=request) as bot:
                return await run(bot)
        async with push_bot(settings) as bot:
            return await run(bot)

    cpu0, _ = _usage()
    wall = asyncio.run(main())
    cpu1, peak = _usage()
    return {"messages": messages, "wall": wall, "cpu": cpu1 - cpu0, "peak_mb": peak}


def _aidaily(
    redis_url: str, prefix: str, port: int, day: str, mode: str, seconds: float | None = None
) -> dict[str, Any]:
    """`mode`: "unlimited" (the push path with the limiter lifted), "free" or "paid" (push()).

    With `seconds`, the push is stopped (cancelled, as serve's shutdown does) after that
    long and the messages the fake received by then are counted."""
    base = f"http://127.0.0.1:{port}/bot"
    from bot.delivery import RateLimiter, deliver
    from bot.push import push
    from bot.telegram.push import TelegramChannel, push_bot
    from pipeline.config import parse_settings

    telegram = {"base_url": base, "paid_broadcast": mode != "free"}
    settings = parse_settings({"telegram": telegram}, {"TELEGRAM_BOT_TOKEN": TOKEN})

    async def main() -> dict[str, Any]:
        # the pool aidaily's own store uses (pipeline.store.open_store), under a bench prefix
        pool = aioredis.BlockingConnectionPool.from_url(redis_url, max_connections=64, timeout=10)
        store = Store(aioredis.Redis.from_pool(pool), redis_url, Keys(prefix))
        try:
            cpu0, _ = _usage()
            started = time.monotonic()
            report = None
            rss: list[float] = []  # the RSS every RSS_EVERY_S s: growth while sending shows
            sampler = asyncio.create_task(_sample_rss(rss))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    if mode == "unlimited":
                        digest = await store.get_digest(day)
                        assert digest is not None
                        async with push_bot(settings) as bot:
                            limiter = RateLimiter(1e9)
                            channel = TelegramChannel(settings, store, bot, limiter=limiter)
                            jobs = await channel.jobs(digest, None)
                            report = await deliver(
                                store, day, jobs, concurrency=channel.concurrency
                            )
                    else:
                        report = await push(settings, store, day, channel="telegram")
            wall = time.monotonic() - started
            sampler.cancel()
            cpu1, peak = _usage()
            return {
                "rss": rss,
                "messages": _get(port, "/stats")["sent"],
                "wall": wall,
                "cpu": cpu1 - cpu0,
                "peak_mb": peak,
                "ok": report.ok if report else "stopped",
            }
        finally:
            await store.close()

    return asyncio.run(main())


RSS_EVERY_S = 15.0


async def _sample_rss(into: list[float]) -> None:
    """Append this process's resident MB to `into` every RSS_EVERY_S seconds, until cancelled."""
    pid = os.getpid()
    while True:
        await asyncio.sleep(RSS_EVERY_S)
        into.append(_rss_kb(pid) / 1024)


def _in_child(fn: Any, *args: Any) -> Any:
    """Run `fn(*args)` in a fresh process (its own CPU time and peak RSS); return its result."""
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(fn, args)


# -- the bench -----------------------------------------------------------------------------


async def _seed(redis_url: str, prefix: str, chats: int) -> tuple[str, int]:
    """A stored digest and `chats` subscribers, written in pipelined batches; (date, parts)."""
    store = Store(aioredis.from_url(redis_url), redis_url, Keys(prefix))
    digest = make_digest()
    await store.save_digest(digest, [])
    since = datetime.now(UTC)
    template = Subscriber(channel="telegram", chat_id="0", since=since)
    for start in range(1, chats + 1, 5000):
        async with store.r.pipeline(transaction=False) as p:
            ids = [str(c) for c in range(start, min(start + 5000, chats + 1))]
            for chat in ids:
                p.set(
                    store.k.sub("telegram", chat),
                    template.model_copy(update={"chat_id": chat}).model_dump_json(),
                )
            p.sadd(store.k.subs("telegram"), *ids)
            await p.execute()
    await store.r.aclose()
    return digest.date, len(render_telegram(digest, View()))


def _line(name: str, r: dict[str, Any], extra: str = "") -> str:
    rate = r["messages"] / r["wall"]
    text = f"  {name:<34} {r['messages']:>7} msgs  {r['wall']:7.1f} s  {rate:8.0f} msg/s"
    if "cpu" in r:
        text += f"  CPU {r['cpu'] / r['messages'] * 1000:5.2f} s/1k msgs  peak RSS {r['peak_mb']:6.0f} MB"
    return text + extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--free-chats", type=int, default=1000)
    parser.add_argument("--paid-chats", type=int, default=6667)
    parser.add_argument("--ptb-messages", type=int, default=10_000)
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="stop the 100k push after this long (default: run it to its end)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    port = _free_port()
    api = mp.get_context("spawn").Process(target=_serve_api, args=(port,), daemon=True)
    api.start()
    base = f"http://127.0.0.1:{port}/bot"
    deadline = time.monotonic() + 10
    while True:
        try:
            _get(port, "/reset")
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        with redis_server() as url:
            print(f"Push cost: fake Bot API in its own process on 127.0.0.1:{port}, redis-server")
            raw = _in_child(_raw_client, port, 100_000, 64)
            print(_line("baseline: fake API ceiling (raw)", raw))
            _get(port, "/reset")
            stock = _in_child(_ptb_alone, base, args.ptb_messages // 10, 2048, True)
            print(_line("baseline: PTB stock HTTPXRequest", stock))
            ptb = _in_child(_ptb_alone, base, args.ptb_messages, 2048, False)
            print(_line("baseline: PTB on aidaily's push Bot", ptb))
            _get(port, "/reset")

            day, parts = asyncio.run(_seed(url, "bench-cost", args.chats))
            print(
                f"  aidaily: {args.chats} subscribers x {parts} parts ({PARTS_OF}), limiter lifted"
                + (f", stopped after {args.seconds:g} s" if args.seconds else ", to its end")
            )
            ours = _in_child(_aidaily, url, "bench-cost", port, day, "unlimited", args.seconds)
            seen = _get(port, "/stats")
            dup = seen["sent"] - seen["distinct"]
            print(_line("aidaily push, no limit", ours, f"  duplicates {dup}  ok={ours['ok']}"))
            print(
                f"  RSS while it ran, every {RSS_EVERY_S:g} s (MB): "
                + " ".join(f"{mb:.0f}" for mb in ours["rss"])
            )
            rate = ours["messages"] / ours["wall"]
            window = max(seen["last"] - seen["first"], 1e-9)
            print(
                f"  sending window (first to last message at the fake): {window:.1f} s,"
                f" {seen['sent'] / window:.0f} msg/s; before it {ours['wall'] - window:.1f} s"
                " (starting, reading subscribers, building jobs; the stop's wind-down after)"
            )
            print(
                f"  ratios: aidaily / PTB alone {rate / (ptb['messages'] / ptb['wall']):.2f}; "
                f"aidaily / 1,000 msg/s target {rate / 1000:.2f}; "
                f"peak RSS / 200 MB {ours['peak_mb'] / 200:.2f}"
            )
            for mode, chats, limit in (
                ("free", args.free_chats, 30.0),
                ("paid", args.paid_chats, 1000.0),
            ):
                _get(port, "/reset")
                prefix = f"bench-{mode}"
                day, parts = asyncio.run(_seed(url, prefix, chats))
                paced = _in_child(_aidaily, url, prefix, port, day, mode)
                seen = _get(port, "/stats")
                rate = paced["messages"] / paced["wall"]
                print(
                    _line(f"push(), {mode} ({limit:.0f} msg/s limit)", paced)
                    + f"  rate / limit {rate / limit:.3f}  paid-flagged {seen['paid']}"
                    f"  duplicates {seen['sent'] - seen['distinct']}"
                )
    finally:
        api.terminate()
        api.join(5)


if __name__ == "__main__":
    main()
