"""Answer time of /why N and /today with 200 updates at once.

    .venv/bin/python -m bench.telegram_commands [--updates 200]

Inside the bot: what the Telegram handler does per update before the network —
`Commands.handle` (Redis reads, the chat's shown digest) plus `TelegramBot.render`
(HTML rendering and splitting, cached per digest view) — timed per update, first
one after another (the cost of one update), then with all `--updates` in flight
at once on one event loop (queueing included), against a throwaway redis-server.
The baseline is the one Redis read a command cannot avoid (`Store.get_digest`),
timed the same way. Then, for reference, the same burst end to end: python-telegram-bot
polling the fake Bot API (tests/fakes/telegram_server.py), from the updates being
queued to the last answer recorded (this includes the fake's network).

Target: p99 ≤ 50 ms inside the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from bench.pipeline import redis_server
from bot.commands import ChatContext
from bot.telegram.bot import TelegramBot, build_application, start_telegram, stop_telegram
from pipeline.config import parse_settings
from pipeline.store import Keys, Store
from tests.factories import make_digest
from tests.fakes.telegram_server import TOKEN, FakeTelegram


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def burst(n: int, one: Callable[[int], Awaitable[None]], *, at_once: bool) -> list[float]:
    """Run `one(i)` for n updates, all at once or one after another; each one's time in ms."""

    async def timed(i: int) -> float:
        started = time.perf_counter()
        await one(i)
        return (time.perf_counter() - started) * 1000

    if at_once:
        return list(await asyncio.gather(*(timed(i) for i in range(n))))
    return [await timed(i) for i in range(n)]


def line(name: str, ms: list[float], base: list[float] | None = None) -> str:
    text = f"    {name:<26} p50 {statistics.median(ms):6.2f} ms   p99 {pct(ms, 99):7.2f} ms"
    if base:
        text += f"   p99 / baseline p99 {pct(ms, 99) / pct(base, 99):5.1f}x"
    return text


async def inside(store: Store, bot: TelegramBot, n: int) -> None:
    digest = make_digest()

    async def baseline(i: int) -> None:
        await store.get_digest(digest.date)

    def command(text: Callable[[int], str]) -> Callable[[int], Awaitable[None]]:
        async def one(i: int) -> None:
            ctx = ChatContext(channel="telegram", chat_id=str(1000 + i))
            bot.render(await bot.commands.handle(ctx, text(i)))

        return one

    await burst(n, baseline, at_once=True)  # open the connection pool's connections
    print(f"Inside the bot (Commands.handle + TelegramBot.render), {n} updates:")
    for at_once in (False, True):
        print(
            "  one after another (cost per update):"
            if not at_once
            else f"  all {n} at once on one event loop:"
        )
        base = await burst(n, baseline, at_once=at_once)
        why = await burst(n, command(lambda i: f"/why {i % 27 + 1}"), at_once=at_once)
        today = await burst(n, command(lambda i: "/today"), at_once=at_once)
        print(line("baseline: Store.get_digest", base))
        print(line("/why N", why, base))
        print(line("/today (3 messages)", today, base))


async def end_to_end(store: Store, n: int) -> None:
    async with FakeTelegram() as tg:
        settings = parse_settings(
            {"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": TOKEN}
        )
        app = build_application(settings, store)
        await start_telegram(app, settings, poll_timeout=1)
        try:
            for text, parts in (("/why 5", 1), ("/today", 3)):
                before = len(tg.sent)
                started = time.perf_counter()
                for i in range(n):
                    tg.command(5000 + i, text)
                await tg.wait_sent(before + n * parts, timeout=120)
                wall = time.perf_counter() - started
                floor = n * parts / 30
                print(
                    f"  end to end via PTB + fake: {n} x {text:<7} all {n * parts} answers in {wall:5.1f} s "
                    f"(at 30 msg/s, which AIORateLimiter keeps: ≈{floor:.1f} s)"
                )
        finally:
            await stop_telegram(app)


async def bench(n: int, redis_url: str) -> None:
    store = Store(
        aioredis.from_url(redis_url, max_connections=256), redis_url, Keys("aidaily-bench-cmd")
    )
    await store.save_digest(make_digest(), [])
    settings = parse_settings({}, {"TELEGRAM_BOT_TOKEN": TOKEN})
    await inside(store, TelegramBot(settings, store), n)
    await end_to_end(store, n)
    await store.r.flushdb()
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()
    with redis_server() as url:
        asyncio.run(bench(args.updates, url))


if __name__ == "__main__":
    main()
