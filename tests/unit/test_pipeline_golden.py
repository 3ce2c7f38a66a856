"""Speed-ups must not change what the pipeline decides: parse, cluster and judge are pinned.

`tests/unit/golden/pipeline.json` holds, for a fixed day, the entries that
`parse_feed` makes of the demo feeds and of synthetic feeds dense in keywords,
the stories `dedupe.cluster` makes of them, and the judgement `judge_one` gives
each story (and each of `tests.fakes.news_day`'s candidates). It was recorded
before the performance work on parse, dedupe, text and the heuristic curator;
an optimisation that changes any output fails here, naming the first difference.

If a change of behaviour is intended, re-record it deliberately and say so in
the commit:

    .venv/bin/python -m tests.unit.test_pipeline_golden --write
"""

from __future__ import annotations

import json
import pickle
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline import dedupe
from pipeline.config import FeedSettings, Settings, parse_settings
from pipeline.curate.heuristic import HeuristicCurator
from pipeline.intake import parse_noted
from pipeline.models import Candidate, Entry
from pipeline.parse import parse_feed
from tests.fakes import news_day

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden") / "pipeline.json"
DAY = date(2026, 2, 3)
NOW = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)


def _words(text: str) -> list[str]:
    return text.split()


# Title pieces that hit every kind of keyword: words, stems, phrases, Chinese words that
# overlap ("大模型" / "模型"), names of both regions, amounts, roundups and market wraps.
ZH_SUBJECTS = _words(
    "华为 阿里巴巴 腾讯 字节跳动 智谱 月之暗面 商汤 宇树 寒武纪 英伟达 谷歌 马斯克 欧盟 工信部 特斯拉 苹果"
)
ZH_VERBS = _words("发布 开源 完成 起诉 收购 上线 推出 监管 投资 亮相")
ZH_THINGS = _words(
    "大模型 智能体 具身智能机器人 人工智能芯片 自动驾驶 算力中心 多模态模型 数据集 论文 隐私政策"
)
ZH_TAILS = [
    "",
    "，融资30亿美元",
    "，估值160亿美元",
    "，股价涨停",
    "；新品；发布会",
    "（早报）",
    "，香港上市",
]
EN_SUBJECTS = _words(
    "OpenAI Google Microsoft Meta Apple Nvidia Anthropic xAI Waymo Alibaba Tencent DeepSeek The EU Congress"
)
EN_VERBS = _words(
    "launches releases unveils acquires raises sues bans regulates introduces open-sources debuts"
)
EN_THINGS = [
    "a self-driving robotaxi fleet",
    "an executive order on A.I. safety",
    "AI agents for hospitals",
    "a state-of-the-art benchmark paper",
    "large language models",
    "an open source foundation model",
    "data center chips",
    "facial recognition surveillance",
    "a generative chatbot",
    "the AI Act guidelines",
]
EN_TAILS = [
    "",
    " at a $1.25 trillion valuation",
    " for $16B",
    " as shares surge",
    ": this week in AI",
    " in China",
    " with Hugging Face",
]
LINKS = [
    "https://news{n}.example.com/a/{i}?utm_source=rss",
    "https://arxiv.org/abs/2602.{n}{i:04d}",
]


def _synthetic_feed(n: int, rng: random.Random) -> bytes:
    zh = n % 2 == 0
    items = []
    for i in range(40):
        if zh:
            title = f"{rng.choice(ZH_SUBJECTS)}{rng.choice(ZH_VERBS)}{rng.choice(ZH_THINGS)}{rng.choice(ZH_TAILS)}"
        else:
            title = f"{rng.choice(EN_SUBJECTS)} {rng.choice(EN_VERBS)} {rng.choice(EN_THINGS)}{rng.choice(EN_TAILS)}"
        summary = f"&lt;p&gt;{title}。据路透社报道，{rng.choice(ZH_THINGS)} {rng.choice(EN_THINGS)}&lt;/p&gt;"
        when = NOW - timedelta(minutes=rng.randint(10, 47 * 60))
        link = rng.choice(LINKS).format(n=n, i=i % 30)  # some links repeat: same-link copies
        date_tag = (
            ""
            if i % 13 == 0
            else f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        )
        items.append(
            f"<item><title>{title}</title><link>{link}</link><description>{summary}</description>{date_tag}</item>"
        )
    body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>f{n}</title>{"".join(items)}</channel></rss>'
    return body.encode("utf-8")


def _feeds() -> list[tuple[FeedSettings, bytes, str]]:
    """(feed, body, location) of the demo feeds and of six synthetic ones."""
    out: list[tuple[FeedSettings, bytes, str]] = []
    for i, path in enumerate(sorted((ROOT / "examples" / "feeds").glob("*.xml"))):
        region = "domestic" if i % 2 == 0 else "international"
        feed = FeedSettings(
            id=path.stem,
            name=path.stem,
            url=path.as_uri(),
            region=region,
            weight=1.0 + (i % 3) / 10,
        )
        out.append((feed, path.read_bytes(), path.as_uri()))
    rng = random.Random(20260203)
    for n in range(6):
        region = "domestic" if n % 2 == 0 else "international"
        url = f"https://news{n}.example.com/feed"
        feed = FeedSettings(
            id=f"syn{n}", name=f"源{n}" if n % 2 == 0 else f"AI Wire {n}", url=url, region=region
        )
        out.append((feed, _synthetic_feed(n, rng), url))
    return out


def _settings() -> Settings:
    return parse_settings({"digest": {"window_hours": 48}}, {})


def outputs() -> dict[str, Any]:
    """Everything pinned: parsed entries per feed, stories, and a judgement per story."""
    parsed: dict[str, Any] = {}
    entries: list[Entry] = []
    for feed, body, location in _feeds():
        result = parse_feed(
            body, feed, content_type="application/rss+xml", location=location, now=NOW
        )
        parsed[feed.id] = {
            "error": result.error,
            "entries": [e.model_dump(mode="json") for e in result.entries],
        }
        entries += result.entries
    candidates = dedupe.cluster(entries)
    curator = HeuristicCurator(_settings())
    judged: list[Candidate] = [
        *candidates,
        *news_day.small_day(),
        *news_day.cross_language_pair(),
        *news_day.big_day(60),
    ]
    return {
        "parsed": parsed,
        "stories": [[c.id, [o.id for o in c.others]] for c in candidates],
        "judgements": [[c.id, curator.judge_one(c, DAY).model_dump(mode="json")] for c in judged],
    }


def _first_difference(want: Any, got: Any, where: str = "") -> str | None:
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(want.keys() | got.keys()):
            diff = _first_difference(want.get(key), got.get(key), f"{where}.{key}")
            if diff:
                return diff
        return None
    if isinstance(want, list) and isinstance(got, list):
        for i, (w, g) in enumerate(zip(want, got, strict=False)):
            diff = _first_difference(w, g, f"{where}[{i}]")
            if diff:
                return diff
        return None if len(want) == len(got) else f"{where}: {len(want)} items, now {len(got)}"
    return None if want == got else f"{where}: {want!r}, now {got!r}"


def test_parse_cluster_and_judgements_are_unchanged() -> None:
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(outputs(), ensure_ascii=False))
    # The set is big enough to mean something. (Since stories join by their facts too, the
    # synthetic titles, which repeat subjects, events and amounts, make ~260 stories, not ~300.)
    assert len(want["judgements"]) > 250
    diff = _first_difference(want, got)
    assert diff is None, f"pipeline output changed at {diff}"


def test_stories_are_the_same_from_notes_read_in_a_parse_worker() -> None:
    # A big run's workers parse each body and read its entries' notes (pipeline.intake);
    # both come back pickled, and `cluster` takes the notes instead of reading them.
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    entries: list[Entry] = []
    notes: list[dedupe.Notes | None] = []
    shared = dedupe.Shared()
    for feed, body, location in _feeds():
        job = parse_noted(
            body, feed, content_type="application/rss+xml", location=location, now=NOW
        )
        parsed, noted, _reads = pickle.loads(pickle.dumps(job))
        assert parsed.entries == job[0].entries
        entries += parsed.entries
        unpacked = [shared.unpack(n) for n in noted]
        assert unpacked == [dedupe.notes_of(e) for e in parsed.entries]
        notes += unpacked
    candidates = dedupe.cluster(entries, notes=notes)
    assert [[c.id, [o.id for o in c.others]] for c in candidates] == want["stories"]
    # Unpickled entries share one set of field names; changing a copy changes no other entry.
    first, second = entries[0], entries[1]
    moved = first.model_copy(update={"published_at": NOW})
    moved.title = "changed"
    assert first.model_fields_set == second.model_fields_set == set(Entry.model_fields)
    assert (first.published_at, first.title) != (NOW, "changed")
    assert entries[0] == Entry.model_validate(first.model_dump())


if __name__ == "__main__" and "--write" in sys.argv:
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(outputs(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
