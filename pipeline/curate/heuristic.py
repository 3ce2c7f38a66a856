"""The heuristic curator: a score from signals a reader can check, no model involved.

Signals (each a named part of `score.parts`, present only when it fired):

    ai        AI-relevance words (AI, 大模型, 智能体, 算力, GPT, LLM …): 0.30 in the title, 0.20 in the summary only
    category  keywords of a category (融资, 发布, 监管, paper …):       0.20 in the title, 0.12 in the summary only
    names     well-known companies and people (OpenAI, 华为, 马斯克 …): 0.12 in the title, 0.06 in the summary only
    sources   other feeds that reported the same story:               0.08 each, at most 0.24
    feed      the feed's configured weight:                           0.10 x (weight - 1), within ±0.10
    recency   how late in the window it was published:                up to 0.10 at the cut-off

`score.total` is their sum clamped to [0, 1]; importance is high from 0.65,
medium from 0.45. A story without an AI word can reach at most ~0.7 and in
practice scores low. The reason is written only from the signals that fired.
Everything is deterministic: the same candidate and day give the same judgement.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pipeline.config import Settings
from pipeline.curate.base import Conclusion, Verdicts
from pipeline.models import (
    Candidate,
    CuratorStats,
    Entry,
    Importance,
    Judgement,
    ScoreParts,
    Sections,
)
from pipeline.text import (
    first_sentence,
    is_chinese,
    strip_title_prefix,
    strip_zh_lead,
    trim_end_punct,
)

log = logging.getLogger(__name__)

HIGH = 0.65
MEDIUM = 0.45
AI_TITLE, AI_SUMMARY = 0.30, 0.20
CATEGORY_TITLE, CATEGORY_SUMMARY = 0.20, 0.12
NAMES_TITLE, NAMES_SUMMARY = 0.12, 0.06
PER_SOURCE, SOURCES_MAX = 0.08, 0.24
FEED_PER_WEIGHT, FEED_MAX = 0.10, 0.10
RECENCY_MAX = 0.10
SUMMARY_LIMIT_ZH = 150
SUMMARY_LIMIT_EN = 300
OTHER = "其他"

# Keywords: "word" matches a whole word, "stem*" any word starting with it (English is
# matched on word boundaries, Chinese as substrings); "=标签" names the tag it gives.
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "重大政策与法规": (
        "政策", "监管", "法规", "法案", "欧盟", "工信部", "网信办", "发改委", "国务院", "条例",
        "征求意见", "管理办法", "标准体系", "出口管制", "反垄断", "备案",
        "regulat*=监管", "regulation=监管", "act=法案", "law=法规", "legislat*=立法", "policy=政策",
        "consultation=征求意见", "consults=征求意见", "guideline*=指南", "commission=欧盟委员会",
        "congress=国会", "senate=国会", "executive order=行政令", "ban=禁令", "bans=禁令",
        "antitrust=反垄断", "export control*=出口管制", "bill=法案", "eu=欧盟",
    ),
    "安全与伦理": (
        "安全", "隐私", "伦理", "深度伪造", "诉讼", "起诉", "版权", "侵权", "偏见", "虚假信息",
        "监控", "滥用", "色情", "对齐", "越狱", "人脸识别",
        "safety=AI安全", "privacy=隐私", "ethic*=伦理", "deepfake*=深度伪造", "lawsuit*=诉讼",
        "sue=诉讼", "sues=诉讼", "sued=诉讼", "court=诉讼", "copyright*=版权", "bias=偏见",
        "misinformation=虚假信息", "surveillance=监控", "jailbreak*=越狱", "alignment=对齐",
        "misuse=滥用", "facial recognition=人脸识别", "face recognition=人脸识别",
    ),
    "重大商业动态": (
        "融资", "收购", "并购", "估值", "IPO", "上市", "营收", "财报", "投资", "合并", "盈利",
        "市值", "裁员", "战略合作", "回购", "加盟", "出任", "离职", "引入", "挖角",
        "funding=融资", "raise=融资", "raises=融资", "raised=融资", "acquir*=收购",
        "acquisition*=收购", "merger*=并购", "merge*=并购", "valuation*=估值", "valued=估值",
        "ipo=IPO", "revenue*=营收", "earnings=财报", "invest*=投资", "deal=交易", "buyout=收购",
        "buyback=回购", "layoff*=裁员", "profit*=盈利", "hire*=人才", "hiring=人才",
        "poach*=人才", "joins=人才",
    ),
    "重大学术突破": (
        "论文", "研究", "SOTA", "基准", "榜单", "算法", "顶会", "arXiv", "数据集",
        "paper*=论文", "research*=研究", "study=研究", "benchmark*=基准测试", "arxiv=arXiv",
        "sota=SOTA", "state-of-the-art=SOTA", "dataset*=数据集", "breakthrough*=突破",
        "propose*=新方法",
    ),
    "重大产品发布": (
        "发布", "推出", "上线", "开源", "亮相", "公测", "首发", "新品", "升级",
        "launch*=产品发布", "releas*=产品发布", "unveil*=产品发布", "introduc*=产品发布",
        "open-source*=开源", "open source*=开源", "open-weight*=开源", "debut*=产品发布",
        "rolls out=产品发布", "roll out=产品发布",
    ),
    "行业应用": (
        "医疗", "金融", "汽车", "机器人", "自动驾驶", "无人驾驶", "智驾", "教育", "制造", "工业",
        "零售", "物流", "农业", "能源", "电商", "游戏", "药物", "文化",
        "health*=医疗", "medical=医疗", "hospital*=医疗", "drug*=药物", "financ*=金融", "bank*=金融",
        "automotive=汽车", "robot*=机器人", "robotaxi*=自动驾驶", "self-driving=自动驾驶",
        "autonomous=自动驾驶", "education=教育", "manufactur*=制造", "retail=零售",
        "logistics=物流", "agricultur*=农业", "energy=能源",
    ),
}  # fmt: skip
# Ties between categories go to the one earlier in this order (more specific first).
CATEGORY_ORDER = tuple(CATEGORY_KEYWORDS)

AI_TERMS: tuple[str, ...] = (
    "人工智能", "大模型", "模型", "智能体", "具身智能", "具身", "算力", "芯片", "生成式", "多模态",
    "机器学习", "深度学习", "神经网络", "AIGC", "AGI", "推理模型", "智算", "数据中心", "万卡",
    "集群", "超算",
    "ai=AI", "a.i.=AI", "artificial intelligence=AI", "genai=生成式AI", "generative=生成式AI",
    "llm*=大模型", "gpt*=GPT", "chatgpt=ChatGPT", "chatbot*=聊天机器人", "agentic=智能体",
    "ai agent*=智能体", "machine learning=机器学习", "deep learning=深度学习", "neural=神经网络",
    "language model*=大模型", "foundation model*=大模型", "multimodal=多模态", "gpu*=GPU",
    "chip*=芯片", "semiconductor*=芯片", "data center*=数据中心", "datacenter*=数据中心",
    "inference=推理", "copilot=Copilot", "gemini=Gemini", "claude=Claude", "llama=Llama",
    "grok=Grok", "sora=Sora", "openai=OpenAI", "anthropic=Anthropic", "deepmind=DeepMind",
    "xai=xAI", "deepseek=DeepSeek", "mistral=Mistral", "智谱", "月之暗面", "kimi=Kimi",
    "minimax=MiniMax", "豆包", "通义", "千问", "qwen=千问", "混元", "文心",
    # Companies whose news is AI news: AI labs, AI chip makers, embodied-AI robot makers.
    "nvidia=英伟达", "英伟达", "perplexity=Perplexity", "cohere=Cohere", "hugging face=Hugging Face",
    "寒武纪", "摩尔线程", "壁仞", "沐曦", "燧原", "商汤", "旷视", "第四范式", "百川智能", "阶跃星辰",
    "零一万物", "面壁智能", "智元", "银河通用", "宇树", "优必选",
)  # fmt: skip

NAMES: tuple[str, ...] = (
    "openai=OpenAI", "anthropic=Anthropic", "google=Google", "谷歌", "alphabet=Alphabet",
    "deepmind=DeepMind", "microsoft=微软", "微软", "meta=Meta", "apple=苹果", "苹果",
    "amazon=亚马逊", "亚马逊", "nvidia=英伟达", "英伟达", "xai=xAI", "musk=马斯克", "马斯克",
    "tesla=特斯拉", "特斯拉", "spacex=SpaceX", "mistral=Mistral", "deepseek=DeepSeek",
    "intel=英特尔", "英特尔", "amd=AMD", "tsmc=台积电", "台积电", "samsung=三星", "三星",
    "waymo=Waymo", "huawei=华为", "华为", "阿里巴巴=阿里", "阿里", "alibaba=阿里", "腾讯",
    "tencent=腾讯", "百度", "baidu=百度", "字节跳动=字节", "字节", "bytedance=字节", "豆包",
    "智谱", "月之暗面", "minimax=MiniMax", "商汤", "科大讯飞=讯飞", "讯飞", "小米", "xiaomi=小米",
    "寒武纪", "中科曙光", "宇树", "优必选", "小鹏", "理想汽车", "比亚迪", "蚂蚁", "美团", "京东",
    "快手", "kimi=Kimi", "qwen=千问", "千问", "通义", "混元", "文心",
)  # fmt: skip


_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class _Table:
    """Keywords of one kind, looked up by token (Latin) or substring (Chinese).

    One regex alternation of every keyword is simple but slow in Python's engine
    (it tries each keyword at each character), so Latin words are looked up per
    token, stems by the token's prefixes, and only phrases ("executive order",
    "self-driving") go through a regex.
    """

    words: dict[str, str]
    stems: dict[str, str]
    phrases: re.Pattern[str] | None
    phrase_labels: dict[str, str]
    chinese: tuple[tuple[str, str], ...]  # longest first

    def find(self, text: str) -> list[str]:
        """The distinct labels matched in `text` (lower-cased NFKC), in order of appearance."""
        hits = [*self._latin(text), *self._chinese(text)]
        found: list[str] = []
        for _, label in sorted(hits, key=lambda h: h[0]):
            if label not in found:
                found.append(label)
        return found

    def _latin(self, text: str) -> list[tuple[int, str]]:
        hits: list[tuple[int, str]] = []
        for m in _ASCII_WORD_RE.finditer(text):
            label = self.words.get(m.group()) or self._stem(m.group())
            if label:
                hits.append((m.start(), label))
        if self.phrases is not None:
            hits += [
                (m.start(), self._phrase_label(m.group())) for m in self.phrases.finditer(text)
            ]
        return hits

    def _phrase_label(self, matched: str) -> str:
        phrase = " ".join(matched.split())
        if phrase in self.phrase_labels:
            return self.phrase_labels[phrase]
        # A "stem*" phrase matched with a longer last word: the longest stem it starts with.
        stems = [p for p in self.phrase_labels if p.endswith("*") and phrase.startswith(p[:-1])]
        return self.phrase_labels[max(stems, key=len)]

    def _stem(self, token: str) -> str | None:
        for end in range(len(token), 1, -1):
            label = self.stems.get(token[:end])
            if label:
                return label
        return None

    def _chinese(self, text: str) -> list[tuple[int, str]]:
        hits: list[tuple[int, str]] = []
        covered: list[tuple[int, int]] = []
        for word, label in self.chinese:
            pos = text.find(word)
            # "模型" inside an already matched "大模型" is the same mention, not a second one.
            while pos >= 0 and any(a <= pos < b for a, b in covered):
                pos = text.find(word, pos + 1)
            if pos >= 0:
                hits.append((pos, label))
                covered.append((pos, pos + len(word)))
        return hits


def _phrase_pattern(phrase: str) -> str:
    """A phrase between word boundaries; "stem*" lets the last word go on ("ai agent*")."""
    body = re.escape(phrase.rstrip("*")).replace("\\ ", r"\s+")  # any run of spaces
    return rf"(?<![a-z0-9]){body}" + (r"[a-z\-]*" if phrase.endswith("*") else r"(?![a-z0-9])")


def compile_keywords(words: Sequence[str]) -> _Table:
    """Compile "word", "stem*" and "word=标签" entries into one matcher."""
    exact: dict[str, str] = {}
    stems: dict[str, str] = {}
    phrases: dict[str, str] = {}
    chinese: dict[str, str] = {}
    for item in words:
        raw, _, label = item.partition("=")
        word = raw.rstrip("*").lower()
        label = label or raw.rstrip("*")
        if not word.isascii():
            chinese.setdefault(word, label)
        elif not _ASCII_WORD_RE.fullmatch(word):
            phrases.setdefault(word + "*" * raw.endswith("*"), label)
        else:
            (stems if raw.endswith("*") else exact).setdefault(word, label)
    pattern = "|".join(_phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True))
    return _Table(
        words=exact,
        stems=stems,
        phrases=re.compile(pattern) if pattern else None,
        phrase_labels=phrases,
        chinese=tuple(sorted(chinese.items(), key=lambda kv: -len(kv[0]))),
    )


CATEGORY_TABLES = {cat: compile_keywords(words) for cat, words in CATEGORY_KEYWORDS.items()}
AI_TABLE = compile_keywords(AI_TERMS)
NAME_TABLE = compile_keywords(NAMES)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@dataclass
class _Signals:
    """What fired for one candidate: matched labels in the title and in the summary only."""

    ai: tuple[list[str], list[str]]
    names: tuple[list[str], list[str]]
    category: str
    keywords: tuple[list[str], list[str]]


def _match(table: _Table, title: str, summary: str) -> tuple[list[str], list[str]]:
    in_title = table.find(title)
    return in_title, [x for x in table.find(summary) if x not in in_title]


def _category(title: str, summary: str) -> tuple[str, tuple[list[str], list[str]]]:
    best, best_score = OTHER, 0
    best_hits: tuple[list[str], list[str]] = ([], [])
    for cat in CATEGORY_ORDER:
        hits = _match(CATEGORY_TABLES[cat], title, summary)
        score = 2 * len(hits[0]) + len(hits[1])
        if score > best_score:
            best, best_score, best_hits = cat, score, hits
    return best, best_hits


def _signals(entry: Entry) -> _Signals:
    title, summary = _fold(entry.title), _fold(entry.summary)
    category, keywords = _category(title, summary)
    return _Signals(
        ai=_match(AI_TABLE, title, summary),
        names=_match(NAME_TABLE, title, summary),
        category=category,
        keywords=keywords,
    )


def _tiered(hits: tuple[list[str], list[str]], in_title: float, in_summary: float) -> float:
    return in_title if hits[0] else in_summary if hits[1] else 0.0


def _recency(published: datetime, start: datetime, end: datetime) -> float:
    span = (end - start).total_seconds()
    if span <= 0:
        return 0.0
    position = (published - start).total_seconds() / span
    return RECENCY_MAX * min(1.0, max(0.0, position))


def _parts(
    candidate: Candidate, sig: _Signals, window: tuple[datetime, datetime]
) -> dict[str, float]:
    lead = candidate.lead
    parts = {
        "ai": _tiered(sig.ai, AI_TITLE, AI_SUMMARY),
        "category": _tiered(sig.keywords, CATEGORY_TITLE, CATEGORY_SUMMARY),
        "names": _tiered(sig.names, NAMES_TITLE, NAMES_SUMMARY),
        "sources": min(SOURCES_MAX, PER_SOURCE * (candidate.source_count - 1)),
        "feed": max(-FEED_MAX, min(FEED_MAX, FEED_PER_WEIGHT * (lead.weight - 1.0))),
        "recency": _recency(lead.published_at, *window),
    }
    return {name: round(value, 3) for name, value in parts.items() if round(value, 3) != 0}


def importance_of(total: float) -> Importance:
    """high from HIGH, medium from MEDIUM, else low."""
    return "high" if total >= HIGH else "medium" if total >= MEDIUM else "low"


def _joined(labels: Sequence[str], limit: int = 4) -> str:
    return "、".join(labels[:limit])


def _reason(candidate: Candidate, sig: _Signals, parts: dict[str, float], end: datetime) -> str:
    """'重大商业动态：3 家来源报道（…）；命中关键词：融资、估值；…' from the fired signals only."""
    lead = candidate.lead
    said: list[str] = []
    if "sources" in parts:
        feeds = _distinct_sources(candidate)
        said.append(f"{len(feeds)} 家来源报道（{_joined(feeds, 5)}）")
    if "category" in parts:
        said.append(f"命中关键词：{_joined(sig.keywords[0] + sig.keywords[1])}")
    if "names" in parts:
        said.append(f"涉及：{_joined(sig.names[0] + sig.names[1], 3)}")
    if "ai" in parts:
        said.append(f"AI 相关：{_joined(sig.ai[0] + sig.ai[1], 3)}")
    if "feed" in parts:
        said.append(f"来自 {lead.source}（权重 {lead.weight:g}）")
    if parts.get("recency", 0.0) >= RECENCY_MAX * 0.75:
        hours = max(1, -(-int((end - lead.published_at).total_seconds()) // 3600))
        said.append(f"截止前 {hours} 小时内发布")
    if not said:
        said.append(f"来自 {lead.source}")
    return f"{sig.category}：" + "；".join(said)


def _distinct_sources(candidate: Candidate) -> list[str]:
    seen: dict[str, str] = {}
    for entry in candidate.entries:
        seen.setdefault(entry.feed, entry.source)
    return list(seen.values())


def _tags(candidate: Candidate, sig: _Signals) -> list[str]:
    """2–4 tags: names first, then category keywords, then AI words; padded with the category."""
    tags: list[str] = []
    for label in (
        *sig.names[0],
        *sig.keywords[0],
        *sig.ai[0],
        *sig.names[1],
        *sig.keywords[1],
        *sig.ai[1],
    ):
        if label not in tags:
            tags.append(label)
    for pad in (
        sig.category,
        candidate.lead.source,
        "国内" if candidate.lead.region == "domestic" else "国际",
    ):
        if len(tags) >= 2:
            break
        if pad != OTHER and pad not in tags:
            tags.append(pad)
    return tags[:4]


def summary_of(entry: Entry, day: date) -> str:
    """Chinese: "M月D日消息，" + the entry's first sentence + "。"; English: its own first sentence."""
    zh = entry.lang == "zh" or is_chinese(entry.title)
    if not zh:
        sentence = first_sentence(entry.summary, limit=SUMMARY_LIMIT_EN)
        # A summary that is only "Comments" or a byline says less than the title.
        return (
            sentence if len(sentence) >= 20 else first_sentence(entry.title, limit=SUMMARY_LIMIT_EN)
        )
    sentence = _zh_sentence(entry.summary)
    if len(sentence) < 8:  # a summary that is only "据悉。" or empty says less than the title
        sentence = _zh_sentence(strip_title_prefix(entry.title))
    return f"{day.month}月{day.day}日消息，{sentence}。"


def _zh_sentence(text: str) -> str:
    sentence = first_sentence(strip_zh_lead(text), limit=SUMMARY_LIMIT_ZH)
    return trim_end_punct(strip_zh_lead(sentence))


class HeuristicCurator:
    """Curator from keyword, name, source and time signals; also the LLM curator's fallback."""

    kind = "heuristic"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._errors: list[str] = []

    def judge_one(self, candidate: Candidate, day: date) -> Judgement:
        """The judgement of one candidate for the report of `day`."""
        start, end = self.settings.window(day)
        sig = _signals(candidate.lead)
        parts = _parts(candidate, sig, (start, end))
        total = round(min(1.0, max(0.0, sum(parts.values()))), 3)
        return Judgement(
            importance=importance_of(total),
            category=sig.category,
            reason=_reason(candidate, sig, parts, end),
            tags=_tags(candidate, sig),
            summary=summary_of(candidate.lead, day),
            region=candidate.lead.region,
            score=ScoreParts(total=total, parts=parts),
            by="heuristic",
        )

    async def judge(self, candidates: Sequence[Candidate], day: date) -> Verdicts:
        """A judgement for every candidate; one that cannot be judged gets a plain low one."""
        judgements: dict[str, Judgement] = {}
        for cand in candidates:
            try:
                judgements[cand.id] = self.judge_one(cand, day)
            except Exception as exc:  # one odd entry must not sink the day's digest
                log.warning("heuristic judgement failed for %s: %s", cand.id, exc)
                self._errors.append(f"heuristic: candidate {cand.id}: {exc}")
                judgements[cand.id] = self._plain(cand)
        return Verdicts(judgements=judgements)

    def _plain(self, candidate: Candidate) -> Judgement:
        lead = candidate.lead
        return Judgement(
            importance="low",
            category=OTHER,
            reason=f"{OTHER}：来自 {lead.source}",
            tags=[lead.source, "国内" if lead.region == "domestic" else "国际"],
            summary=lead.title,
            region=lead.region,
            score=ScoreParts(total=0.0),
        )

    async def conclude(self, sections: Sections, day: date) -> Conclusion:
        """Keeps the score order; highlights are the titles of the top three high items."""
        high = [
            it for it in (*sections.domestic, *sections.international) if it.importance == "high"
        ]
        high.sort(key=lambda it: (-it.score.total, it.n))
        highlights = [trim_end_punct(strip_title_prefix(it.title)) for it in high[:3]]
        return Conclusion(order=None, highlights=[h for h in highlights if h])

    def stats(self) -> CuratorStats:
        """Heuristic runs make no calls; only errors, if any, are worth reporting."""
        return CuratorStats(kind="heuristic", errors=list(self._errors))
