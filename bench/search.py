"""/search over a year of digests: 365 days × 30 items, p50/p99 against a digest read.

    .venv/bin/python -m bench.search [--days 365] [--queries 400]

A throwaway redis-server gets a year of digests (30 items a day: the factories'
stories with a company, a topic and a number of the day mixed into each title and
summary, so the index has a year's spread of words), saved through `Store.save_digest`
(which files each day in the search index; its time per day is printed). Then, one
after another, timed each:

  baseline        `Store.read_digest` of a day among the year (a GET and, past the
                  store's 32-day cache, a parse): what /date D costs at least
  store.search    a distinct query each time (a rare pair, a company and a topic, a
                  common word, a latin name, a word in no item), in a fresh process's
                  first pass over the year
  /search (chat)  the same queries through `Commands.handle` and the text renderer
  again           the same queries once more (nothing is cached: the same work, warm)

Target: p99 ≤ 50 ms for /search over the year.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import redis.asyncio as aioredis

from bench.pipeline import redis_server
from bot.commands import ChatContext, Commands, reply_to_text
from pipeline.config import parse_settings
from pipeline.models import Digest, Item
from pipeline.search import Query, parse_query
from pipeline.store import Keys, Store
from tests.factories import make_digest

COMPANIES = [
    "OpenAI",
    "Anthropic",
    "Google",
    "Meta",
    "英伟达",
    "微软",
    "苹果",
    "亚马逊",
    "百度",
    "阿里巴巴",
    "腾讯",
    "字节跳动",
    "华为",
    "小米",
    "智谱",
    "月之暗面",
    "深度求索",
    "零一万物",
    "百川智能",
    "商汤",
    "科大讯飞",
    "寒武纪",
    "摩尔线程",
    "地平线",
    "宇树科技",
    "优必选",
    "Mistral",
    "Cohere",
    "xAI",
    "Perplexity",
    "Midjourney",
    "Stability",
    "三星",
    "台积电",
    "英特尔",
    "AMD",
    "高通",
]
TOPICS = [
    "大模型",
    "芯片",
    "融资",
    "开源",
    "机器人",
    "自动驾驶",
    "监管",
    "版权",
    "算力",
    "数据中心",
    "智能体",
    "多模态",
    "推理",
    "训练",
    "安全",
    "医疗",
    "教育",
    "金融",
    "搜索",
    "编程",
    "视频生成",
    "语音",
    "具身智能",
    "端侧",
    "云服务",
    "并购",
    "上市",
    "裁员",
    "诉讼",
    "合作",
]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def line(name: str, ms: list[float], base: list[float] | None = None) -> str:
    text = f"  {name:<34} p50 {statistics.median(ms):6.2f} ms   p99 {pct(ms, 99):6.2f} ms"
    if base:
        text += f"   p99 / baseline p99 {pct(ms, 99) / pct(base, 99):5.1f}x"
    return text


def year(days: int, rng: random.Random) -> list[Digest]:
    """`days` digests of 30 items, newest last, each item's text given words of its day."""
    start = date(2026, 12, 1) - timedelta(days=days - 1)
    out = []
    for d in range(days):
        day = (start + timedelta(days=d)).isoformat()
        digest = make_digest(15, 15, date=day)
        sections = digest.sections.model_copy(
            update={
                s: [_vary(it, rng) for it in digest.sections.of(s)]
                for s in ("domestic", "international")
            }
        )
        out.append(digest.model_copy(update={"sections": sections}))
    return out


def _vary(item: Item, rng: random.Random) -> Item:
    who, what = rng.choice(COMPANIES), rng.choice(TOPICS)
    extra = f"{who}{what}第{rng.randint(1, 999)}号"
    return item.model_copy(
        update={
            "title": f"{extra} {item.title}",
            "summary": f"{item.summary}{who}在{what}方面有新进展。",
            "tags": [*item.tags, what],
        }
    )


def queries(n: int, rng: random.Random) -> list[Query]:
    """`n` distinct queries of five kinds, shuffled."""
    kinds: list[Callable[[], str]] = [
        lambda: f"{rng.choice(COMPANIES)} {rng.choice(TOPICS)}",  # a pair: intersection
        lambda: f"{rng.choice(COMPANIES)}{rng.choice(TOPICS)}",  # as written, no space
        lambda: rng.choice(TOPICS),  # a common word: many days hold it
        lambda: rng.choice(["openai", "nvidia 芯片", "gpt", "meta 开源", "ai"]),
        lambda: f"量子引力{rng.randint(1, 10**6)}",  # in no item
    ]
    seen: dict[str, Query] = {}
    while len(seen) < n:
        text = rng.choice(kinds)()
        parsed = parse_query(text)
        if isinstance(parsed, Query):
            seen.setdefault(text, parsed)
    return list(seen.values())


async def _index_bytes(store: Store) -> int:
    """What the search index's keys take in Redis (MEMORY USAGE of each)."""
    total = 0
    async for key in store.r.scan_iter(f"{store.k.p}:{{s}}:*", count=1000):
        total += int(await store.r.memory_usage(key, samples=0) or 0)
    return total


async def timed(n: int, one: Callable[[int], Awaitable[object]]) -> list[float]:
    out = []
    for i in range(n):
        started = time.perf_counter()
        await one(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


async def bench(days: int, n: int, redis_url: str) -> None:
    rng = random.Random(12)
    store = Store(aioredis.from_url(redis_url), redis_url, Keys("aidaily-bench-search"))
    digests = year(days, rng)
    started = time.perf_counter()
    for digest in digests:
        await store.save_digest(digest, [])
    saving = (time.perf_counter() - started) / len(digests) * 1000
    memory = (await store.r.info("memory"))["used_memory"] / 1e6
    index = await _index_bytes(store) / 1e6
    print(
        f"{days} days × 30 items saved and filed: {saving:.1f} ms a day (digest + index); "
        f"Redis uses {memory:.0f} MB, of which the search index {index:.0f} MB"
    )
    started = time.perf_counter()
    for digest in digests[100:110]:  # a rebuilt day: its old filings are taken out first
        await store.save_digest(digest, [])
    rebuild = (time.perf_counter() - started) / 10 * 1000
    print(f"a day saved again (rebuilt: unfiled, then filed): {rebuild:.1f} ms")
    qs = queries(n, rng)
    commands = Commands(store, parse_settings({}, {}))
    ctx = ChatContext(channel="console", chat_id="bench")
    dates = [d.date for d in digests]

    async def chat(i: int) -> None:
        reply_to_text(await commands.handle(ctx, f"/search {qs[i].text}"))

    base = await timed(n, lambda i: store.read_digest(dates[(i * 7919) % len(dates)]))
    first = await timed(n, lambda i: store.search(qs[i]))
    via_chat = await timed(n, chat)
    again = await timed(n, lambda i: store.search(qs[i]))
    hits = [len(await store.search(q)) for q in qs]
    print(f"{n} distinct queries, one after another ({sum(h > 0 for h in hits)} with hits):")
    print(line("baseline: Store.read_digest", base))
    print(line("store.search (first ask)", first, base))
    print(line("/search WORD (Commands + text)", via_chat, base))
    print(line("store.search (same queries again)", again, base))
    await store.r.flushdb()
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    with redis_server() as url:
        asyncio.run(bench(args.days, args.queries, url))


if __name__ == "__main__":
    main()
