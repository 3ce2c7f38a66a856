"""The morning push to 1,000 Telegram chats against a fake enforcing Telegram's limits.

    .venv/bin/python -m bench.telegram_push [--chats 1000]

`bot.push.push(channel="telegram")` with the real python-telegram-bot client, the
Redis ledger and a throwaway redis-server, against `tests.fakes.telegram_server`
answering 429 past 30 messages/s overall or 1 message/s per chat. Every chat is
subscribed for the full digest. The baseline is the limit itself: 30 messages/s,
so the ideal wall time is messages / 30. Then the push is repeated: it must send
nothing. Prints messages, wall time, achieved rate ÷ 30, 429s, duplicates and
chats that did not get every part.

Targets: ≥ 0.9 of the limit, 0 duplicates, 0 incomplete chats, ≤ 1% of requests 429.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from datetime import UTC, datetime

import redis.asyncio as aioredis

from bench.pipeline import redis_server
from bot.push import push
from pipeline.config import parse_settings
from pipeline.models import Subscriber
from pipeline.render import View, render_telegram
from pipeline.store import Keys, Store
from tests.factories import make_digest
from tests.fakes.telegram_server import TOKEN, FakeTelegram

LIMIT = 30.0


async def bench(chats: int, redis_url: str) -> None:
    store = Store(aioredis.from_url(redis_url), redis_url, Keys("aidaily-bench-tg"))
    digest = make_digest()
    await store.save_digest(digest, [])
    since = datetime.now(UTC)
    for chat in range(1, chats + 1):
        await store.save_subscriber(Subscriber(channel="telegram", chat_id=str(chat), since=since))
    parts = render_telegram(digest, View())
    async with FakeTelegram(enforce_rate=True) as tg:
        settings = parse_settings(
            {"telegram": {"base_url": tg.base_url}}, {"TELEGRAM_BOT_TOKEN": TOKEN}
        )
        started = time.monotonic()
        report = await push(settings, store, digest.date, channel="telegram")
        wall = time.monotonic() - started
        again = await push(settings, store, digest.date, channel="telegram")
        messages = len(tg.sent)
        requests = tg.requests["sendMessage"]
        incomplete = sum(1 for chat in range(1, chats + 1) if tg.texts(chat) != parts)
        rate = messages / wall
        print(
            f"Telegram push: {chats} chats x {len(parts)} parts (full digest) = {chats * len(parts)} messages"
        )
        print(
            f"  baseline (the limit)   {LIMIT:.0f} msg/s -> ideal wall {chats * len(parts) / LIMIT:.1f}s"
        )
        print(
            f"  push                   messages {messages}  wall {wall:.1f}s  rate {rate:.2f} msg/s  "
            f"rate / limit {rate / LIMIT:.3f}"
        )
        print(
            f"  429s {tg.refused_429} of {requests} requests ({tg.refused_429 / max(requests, 1):.2%})  "
            f"duplicates {tg.duplicates}  incomplete chats {incomplete}  report ok={report.ok} "
            f"sent={report.sent} failed={report.failed}"
        )
        print(
            f"  second push: sent {again.sent}, skipped {again.skipped}, elapsed {again.elapsed_s:.1f}s"
        )
    await store.r.flushdb()
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=1000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with redis_server() as url:
        asyncio.run(bench(args.chats, url))


if __name__ == "__main__":
    main()
