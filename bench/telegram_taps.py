"""How fast a button press is answered (answerCallbackQuery) with 200 taps in flight.

    .venv/bin/python -m bench.telegram_taps [--taps 200]

Server side, end to end: python-telegram-bot (the service's `build_application`,
64 updates handled at once, as `aidaily serve` runs it) polls the fake Bot API
(tests/fakes/telegram_server.py) on 127.0.0.1; 200 chats each got a brief digest
with its keyboard, then all 200 tap at once. Each answer's time is taken in the
fake, from getUpdates handing the callback query to the bot to the
answerCallbackQuery request arriving: the bot's own time, its HTTP round trip
to the fake included, Telegram's network not. Three rounds of 200:

    forged     callback data that fails validation: a toast, no Redis (the floor)
    why        w:D:N: answered, then the why sent as a new message
    view       c:D: answered, then the message edited in place (+1 part sent)

Inside the bot (the target's "server side", as bench/telegram_commands.py measures
commands): what `TelegramBot.on_tap` does before answerCallbackQuery goes out, 200
at once on one event loop against a throwaway redis-server — a view switch is
answered once `bot.buttons.check` passed (validation, the pin: one round trip), a why
of a digest item once `check` also read the digest (a cached parse); what follows
(the command, the render) is timed too, as "+ edit/message ready". The baselines, in
the same run and the same way, are a plain /help and a typed /why N (`Commands.handle`
+ render); end to end, the forged round.

Target: answer p99 ≤ 50 ms server side.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import redis.asyncio as aioredis

from bench.pipeline import redis_server
from bench.telegram_commands import burst, line
from bot.buttons import Tap, check, run, tap
from bot.commands import ChatContext, Reply
from bot.telegram.bot import TelegramBot, build_application, start_telegram, stop_telegram
from bot.telegram.push import push_bot
from pipeline.config import Settings, parse_settings
from pipeline.render import View
from pipeline.store import Keys, Store
from tests.factories import make_digest
from tests.fakes.telegram_server import TOKEN, FakeTelegram

DAY = make_digest().date
FIRST_CHAT = 7000


async def inside(store: Store, bot: TelegramBot, n: int) -> None:
    """What `TelegramBot.on_tap` does before answerCallbackQuery, vs a /help's answer, n at once."""

    def ctx(i: int) -> ChatContext:
        return ChatContext(channel="telegram", chat_id=str(FIRST_CHAT + i))

    async def help_(i: int) -> None:
        bot.rendered(await bot.commands.handle(ctx(i), "/help"))

    async def why_typed(i: int) -> None:
        bot.rendered(await bot.commands.handle(ctx(i), f"/why {i % 27 + 1}"))

    async def view_answer(i: int) -> None:  # a valid view switch is answered after `check`
        assert not isinstance(await check(bot.commands, ctx(i), f"c:{DAY}"), Tap)

    async def view_all(i: int) -> None:  # ... and then runs its command and renders the edit
        press = await check(bot.commands, ctx(i), f"c:{DAY}")
        assert not isinstance(press, Tap)
        result = await run(bot.commands, ctx(i), press)
        assert result.reply is not None
        bot.rendered(result.reply)

    async def why_answer(i: int) -> None:  # a why of a digest item: answered after `check`
        press = await check(bot.commands, ctx(i), f"w:{DAY}:{i % 27 + 1}")
        assert not isinstance(press, Tap) and press.sure

    async def why(i: int) -> None:  # ... and then runs its command and renders the message
        result = await tap(bot.commands, ctx(i), f"w:{DAY}:{i % 27 + 1}")
        assert result.reply is not None
        bot.rendered(result.reply)

    async def forged(i: int) -> None:
        assert isinstance(await check(bot.commands, ctx(i), "x:forged"), Tap)

    await burst(n, why, at_once=True)  # open the Redis pool's connections, fill the caches
    print(f"Inside the bot, {n} at once on one event loop (time until the answer can go out):")
    base = await burst(n, help_, at_once=True)
    typed = await burst(n, why_typed, at_once=True)
    print(line("baseline: /help", base))
    print(line("baseline: /why N typed", typed, base))
    print("  taps (ratio against /why N typed):")
    print(line("forged tap", await burst(n, forged, at_once=True), typed))
    print(line("view switch: answer", await burst(n, view_answer, at_once=True), typed))
    print(line("view switch: + edit ready", await burst(n, view_all, at_once=True), typed))
    print(line("why N: answer", await burst(n, why_answer, at_once=True), typed))
    print(line("why N: + message ready", await burst(n, why, at_once=True), typed))


async def digests_with_keyboards(settings: Settings, store: Store, n: int) -> dict[int, int]:
    """Each chat gets the brief digest with its keyboard; chat -> message id."""
    handlers = TelegramBot(settings, store)
    (text,), markup = handlers.rendered(
        Reply(digest=make_digest(), view=View(brief=True, brief_count=5))
    )
    async with push_bot(settings) as bot:
        sent = await asyncio.gather(
            *(
                bot.send_message(FIRST_CHAT + i, text, parse_mode="HTML", reply_markup=markup)
                for i in range(n)
            )
        )
    return {m.chat_id: m.message_id for m in sent}


async def end_to_end(store: Store, n: int) -> None:
    async with FakeTelegram() as tg:
        settings = parse_settings(
            {"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": TOKEN}
        )
        messages = await digests_with_keyboards(settings, store, n)
        app = build_application(settings, store)
        await start_telegram(app, settings, poll_timeout=1)
        print(f"End to end, PTB polling the fake, {n} taps at once (answer time, server side):")
        try:
            rounds = {
                "forged (toast, baseline)": lambda i: "x:forged",
                "why (then a new message)": lambda i: f"w:{DAY}:{i % 27 + 1}",
                "view (then edit in place)": lambda i: f"c:{DAY}",
            }
            base: list[float] | None = None
            for name, data in rounds.items():
                queries = [
                    tg.tap(chat, mid, data(i)) for i, (chat, mid) in enumerate(messages.items())
                ]
                started = time.perf_counter()
                answers = [await tg.wait_answered(q, timeout=60) for q in queries]
                wall = time.perf_counter() - started
                ms = [(a.at - tg.handed_at[a.query_id]) * 1000 for a in answers]
                # What follows the answers goes out at 30 msg/s (AIORateLimiter): untimed, and
                # finished before the next round so that rounds do not overlap.
                await app.bot_data["aidaily"].drain(40)
                base = base or ms
                print(line(name, ms, None if ms is base else base) + f"   all in {wall:4.2f} s")
            print(
                f"    (every query answered once: {len(tg.answers)} answers, "
                f"{tg.refused_answers} refused; {len(tg.edits)} edits)"
            )
        finally:
            await stop_telegram(app)


async def bench(n: int, redis_url: str) -> None:
    store = Store(
        aioredis.from_url(redis_url, max_connections=256), redis_url, Keys("aidaily-bench-taps")
    )
    await store.save_digest(make_digest(), [])
    settings = parse_settings({}, {"TELEGRAM_BOT_TOKEN": TOKEN})
    await inside(store, TelegramBot(settings, store), n)
    await end_to_end(store, n)
    await store.r.flushdb()
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--taps", type=int, default=200)
    args = parser.parse_args()
    with redis_server() as url:
        asyncio.run(bench(args.taps, url))


if __name__ == "__main__":
    main()
