"""The LLM curator's trust rules, as pure functions: no I/O, no clock, no client.

What README promises about a model's answer is decided here, and tested here
(tests/unit/test_llm_trust.py):

- Ids: the model only sees per-batch short ids; an id that was not sent in that
  batch is dropped, a duplicate id keeps its first answer. A Judgement carries
  text fields only; URLs and markup are stripped from them (`clean_text`), which
  are then length-capped. Links and sources always come from the fetched entry.
- Enums: an unknown category becomes 其他; a bad importance or region makes the
  item garbled, so the heuristic judges it. A summary must be Chinese; its
  "M月D日消息，" prefix is (re)written by code for the report date.
- Facts: every number and named entity of a model's summary and reason must
  appear in the entry's own text (title, excerpt, article) or in its story's
  other reports (`unsupported_facts`); otherwise the heuristic's text is shown.
- Groups: a model's "same story" merges two reports only when they share a
  concrete fact (`plausibly_same`): a name, an amount, or enough wording.
- Scores: `score.total` = a weight for the model's importance + the objective
  parts of the heuristic's score (other feeds, feed weight, recency), clamped to
  [0, 1]; the keyword parts are left out, since entry text drives them.
- Injection: an entry whose own text contains instruction-like patterns is
  judged alone, capped at "medium", kept out of same-story groups and of the
  final-order call, and ranked last in its tier.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.curate.llm import prompt
from pipeline.curate.llm.prompt import (
    HIGHLIGHT_CHARS,
    MAX_GROUP,
    MAX_HIGHLIGHTS,
    MAX_TAGS,
    MIN_TAGS,
    REASON_CHARS,
    SUMMARY_CHARS,
    TAG_CHARS,
)
from pipeline.dedupe import UnionFind
from pipeline.errors import CuratorError
from pipeline.models import (
    CATEGORIES,
    Candidate,
    Importance,
    Judgement,
    Region,
    ScoreParts,
    Sections,
)
from pipeline.text import date_prefix, is_chinese, strip_invisible, strip_tags

# What the model's label is worth in score.total; the rest comes from objective signals.
IMPORTANCE_WEIGHT: dict[str, float] = {"high": 0.6, "medium": 0.35, "low": 0.1}
# Parts of the heuristic's score that no entry text can move: other feeds that reported the
# story, the operator's feed weight, the publication time. Its keyword parts are left out.
OBJECTIVE_PARTS = ("sources", "feed", "recency")
TIER = {"high": 0, "medium": 1, "low": 2}

INJECTION_RE = re.compile(
    r"ignore\s+(all\s+|any\s+|the\s+)?(previous|prior|above|earlier)\s+(instructions|prompts?|rules)"
    r"|disregard\s+(all\s+|the\s+)?(previous|prior|above)"
    r"|(system|developer)\s+prompt|you\s+are\s+now\b|\brank\s+(me|this)\s+(first|top|#?1)"
    r"|</?(system|assistant|data)>|\bassistant\s*:"
    r"|忽略(之前|以上|前面|上述)的?(所有)?(指令|指示|规则|提示)|(排在|排名)第一|系统提示"
    r"|请(务必)?(置顶|排在最前)|标(为|成|记为)高重要性",
    re.I,
)
_URL_TAIL = r"[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]"  # RFC 3986 characters, without parentheses
URL_RE = re.compile(
    rf"(?:https?|ftp)://{_URL_TAIL}+|\bwww\.{_URL_TAIL}+"
    rf"|(?<![a-z0-9.-])[a-z0-9][a-z0-9.-]*\.(?:com|cn|net|org|io|ai|co|dev|app|me|info)(?![a-z0-9])(?:/{_URL_TAIL}*)?",
    re.I,
)
MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
TAG_RE = re.compile(r"</?[a-zA-Z][^>]{0,200}>")
EMPTY_REF_RE = re.compile(
    r"[（(]\s*(原文|来源|链接|详见|参见|source|link|see)?\s*[:：]?\s*[)）]", re.I
)
DANGLING_RE = re.compile(
    r"\s*(?:(?:详见|参见)\s*[:：]?|(?:原文|来源|链接|source|link)\s*[:：])\s*$", re.I
)
PREFIX_RE = re.compile(
    r"^\s*(\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日\s*(消息|讯|电)?\s*[，,:：、]?\s*"
)


def looks_like_injection(text: str) -> bool:
    """True when a text contains instruction-like patterns aimed at a model."""
    return bool(INJECTION_RE.search(text))


def clean_text(text: str, limit: int) -> str:
    """Plain text: no markup, no URLs, one line, at most `limit` characters."""
    text = html.unescape(strip_tags(text))
    text = TAG_RE.sub("", text)  # markup that was escaped once and unescaped above
    text = MD_LINK_RE.sub(r"\1", text)
    text = URL_RE.sub("", text)
    text = EMPTY_REF_RE.sub("", text)
    text = DANGLING_RE.sub("", text)
    # The model's text is held to what parse holds feed text to: no hidden characters.
    text = " ".join(strip_invisible(text.replace("**", "").replace("`", "")).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_prefix(day: date) -> str:
    """The required start of a summary: "2月3日消息，"."""
    return date_prefix(day)


def strip_prefix(summary: str) -> str:
    """The summary without any leading "M月D日消息，"-like date."""
    return PREFIX_RE.sub("", summary, count=1).strip()


# -- one entry's verdict -------------------------------------------------------------


class CachedVerdict(BaseModel):
    """A model verdict after cleaning; `summary` has no date prefix, `peers` are content hashes."""

    importance: Importance
    category: str
    reason: str
    tags: list[str]
    summary: str
    region: Region
    peers: list[str] = []
    unsupported: list[str] = []  # numbers and names not in the news (the fact check, at ask time)


def _clean_tags(tags: Sequence[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        t = clean_text(tag, TAG_CHARS).strip("#＃ ")
        if t and t not in out:
            out.append(t)
    return out[:MAX_TAGS]


def _strip_category(reason: str, *names: str) -> str:
    for name in names:
        for sep in ("：", ":", "/", " - "):
            if name and reason.startswith(name + sep):
                return reason[len(name) + len(sep) :].strip()
    return reason


def verdict_from(answer: prompt.ItemAnswer, peers: list[str]) -> CachedVerdict | None:
    """Clean one answer; None when it is unusable (then the heuristic judges that entry)."""
    category = answer.category if answer.category in CATEGORIES else "其他"
    # renderers print "category：reason", so a reason that repeats its category would read twice
    reason = _strip_category(clean_text(answer.reason, REASON_CHARS), answer.category, category)
    body = strip_prefix(clean_text(answer.summary, SUMMARY_CHARS))
    if not reason or not is_chinese(body):
        return None  # an empty reason or a summary that is not Chinese: garbled
    return CachedVerdict(
        importance=answer.importance,
        category=category,
        reason=reason,
        tags=_clean_tags(answer.tags),
        summary=body,
        region=answer.region,
        peers=peers,
    )


def load_verdict(value: str | None) -> CachedVerdict | None:
    """A cached verdict, or None for a missing, old or damaged one (then it is asked again)."""
    if not value:
        return None
    try:
        return CachedVerdict.model_validate_json(value)
    except ValidationError:
        return None


# -- answers -------------------------------------------------------------------------


def extract_json_object(text: str) -> dict[str, Any]:
    """The first complete JSON object in `text`, tolerating prose and ``` fences around it."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    for _ in range(50):  # a bounded number of "{" that open no valid object
        if start < 0:
            break
        try:
            value, _end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    raise CuratorError("answer is not a JSON object")


def parse_items(content: str) -> list[prompt.ItemAnswer | None]:
    """Each item of a judge answer, validated on its own (None: that item is garbled)."""
    try:
        envelope = prompt.JudgeAnswer.model_validate(extract_json_object(content))
    except ValidationError:
        raise CuratorError('answer has no "items" list') from None
    out: list[prompt.ItemAnswer | None] = []
    for raw in envelope.items:
        try:
            out.append(prompt.ItemAnswer.model_validate(raw))
        except ValidationError:
            out.append(None)
    return out


@dataclass
class Batch:
    """Candidates of one call, by the short id the model sees (e1, e2 …)."""

    by_short: dict[str, Candidate]
    quarantine: bool = False

    @classmethod
    def of(cls, candidates: Sequence[Candidate], quarantine: bool = False) -> Batch:
        return cls({f"e{n}": c for n, c in enumerate(candidates, 1)}, quarantine)

    def halves(self) -> tuple[Batch, Batch]:
        """The batch split in two (for a server whose context it overflowed)."""
        cands = list(self.by_short.values())
        mid = len(cands) // 2
        return Batch.of(cands[:mid], self.quarantine), Batch.of(cands[mid:], self.quarantine)


def read_batch(batch: Batch, answers: list[prompt.ItemAnswer | None]) -> dict[str, CachedVerdict]:
    """Verdicts by short id: ids not sent in this batch dropped, the first answer per id wins."""
    hashes = {s: c.lead.content_hash for s, c in batch.by_short.items()}
    fresh: dict[str, CachedVerdict] = {}
    seen: set[str] = set()
    for answer in answers:
        if answer is None or answer.id not in batch.by_short or answer.id in seen:
            continue
        seen.add(answer.id)
        peers = (
            []
            if batch.quarantine
            else [hashes[s] for s in answer.same_story if s in hashes and s != answer.id]
        )
        verdict = verdict_from(answer, peers)
        if verdict is not None:
            fresh[answer.id] = verdict
    return fresh


def group_links(answer: prompt.GroupsAnswer, by_short: Mapping[str, str]) -> list[tuple[str, str]]:
    """Every pair of candidate ids a same-story answer puts together (unknown ids, oversized groups dropped)."""
    links: list[tuple[str, str]] = []
    for group in answer.groups:
        ids = list(dict.fromkeys(by_short[s] for s in group if s in by_short))
        if 1 < len(ids) <= MAX_GROUP:
            links.extend((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return links


CJK_BIGRAM_RE = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
# Bigrams every AI news story shares: they prove nothing about being the same story.
COMMON_BIGRAMS = frozenset(
    [
        "人工",
        "工智",
        "智能",
        "模型",
        "大模",
        "发布",
        "公司",
        "宣布",
        "技术",
        "行业",
        "产品",
        "推出",
        "全球",
        "中国",
        "美国",
        "融资",
        "数据",
        "平台",
        "用户",
        "应用",
        "企业",
        "科技",
        "开发",
        "研究",
        "系统",
        "服务",
        "市场",
        "今日",
        "消息",
        "报道",
        "表示",
        "亿美",
        "美元",
    ]
)


def _fingerprint(c: Candidate) -> tuple[set[str], set[float], set[str]]:
    text = "\n".join(t for e in c.entries for t in (e.title, e.summary))
    names = set()
    for name in _names(text):
        group = _alias_group(name)
        names.add(group[0] if group else name.lower())
    values = {v for v in _number_values(text)[0] if v >= 100}  # small counts coincide too easily
    bigrams = set(CJK_BIGRAM_RE.findall(text)) - COMMON_BIGRAMS
    return names, values, bigrams


def plausibly_same(a: Candidate, b: Candidate) -> bool:
    """A model's "same story" is believed only when two reports share a concrete fact.

    A name (through its aliases: 谷歌 = Google), an amount (by value: $16 billion = 160亿)
    or four Chinese word pairs beyond those every AI story has. A small model lumping
    unrelated stories together (seen against SmolLM2) cannot merge them.
    """
    na, va, ba = _fingerprint(a)
    nb, vb, bb = _fingerprint(b)
    return bool(na & nb) or bool(va & vb) or len(ba & bb) >= 4


def union_groups(links: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected ids as sorted groups; oversized groups (a model lumping everything) are dropped."""
    sets: UnionFind[str] = UnionFind()
    for a, b in links:
        sets.union(a, b)
    return sorted(sorted(g) for g in sets.groups() if 1 < len(g) <= MAX_GROUP)


def clean_highlights(phrases: Sequence[str]) -> list[str]:
    out: list[str] = []
    for p in phrases:
        t = clean_text(p, HIGHLIGHT_CHARS).strip("，。、；; ")
        if t and t not in out:
            out.append(t)
    return out[:MAX_HIGHLIGHTS]


def final_order(sections: Sections, model_order: list[str], suspects: set[str]) -> list[str]:
    """The model's order applied within each section and importance tier; suspects last in their tier."""
    pos = {iid: n for n, iid in enumerate(model_order)}
    out: list[str] = []
    for items in (sections.domestic, sections.international):
        keyed = sorted(
            enumerate(items),
            key=lambda p: (
                TIER[p[1].importance],
                p[1].id in suspects,
                pos.get(p[1].id, len(pos) + p[0]),
            ),
        )
        out.extend(it.id for _, it in keyed)
    return out


# -- the fact check ----------------------------------------------------------------------

# A number with its scale, in either language: "160亿", "$16 billion", "1.25万亿", "3B", "40%".
NUMBER_RE = re.compile(
    r"(\d+(?:[.,]\d+)*)\s*(万亿|千亿|百亿|亿|千万|百万|万|千|trillion|billion|million|thousand|bn|tn|[kmb])?(?![a-z])",
    re.I,
)
SCALE = {
    "万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4,
    "千": 1e3, "trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9,
    "million": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3,
}  # fmt: skip
# A Latin-script name: a word with a capital or a digit inside ("OpenAI", "xAI", "GPT-6", "Waymo").
NAME_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-.+&][A-Za-z0-9]+)*")
# Words a Chinese summary uses in Latin script that name nobody.
GENERIC = frozenset(
    [
        "ai",
        "agi",
        "aigc",
        "ceo",
        "cto",
        "cfo",
        "coo",
        "ipo",
        "api",
        "gpu",
        "cpu",
        "npu",
        "tpu",
        "llm",
        "llms",
        "app",
        "apps",
        "saas",
        "b2b",
        "b2c",
        "ar",
        "vr",
        "xr",
        "pc",
        "it",
        "ok",
        "vs",
        "id",
        "ui",
        "ux",
        "sdk",
        "pro",
        "max",
        "mini",
        "plus",
        "ultra",
        "beta",
        "pre",
        "seed",
        "usd",
        "rmb",
        "us",
        "eu",
        "uk",
    ]
)
# One company or body, however it is written: a name must match one of its own spellings.
ALIASES: tuple[tuple[str, ...], ...] = (
    ("谷歌", "google", "alphabet", "gemini", "deepmind"), ("微软", "microsoft"),
    ("苹果", "apple"), ("亚马逊", "amazon", "aws"), ("英伟达", "nvidia"), ("英特尔", "intel"),
    ("特斯拉", "tesla"), ("马斯克", "musk"), ("台积电", "tsmc"), ("三星", "samsung"),
    ("高通", "qualcomm"), ("甲骨文", "oracle"), ("软银", "softbank"), ("奥特曼", "altman"),
    ("黄仁勋", "jensen huang"), ("扎克伯格", "zuckerberg"), ("欧盟", "eu", "european"),
    ("白宫", "white house"), ("特朗普", "trump"), ("阿里", "alibaba", "通义", "千问", "qwen"),
    ("腾讯", "tencent", "混元", "hunyuan"), ("百度", "baidu", "文心", "ernie"),
    ("字节", "bytedance", "豆包", "doubao"), ("华为", "huawei", "昇腾", "ascend"),
    ("月之暗面", "moonshot", "kimi"), ("智谱", "zhipu", "glm"), ("小米", "xiaomi"),
    ("比亚迪", "byd"), ("宇树", "unitree"), ("商汤", "sensetime"), ("讯飞", "iflytek"),
    ("蚂蚁", "ant group"), ("美团", "meituan"), ("京东", "jd.com"), ("拼多多", "pinduoduo"),
    ("蔚来", "nio"), ("小鹏", "xpeng"), ("理想汽车", "li auto"), ("寒武纪", "cambricon"),
    ("中芯国际", "smic"), ("宁德时代", "catl"), ("联想", "lenovo"), ("阶跃星辰", "stepfun"),
    ("优必选", "ubtech"), ("快手", "kuaishou", "可灵", "kling"), ("深度求索", "deepseek"),
    ("中科曙光", "sugon"), ("摩尔线程", "moore threads"), ("地平线", "horizon robotics"),
    ("百川", "baichuan"), ("零一万物", "01.ai"), ("智元", "agibot"),
    ("逐际动力", "limx"), ("面壁智能", "modelbest"),
)  # fmt: skip


def _number_values(text: str) -> tuple[set[float], set[str]]:
    values: set[float] = set()
    raws: set[str] = set()
    for digits, scale in NUMBER_RE.findall(text):
        raw = digits.replace(",", "")
        raws.add(raw)
        try:
            values.add(float(raw) * SCALE.get(scale.lower(), 1.0))
        except ValueError:
            continue
    return values, raws


def _number_ok(digits: str, scale: str, values: set[float], raws: set[str]) -> bool:
    raw = digits.replace(",", "")
    if raw in raws and not scale:  # "16亿" is not "16": with a scale, the value must match
        return True
    try:
        value = float(raw) * SCALE.get(scale.lower(), 1.0)
    except ValueError:
        return False
    return any(abs(value - v) <= 0.011 * max(abs(v), 1.0) for v in values)


def _alias_group(name: str) -> tuple[str, ...] | None:
    low = name.lower()
    return next((g for g in ALIASES if low in g), None)


def _names(text: str) -> list[str]:
    """Latin names (with a capital or a digit) and the Chinese names of the alias table."""
    latin = [
        m
        for m in NAME_RE.findall(text)
        if (any(ch.isupper() for ch in m) or any(ch.isdigit() for ch in m))
        and m.lower() not in GENERIC
        and len(m) > 1
    ]
    chinese = [alias for g in ALIASES for alias in g if is_chinese(alias) and alias in text]
    return latin + chinese


def unsupported_facts(claim: str, sources: str, allowed_numbers: Iterable[int] = ()) -> list[str]:
    """The numbers and names of `claim` that `sources` does not contain (empty: it checks out).

    A number matches its digits or its value at any scale ("$16 billion" = "160亿"); a name
    matches case-insensitively, or through its aliases ("Google" = "谷歌"). `allowed_numbers`
    are facts the curator itself knows (the report date, the number of reports).
    """
    low = sources.lower()
    values, raws = _number_values(sources)
    raws |= {str(n) for n in allowed_numbers}
    missing = [
        f"{digits}{scale}"
        for digits, scale in NUMBER_RE.findall(claim)
        if not _number_ok(digits, scale, values, raws)
    ]
    for name in dict.fromkeys(_names(claim)):
        group = _alias_group(name)
        spellings = group if group else (name.lower(),)
        if not any(s in low for s in spellings):
            missing.append(name)
    return missing


def story_text(c: Candidate, article: str = "") -> str:
    """What the news says about a story: every report's title, excerpt and source, and the article."""
    parts = [c.lead.title, c.lead.summary, c.lead.source, article]
    parts += [t for o in c.others for t in (o.title, o.summary, o.source)]
    return "\n".join(p for p in parts if p)


def facts_missing(verdict: CachedVerdict, c: Candidate, day: date, article: str = "") -> list[str]:
    """The numbers and names of the verdict's summary and reason that the news does not contain."""
    known = {day.year, day.month, day.day, 1 + len(c.others)}
    claim = f"{verdict.summary}\n{verdict.reason}"
    return unsupported_facts(claim, story_text(c, article), known)


# -- from a verdict to a judgement ---------------------------------------------------------


def score(importance: str, base: Judgement) -> ScoreParts:
    """Model label weight + objective signals; nothing in here reads the model's text."""
    parts = {"importance": IMPORTANCE_WEIGHT[importance]}
    parts.update({k: v for k, v in base.score.parts.items() if k in OBJECTIVE_PARTS})
    return ScoreParts(total=round(min(1.0, max(0.0, sum(parts.values()))), 3), parts=parts)


def judgement(
    verdict: CachedVerdict | None,
    base: Judgement,
    day: date,
    *,
    suspect: bool = False,
) -> Judgement:
    """The judgement shown: the model's labels and text, or the heuristic's where it cannot be trusted.

    `base` is the heuristic's judgement of the same candidate; when the model's text
    failed the fact check, its labels stay but the heuristic's summary and reason are shown.
    """
    if verdict is None:
        return base.model_copy(update={"by": "heuristic"})
    facts_ok = not verdict.unsupported
    importance: Importance = verdict.importance
    if suspect and importance == "high":
        importance = "medium"  # an instruction-like text may not buy the top label
    tags = verdict.tags + [t for t in base.tags if t not in verdict.tags]
    return Judgement(
        importance=importance,
        category=verdict.category,
        reason=verdict.reason if facts_ok else base.reason,
        tags=tags[: max(MIN_TAGS, len(verdict.tags))][:MAX_TAGS],
        summary=summary_prefix(day) + verdict.summary if facts_ok else base.summary,
        region=verdict.region,
        score=score(importance, base),
        by="llm",
    )
