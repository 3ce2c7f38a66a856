"""Does the digest read like an editor picked it? Scored against labelled days.

    .venv/bin/python -m bench.editorial [--day DATE ...] [--check] [--show] [--json PATH]
        [--llm-base-url URL --llm-model NAME [--llm-api-key KEY] [--llm-json-mode object]]

For every labelled day under bench/days/ (see bench/EDITORIAL_README.md) and every
curator (the heuristic always; the LLM one when --llm-base-url is given), this runs
`pipeline.run.run` — the code path of `aidaily run` — over the day's feeds with a
Store on a throwaway redis-server, then scores the stored digest against the labels:
must-recall, non-news shown, stories shown twice, wrong section, reasons with the
scorer's terms, filler tags, English-only 国际 items and 重点关注 naming the day's
major stories. `--check` exits 1 when the heuristic misses a target on any day.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import redis_server
from pipeline.config import LLMSettings, Settings, load_settings
from pipeline.ids import canonical_url
from pipeline.models import Digest, Entry, Item
from pipeline.store import Keys, Store

ROOT = Path(__file__).resolve().parent.parent
DAYS = ROOT / "bench" / "days"

Label = Literal["must", "ok", "never"]
LABELS: tuple[str, ...] = ("must", "ok", "never")
SECTIONS: tuple[str, ...] = ("domestic", "international")

# The scorer's vocabulary, as the scorer writes it: a reason that says these is the
# scorer's log, not a reason. Patterns, not bare words, because the words alone are
# ordinary Chinese in an editor's reason too ("开源权重", "AI相关法律纠纷", "征求意见截止前").
# The score's part names (importance, sources, recency …) are added per digest.
SCORER_TERMS: tuple[str, ...] = (
    r"权重\s*[\d.]+",  # 来自 机器之心（权重 1.1）
    r"命中关键词",
    r"关键词\s*[：:]",
    r"AI\s*相关\s*[：:]",  # AI 相关：万卡、集群
    r"涉及\s*[：:]",  # 涉及：中科曙光
    r"截止前\s*\d+\s*(小时|分钟)",  # 截止前 1 小时内发布
    r"\d+\s*小时内发布",
    r"(得分|分数|评分)\s*[：:]?\s*\d",
    r"加权",  # 政策法规与安全议题加权
    r"\bscore\b",
)
SCORER_RE = tuple(re.compile(p, re.I) for p in SCORER_TERMS)

# Tags that name no topic: verbs of any announcement and words every AI item shares.
FILLER_TAGS: frozenset[str] = frozenset(
    t.casefold()
    for t in (
        "推出",
        "发布",
        "上线",
        "引入",
        "出任",
        "公测",
        "交易",
        "上市",
        "宣布",
        "完成",
        "获得",
        "升级",
        "推送",
        "开启",
        "达成",
        "计划",
        "表示",
        "披露",
        "亮相",
        "官宣",
        "AI",
        "人工智能",
        "模型",
        "技术",
        "公司",
        "产品",
        "消息",
        "新闻",
        "动态",
        "科技",
        "行业",
        "新产品",
        "新品",
        "产品发布",
        "新功能",
        "更新",
        "launch",
        "launches",
        "release",
        "releases",
        "announce",
        "announces",
        "new",
    )
)

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# An English tag with one of these words is a fragment cut from a headline ("GTC Fails",
# "New Lawsuit"), not a topic or a company.
HEADLINE_WORDS: frozenset[str] = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "as",
        "at",
        "by",
        "is",
        "are",
        "be",
        "its",
        "it's",
        "new",
        "says",
        "say",
        "fails",
        "fail",
        "raises",
        "raise",
        "launches",
        "launch",
        "plans",
        "plan",
        "unveils",
        "wins",
        "bets",
        "could",
        "will",
        "how",
        "why",
        "what",
    ]
)


@dataclass(frozen=True)
class EntryLabel:
    link: str
    title: str
    label: Label
    story: str
    section: str


@dataclass
class Day:
    """One labelled day: its config, the label of each entry (by canonical link) and
    its major stories with the keyword groups that name them."""

    date: date
    config: Path
    labels: dict[str, EntryLabel]
    major: dict[str, list[list[str]]]

    def label_of(self, link: str) -> EntryLabel | None:
        return self.labels.get(canonical_url(link) or link)

    def story_section(self, story: str) -> str:
        return next(lb.section for lb in self.labels.values() if lb.story == story)

    def must_stories(self) -> set[str]:
        return {lb.story for lb in self.labels.values() if lb.label == "must"}


class LabelError(ValueError):
    """A labels.yaml that cannot be scored against: says which file and entry."""


def load_day(labels_path: Path) -> Day:
    data = yaml.safe_load(labels_path.read_text(encoding="utf-8"))
    where = str(labels_path)
    labels: dict[str, EntryLabel] = {}
    for i, raw in enumerate(data.get("entries") or []):
        lb = _entry_label(raw, f"{where}: entries[{i}]")
        key = canonical_url(lb.link) or lb.link
        if key in labels:
            raise LabelError(f"{where}: entries[{i}]: link {lb.link} is labelled twice")
        labels[key] = lb
    major = {str(k): [str(g).split("|") for g in v] for k, v in (data.get("major") or {}).items()}
    stories = {lb.story for lb in labels.values()}
    for story in major:
        if story not in stories:
            raise LabelError(f"{where}: major story {story!r} has no labelled entry")
    day = date.fromisoformat(str(data["date"]))
    return Day(day, (labels_path.parent / data["config"]).resolve(), labels, major)


def _entry_label(raw: dict[str, Any], where: str) -> EntryLabel:
    missing = [k for k in ("link", "label", "story", "section") if not raw.get(k)]
    if missing:
        raise LabelError(f"{where}: missing {', '.join(missing)}")
    if raw["label"] not in LABELS:
        raise LabelError(f"{where}: label {raw['label']!r} is not one of {', '.join(LABELS)}")
    if raw["section"] not in SECTIONS:
        raise LabelError(f"{where}: section {raw['section']!r} is not one of {SECTIONS}")
    return EntryLabel(
        str(raw["link"]), str(raw.get("title", "")), raw["label"], str(raw["story"]), raw["section"]
    )


def all_days(only: Sequence[str] = ()) -> list[Day]:
    paths = sorted(DAYS.glob("*/labels.yaml"))
    days = [load_day(p) for p in paths]
    if only:
        days = [d for d in days if d.date.isoformat() in only]
    return days


# --- scoring ------------------------------------------------------------------------------


@dataclass
class Score:
    """What an editor would notice in one digest, against one labelled day."""

    day: str
    curator: str
    items: int = 0
    must_stories: int = 0
    must_shown: int = 0
    nonnews: list[str] = field(default_factory=list)
    twice: list[str] = field(default_factory=list)
    wrong_section: list[str] = field(default_factory=list)
    scorer_terms: list[str] = field(default_factory=list)
    tags: int = 0
    filler: list[str] = field(default_factory=list)
    english_intl: list[str] = field(default_factory=list)
    major_named: list[str] = field(default_factory=list)
    major_total: int = 0
    highlights: list[str] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    must_missed: list[str] = field(default_factory=list)
    llm_calls: int = 0
    fallbacks: int = 0  # candidates the LLM curator left to the heuristic

    @property
    def must_recall(self) -> float:
        return self.must_shown / self.must_stories if self.must_stories else 1.0

    @property
    def filler_share(self) -> float:
        return len(self.filler) / self.tags if self.tags else 0.0

    def misses(self) -> list[str]:
        """The heuristic targets of issue 9 this digest misses, one line each."""
        out = []
        if self.must_recall < 0.9:
            out.append(f"must-recall {self.must_recall:.2f} < 0.9 (missed: {self.must_missed})")
        if self.nonnews:
            out.append(f"non-news shown {len(self.nonnews)}: {self.nonnews}")
        if self.twice:
            out.append(f"stories shown twice {len(self.twice)}: {self.twice}")
        if self.scorer_terms:
            out.append(f"reasons with scorer terms {len(self.scorer_terms)}: {self.scorer_terms}")
        if self.filler_share > 0.05:
            out.append(f"filler tags {self.filler_share:.0%} > 5%: {sorted(set(self.filler))}")
        if len(self.major_named) < min(2, self.major_total):
            out.append(
                f"重点关注 names {len(self.major_named)} of {self.major_total} major stories"
            )
        if self.unlabelled:
            out.append(f"unlabelled entries {len(self.unlabelled)}: {self.unlabelled}")
        return out


def score(digest: Digest, raw: Iterable[Entry], day: Day, curator: str) -> Score:
    s = Score(day=day.date.isoformat(), curator=curator, items=len(digest.items))
    s.llm_calls, s.fallbacks = digest.curator.llm_calls, digest.curator.fallbacks
    s.unlabelled = sorted({e.link for e in raw if day.label_of(e.link) is None})
    shown: Counter[str] = Counter()
    for section in SECTIONS:
        for item in digest.sections.of(section):  # type: ignore[arg-type]
            _score_item(s, day, item, section, shown)
    must = day.must_stories()
    s.must_stories = len(must)
    s.must_shown = len(must & set(shown))
    s.must_missed = sorted(must - set(shown))
    s.highlights = highlights(digest.summary)
    s.major_total = len(day.major)
    s.major_named = [st for st, groups in day.major.items() if _named(groups, s.highlights)]
    return s


def _score_item(s: Score, day: Day, item: Item, section: str, shown: Counter[str]) -> None:
    tag = f"#{item.n}"
    lb = day.label_of(item.link)
    if lb is not None:
        shown[lb.story] += 1
        if shown[lb.story] > 1:
            s.twice.append(f"{tag} {lb.story}")
        if lb.label == "never":
            s.nonnews.append(f"{tag} {lb.story}")
        if lb.section != section:
            s.wrong_section.append(f"{tag} {lb.story}")
    if scorer_terms_in(item.reason, item.score.parts):
        s.scorer_terms.append(tag)
    s.tags += len(item.tags)
    s.filler += [t for t in item.tags if is_filler(t)]
    if section == "international" and not CJK.search(item.summary):
        s.english_intl.append(tag)


def scorer_terms_in(reason: str, parts: Iterable[str] = ()) -> list[str]:
    """The scorer's words found in a reason (its part names as whole words)."""
    low = reason.casefold()
    found = [m.group(0) for m in (r.search(reason) for r in SCORER_RE) if m]
    found += [p for p in parts if re.search(rf"(?<![a-z]){re.escape(p.casefold())}(?![a-z])", low)]
    return found


def is_filler(tag: str) -> bool:
    low = tag.strip().casefold()
    words = re.findall(r"[a-z][a-z']*", low)
    return low in FILLER_TAGS or (len(words) > 1 and bool(HEADLINE_WORDS & set(words)))


def highlights(summary: str) -> list[str]:
    """The phrases of 今日总结's 重点关注 (separated by ；)."""
    _, sep, tail = summary.partition("重点关注")
    if not sep:
        return []
    tail = tail.lstrip("：: ").rstrip("。. ")
    return [p.strip() for p in tail.split("；") if p.strip()]


def _named(groups: list[list[str]], phrases: Sequence[str]) -> bool:
    """A phrase names the story when it is Chinese (issue 9: 重点关注 is written in Chinese)
    and holds one alternative of every keyword group."""
    return any(
        CJK.search(p) and all(any(alt.casefold() in p.casefold() for alt in g) for g in groups)
        for p in phrases
    )


# --- running ------------------------------------------------------------------------------


@dataclass
class LLMOptions:
    base_url: str
    model: str
    api_key: str
    json_mode: Literal["schema", "object"] = "schema"


def day_settings(day: Day, llm: LLMOptions | None) -> Settings:
    settings = load_settings(str(day.config), env={})  # the day's config, nothing from the shell
    settings.llm = None
    if llm:
        extra: dict[str, Any] = {}
        if "fetch_articles" in LLMSettings.model_fields:
            extra["fetch_articles"] = False  # offline: the days are their feeds, no pages
        settings.llm = LLMSettings(
            base_url=llm.base_url,
            model=llm.model,
            api_key=llm.api_key,
            json_mode=llm.json_mode,
            **extra,
        )
    return settings


async def run_day(
    day: Day, redis_url: str, llm: LLMOptions | None = None
) -> tuple[Digest, list[Entry]]:
    """The digest `aidaily run --date DAY` stores for this day's config, on a clean Redis."""
    import redis.asyncio as aioredis

    from pipeline.run import make_curator, run

    settings = day_settings(day, llm)
    client = aioredis.from_url(redis_url)
    await client.flushdb()
    store = Store(client, redis_url, Keys("aidaily-bench-editorial"))
    try:
        result = await run(settings, day.date, store, curator=make_curator(settings, store))
        return result.digest, result.raw
    finally:
        await client.flushdb()
        await client.aclose()


# --- report -------------------------------------------------------------------------------

COLUMNS: tuple[tuple[str, str], ...] = (
    ("day", "day"),
    ("curator", "curator"),
    ("items", "items"),
    ("must-recall", "recall"),
    ("non-news", "nonnews"),
    ("twice", "twice"),
    ("wrong sect.", "wrong"),
    ("scorer terms", "terms"),
    ("filler tags", "filler"),
    ("EN-only 国际", "english"),
    ("重点关注", "major"),
    ("unlabelled", "unlabelled"),
    ("LLM calls/fallbacks", "llm"),
)


def row(s: Score) -> dict[str, str]:
    return {
        "day": s.day,
        "curator": s.curator,
        "items": str(s.items),
        "recall": f"{s.must_recall:.2f} ({s.must_shown}/{s.must_stories})",
        "nonnews": str(len(s.nonnews)),
        "twice": str(len(s.twice)),
        "wrong": str(len(s.wrong_section)),
        "terms": str(len(s.scorer_terms)),
        "filler": f"{s.filler_share:.0%} ({len(s.filler)}/{s.tags})",
        "english": str(len(s.english_intl)),
        "major": f"{len(s.major_named)}/{s.major_total}",
        "unlabelled": str(len(s.unlabelled)),
        "llm": f"{s.llm_calls}/{s.fallbacks}" if s.curator == "llm" else "-",
    }


def table(scores: Sequence[Score]) -> str:
    rows = [row(s) for s in scores]
    widths = {k: max(len(h), *(_width(r[k]) for r in rows)) for h, k in COLUMNS}
    lines = ["  ".join(_pad(h, widths[k]) for h, k in COLUMNS)]
    lines += ["  ".join(_pad(r[k], widths[k]) for _, k in COLUMNS) for r in rows]
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if CJK.match(c) else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def show(digest: Digest, day: Day) -> str:
    """Each item with its label, for reading a miss."""
    lines = []
    for item in digest.items:
        lb = day.label_of(item.link)
        what = f"{lb.label:5} {lb.story}" if lb else "UNLABELLED"
        lines.append(f"  #{item.n:<2} {item.importance:6} [{what}] {item.title[:60]}")
        lines.append(f"       summary: {item.summary[:90]}")
        lines.append(f"       reason:  {item.reason[:90]}")
        lines.append(f"       tags:    {', '.join(item.tags)}")
    lines.append(f"  今日总结: {digest.summary}")
    return "\n".join(lines)


def detail(s: Score) -> str:
    parts = [
        ("must missed", s.must_missed),
        ("non-news", s.nonnews),
        ("twice", s.twice),
        ("wrong section", s.wrong_section),
        ("scorer terms", s.scorer_terms),
        ("filler", sorted(Counter(s.filler).items())),
        ("EN-only 国际", s.english_intl),
        ("重点关注", s.highlights),
        ("unlabelled", s.unlabelled),
    ]
    return "\n".join(f"  {s.day} {s.curator} {k}: {v}" for k, v in parts if v)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.editorial", description=__doc__)
    ap.add_argument("--day", action="append", default=[], help="only this day (repeatable)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the heuristic misses a target")
    ap.add_argument("--show", action="store_true", help="print every item with its label")
    ap.add_argument("--json", metavar="PATH", help="also write the scores as JSON")
    ap.add_argument(
        "--baseline",
        metavar="REF",
        action="append",
        default=[],
        help="also run the heuristic of git revision REF (e.g. main) over the same days; repeatable",
    )
    ap.add_argument("--llm-base-url", help="also score the LLM curator of this server")
    ap.add_argument("--llm-model", default="gpt-4o-mini")
    ap.add_argument("--llm-api-key", default=os.environ.get("OPENAI_API_KEY", "bench"))
    ap.add_argument("--llm-json-mode", choices=("schema", "object"), default="schema")
    return ap.parse_args(argv)


async def measure(days: Sequence[Day], args: argparse.Namespace, redis_url: str) -> list[Score]:
    curators: list[tuple[str, LLMOptions | None]] = [("heuristic", None)]
    if args.llm_base_url:
        opts = LLMOptions(args.llm_base_url, args.llm_model, args.llm_api_key, args.llm_json_mode)
        curators.append(("llm", opts))
    scores = []
    for day in days:
        for name, llm in curators:
            digest, raw = await run_day(day, redis_url, llm)
            scores.append(score(digest, raw, day, name))
            if args.show:
                print(f"== {day.date} {name}\n{show(digest, day)}")
    return scores


def baseline_scores(ref: str, days: Sequence[Day]) -> list[Score]:
    """The same days through the pipeline of git revision `ref` (the curator before):
    ref's tree in a temporary folder, with this bench, these days and these feeds copied
    in, run in a child process so that ref's `pipeline` is the one imported."""
    with tempfile.TemporaryDirectory(prefix="aidaily-baseline-") as tmp:
        tree = Path(tmp)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", ref],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
        if not (tree / "bench" / "pipeline.py").exists():
            shutil.copy2(ROOT / "bench" / "pipeline.py", tree / "bench" / "pipeline.py")
        shutil.copy2(Path(__file__), tree / "bench" / "editorial.py")
        for same in ("bench/days", "examples"):  # both runs read the same feeds and labels
            shutil.rmtree(tree / same, ignore_errors=True)
            shutil.copytree(ROOT / same, tree / same)
        out = tree / "scores.json"
        only = [f"--day={d.date}" for d in days]
        cmd = [sys.executable, "-m", "bench.editorial", "--json", str(out), *only]
        subprocess.run(cmd, cwd=tree, check=True, stdout=subprocess.DEVNULL)
        rows = json.loads(out.read_text(encoding="utf-8"))
    return [Score(**{**row, "curator": f"heuristic@{ref}"}) for row in rows]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        days = all_days(args.day)
    except (LabelError, OSError, yaml.YAMLError) as exc:
        print(f"bench.editorial: {exc}", file=sys.stderr)
        return 2
    if not days:
        print(f"bench.editorial: no labelled day matches {args.day} under {DAYS}", file=sys.stderr)
        return 2
    with redis_server() as url:
        scores = asyncio.run(measure(days, args, url))
    for ref in args.baseline:
        try:
            scores += baseline_scores(ref, days)
        except (subprocess.CalledProcessError, OSError, tarfile.TarError) as exc:
            print(f"bench.editorial: baseline {ref} failed: {exc}", file=sys.stderr)
            return 1
    scores.sort(key=lambda s: s.day)  # stable: per day, this tree first, then each baseline
    print(table(scores))
    print("\n".join(d for d in (detail(s) for s in scores) if d))
    if args.json:
        Path(args.json).write_text(
            json.dumps([asdict(s) for s in scores], ensure_ascii=False, indent=2), encoding="utf-8"
        )
    misses = [f"{s.day}: {m}" for s in scores if s.curator == "heuristic" for m in s.misses()]
    if misses:
        print("heuristic targets missed:\n  " + "\n  ".join(misses))
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
