"""The heuristic curator: a score from signals a reader can check, no model involved.

Signals (each a named part of `score.parts`, present only when it fired):

    relevance AI-relevance words (AI, 大模型, 智能体, 算力, GPT, LLM …): 0.30 in the title, 0.20 in the summary only
    category  keywords of a category (融资, 发布, 监管, paper …):       0.20 in the title, 0.12 in the summary only
    names     well-known companies and people (OpenAI, 华为, 马斯克 …): 0.12 in the title, 0.06 in the summary only
    topic     policy and safety news (the category's keywords in the title): 0.10
    amount    a sum of at least 1e9 in any currency ($16B, 160亿美元):  0.08 in the title, 0.04 in the summary only
    paper     a research paper (link on arxiv.org, openreview.net …):  0.12
    sources   other feeds that reported the same story:               0.08 each, at most 0.24
    feed      the feed's configured weight:                           0.10 x (weight - 1), within ±0.10
    recency   how late in the window it was published:                up to 0.10 at the cut-off
    roundup   a digest of many stories ("8点1氪｜…", "…早报", "周报"):   -0.30
    market    share-price moves and market wraps ("… Shares Swing"):  -0.15

With no AI word, a feed whose name says it covers AI ("arXiv AI", "EU AI
Policy") earns the summary-tier `ai` part. `score.total` is the sum clamped to
[0, 1]; importance is high from 0.72, medium from 0.55. The reason is written
only from the signals that fired and never starts with the category (renderers
print "{category}：{reason}").

The region is the feed's unless the title says otherwise (`region_of`): a title
naming only foreign companies or people goes to 国际动态, one naming only
Chinese companies to 国内动态, and the reason says so; mixed or unknown stays.
Everything is deterministic: the same candidate and day give the same judgement.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

from pipeline import kinds, workers
from pipeline.config import DigestSettings, Settings
from pipeline.curate.base import Conclusion, EntryReads, Verdicts
from pipeline.facts import (
    Facts,
    Gist,
    english_headline,
    facts_from,
    facts_of,
    forget,
    gist_of,
    headline_phrase,
    known_facts,
    majors,
    reason_of,
    remember,
    story_weight,
    tags_of,
    weighed,
    weight_extras,
)
from pipeline.keywords import Tables, compile_keywords
from pipeline.keywords import fold as _fold
from pipeline.kinds import MARKET_RE, entry_kind, paper_host
from pipeline.models import (
    SECTIONS,
    Candidate,
    CuratorStats,
    Entry,
    Importance,
    Item,
    Judgement,
    Region,
    ScoreParts,
    Sections,
    shared_fields,
)
from pipeline.select import rank_order
from pipeline.text import (
    date_prefix,
    first_sentence,
    is_chinese,
    is_roundup,
    money,
    strip_title_prefix,
    strip_zh_lead,
    trim_end_punct,
)

log = logging.getLogger(__name__)

# Set so that a typical day has about a third of its items high: the bonuses below
# (topic, amount, paper) lift the stories that matter, and the bar rises with them.
HIGH = 0.72
MEDIUM = 0.55
AI_TITLE, AI_SUMMARY = 0.30, 0.20
CATEGORY_TITLE, CATEGORY_SUMMARY = 0.20, 0.12
NAMES_TITLE, NAMES_SUMMARY = 0.12, 0.06
PER_SOURCE, SOURCES_MAX = 0.08, 0.24
FEED_PER_WEIGHT, FEED_MAX = 0.10, 0.10
RECENCY_MAX = 0.10
AI_FEED = AI_SUMMARY  # a feed devoted to AI says as much as a summary that mentions it
TOPIC_BONUS = 0.10
AMOUNT_TITLE, AMOUNT_SUMMARY = 0.08, 0.04
BIG_MONEY = 1e9  # in any currency: "$16B", "160亿美元", "30亿元"
PAPER_BONUS = 0.12
ROUNDUP_PENALTY = 0.30
MARKET_PENALTY = 0.15
# What an editor calls major (a big deal, a leading lab's launch, binding regulation, record
# earnings, three or more outlets) is high whatever the other signals say.
MAJOR_BONUS = 0.15
HIGHLIGHTS = 3
# An editor keeps 🔥 for the day's truly major stories: at most a third of the digest's
# items, the heaviest first (`facts.story_weight`), so a rich news day cannot make
# everything high. The weakest fifth of each section's quota is 📄 unless another outlet
# or a major signal says it matters.
HIGH_SHARE = 1 / 3
LOW_SHARE = 0.2
# Policy and safety news weighs more than its keyword count: it binds or warns the whole field.
WEIGHTY_CATEGORIES = ("重大政策与法规", "安全与伦理")
SUMMARY_LIMIT_ZH = 150
SUMMARY_LIMIT_EN = 300
OTHER = "其他"
# Judging a story from its text is CPU-bound (~0.2 ms): a big day's leads are read in the
# parse workers as their feeds arrive (`read_lead`) and judged from that here; the stories
# whose leads were not read (a feed kept from its last fetch, the LLM curator's fallback)
# are judged in worker processes when there are this many, else in this process, where
# starting workers would cost more than it saves.
POOL_MIN_CANDIDATES = 2000
JUDGE_CHUNKS = 4  # a few per worker, so one slowed-down worker does not hold the rest
# ... and no bigger than this: a worker holds its chunk's stories and judgements at once
# (60,000 stories in 4 chunks kept ~100 MB in each worker).
JUDGE_CHUNK_MAX = 1000

# Keywords: "word" matches a whole word, "stem*" any word starting with it (English is
# matched on word boundaries, Chinese as substrings); "=标签" names the tag it gives.
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "重大政策与法规": (
        "政策", "监管", "法规", "法案", "欧盟", "工信部", "网信办", "发改委", "国务院", "条例",
        "征求意见", "管理办法", "标准体系", "出口管制", "反垄断", "备案", "国家标准", "强制性",
        "regulat*=监管", "regulation=监管", "act=法案", "law=法规", "legislat*=立法", "policy=政策",
        "consultation=征求意见", "consults=征求意见", "guideline*=指南", "commission=欧盟委员会",
        "congress=国会", "senate=国会", "executive order=行政令", "ban on=禁令", "bans=禁令",
        "banned=禁令", "seeks feedback=征求意见", "data act=数据法案", "ai act=人工智能法案",
        "antitrust=反垄断", "export control*=出口管制", "bill=法案", "eu=欧盟",
    ),
    "安全与伦理": (
        "安全", "隐私", "伦理", "深度伪造", "诉讼", "起诉", "版权", "侵权", "偏见", "虚假信息",
        "监控", "滥用", "色情", "对齐", "越狱", "人脸识别",
        "safety=AI安全", "privacy=隐私", "ethic*=伦理", "deepfake*=深度伪造", "lawsuit*=诉讼",
        "sue=诉讼", "sues=诉讼", "sued=诉讼", "court=诉讼", "copyright*=版权", "bias=偏见",
        "misinformation=虚假信息", "surveillance=监控", "jailbreak*=越狱", "alignment=对齐",
        "misuse=滥用", "facial recognition=人脸识别", "face recognition=人脸识别",
        "misalign*=对齐", "nonconsensual=未经同意", "child safety=儿童安全",
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
    "集群", "超算", "高带宽内存=HBM", "hbm=HBM",
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
    # Self-driving is applied AI: its leaders' news is AI news.
    "waymo=Waymo", "robotaxi*=自动驾驶", "self-driving=自动驾驶", "自动驾驶", "无人驾驶",
    "零一万物", "面壁智能", "智元", "银河通用", "宇树", "优必选", "人形机器人",
    "humanoid*=人形机器人",
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
    # Regulators: what they decide binds the whole field.
    "欧盟", "eu=欧盟", "european commission=欧盟委员会", "欧盟委员会", "white house=白宫", "白宫",
    # In tech news "the Commission" is a regulator (European, Federal Trade, Securities …).
    "commission=监管机构",
    "ftc=FTC", "国务院", "工信部", "网信办", "发改委",
)  # fmt: skip

# Who a story is about decides its section when the feed's region does not fit it
# (config.yaml: a feed's region is where its items go "unless the curator decides otherwise").
# Foreign companies, people, products and places that Chinese feeds report on …
FOREIGN_SUBJECTS: tuple[str, ...] = (
    "openai=OpenAI", "chatgpt=OpenAI", "codex=OpenAI", "sora=OpenAI", "xai=xAI", "grok=xAI",
    "spacex=SpaceX", "马斯克", "musk=马斯克", "奥特曼", "altman=奥特曼", "谷歌", "google=谷歌",
    "gemini=谷歌", "alphabet=Alphabet", "deepmind=DeepMind", "meta=Meta", "扎克伯格",
    "llama=Meta", "微软", "microsoft=微软", "纳德拉", "英伟达", "nvidia=英伟达", "黄仁勋",
    "anthropic=Anthropic", "claude=Anthropic", "苹果", "apple=苹果", "iphone=苹果", "亚马逊",
    "amazon=亚马逊", "aws=亚马逊", "waymo=Waymo", "特斯拉", "tesla=特斯拉", "英特尔", "intel=英特尔",
    "amd=AMD", "高通", "qualcomm=高通", "甲骨文", "oracle=甲骨文", "软银", "softbank=软银",
    "三星", "samsung=三星", "palantir=Palantir", "mistral=Mistral", "perplexity=Perplexity",
    "hugging face=Hugging Face", "cohere=Cohere", "ibm=IBM", "salesforce=Salesforce",
    "美光", "micron=美光", "sk hynix=SK海力士", "海力士=SK海力士", "coreweave=CoreWeave",
    "欧盟", "european commission=欧盟", "美国", "白宫", "特朗普", "日本", "韩国", "英国", "印度",
)  # fmt: skip
# … and Chinese companies (and their products) that English feeds report on.
CHINESE_ORGS: tuple[str, ...] = (
    "阿里", "alibaba=阿里", "通义", "千问", "qwen=千问", "腾讯", "tencent=腾讯", "混元", "字节",
    "bytedance=字节", "豆包", "doubao=豆包", "华为", "huawei=华为", "昇腾", "百度", "baidu=百度",
    "文心", "deepseek=DeepSeek", "深度求索", "月之暗面", "moonshot=月之暗面", "kimi=月之暗面",
    "智谱", "zhipu=智谱", "小米", "xiaomi=小米", "比亚迪", "byd=比亚迪", "宇树", "unitree=宇树",
    "商汤", "sensetime=商汤", "讯飞", "iflytek=讯飞", "minimax=MiniMax", "蚂蚁", "ant group=蚂蚁",
    "美团", "meituan=美团", "京东", "拼多多", "pinduoduo=拼多多", "蔚来", "nio=蔚来", "小鹏",
    "xpeng=小鹏", "理想汽车", "li auto=理想汽车", "寒武纪", "cambricon=寒武纪", "中芯国际",
    "smic=中芯国际", "宁德时代", "catl=宁德时代", "联想", "lenovo=联想", "荣耀", "阶跃星辰",
    "stepfun=阶跃星辰", "百川", "零一万物", "智元", "优必选", "ubtech=优必选", "中科曙光",
    "摩尔线程", "地平线", "快手", "kuaishou=快手",
)  # fmt: skip
# Words that tie a story to China without naming a company: they keep it where the feed put it.
CHINA_MARKERS: tuple[str, ...] = (
    "中国", "国内", "国产", "我国", "国行", "国资", "对华", "港股", "a股", "北京", "上海", "深圳",
    "杭州", "广州", "香港", "清华", "北大", "中科院", "港大", "工信部", "网信办", "国务院", "央视",
    "春晚", "china=中国", "chinese=中国", "beijing=北京", "shanghai=上海", "shenzhen=深圳",
    "hong kong=香港",
)  # fmt: skip

CATEGORY_TABLES = {cat: compile_keywords(words) for cat, words in CATEGORY_KEYWORDS.items()}
AI_TABLE = compile_keywords(AI_TERMS)
NAME_TABLE = compile_keywords(NAMES)
FOREIGN_TABLE = compile_keywords(FOREIGN_SUBJECTS)
CHINESE_ORG_TABLE = compile_keywords(CHINESE_ORGS)
CHINA_TABLE = compile_keywords((*CHINESE_ORGS, *CHINA_MARKERS))


@dataclass
class _Signals:
    """What fired for one candidate: matched labels in the title and in the summary only."""

    ai: tuple[list[str], list[str]]
    names: tuple[list[str], list[str]]
    category: str
    keywords: tuple[list[str], list[str]]
    money: tuple[list[str], list[str]]
    feed_ai: bool
    paper: str | None
    roundup: bool
    market: bool
    facts: Gist  # all its `Facts` when judged from its text; their `Gist` when read ahead
    kind: str | None  # not None: the lead is not news (an essay, a review …; see pipeline.kinds)


# The tables `_signals` looks a story's title and summary up in, in one pass each.
SIGNAL_TABLES = Tables([*(CATEGORY_TABLES[cat] for cat in CATEGORY_ORDER), AI_TABLE, NAME_TABLE])


def _matches(title: str, summary: str) -> list[tuple[list[str], list[str]]]:
    """For each of `SIGNAL_TABLES`: its labels in the title, and those in the summary only."""
    in_summary = SIGNAL_TABLES.find(summary)
    return [
        (in_title, [x for x in found if x not in in_title])
        for in_title, found in zip(SIGNAL_TABLES.find(title), in_summary, strict=True)
    ]


def _category(
    matches: Sequence[tuple[list[str], list[str]]],
) -> tuple[str, tuple[list[str], list[str]]]:
    """The category whose keywords weigh most (title twice the summary), first on a tie."""
    best, best_score = OTHER, 0
    best_hits: tuple[list[str], list[str]] = ([], [])
    for cat, hits in zip(CATEGORY_ORDER, matches, strict=False):
        score = 2 * len(hits[0]) + len(hits[1])
        if score > best_score:
            best, best_score, best_hits = cat, score, hits
    return best, best_hits


def _money_label(value: float) -> str:
    """1.6e10 -> "160亿", 1.25e12 -> "1.25万亿": how a Chinese reader says a big sum."""
    if value >= 1e12:
        return f"{value / 1e12:g}万亿"
    return f"{value / 1e8:g}亿"


def _big_money(text: str) -> list[str]:
    values = sorted({m.value for m in money(text) if m.currency and m.value >= BIG_MONEY})
    return [_money_label(v) for v in values]


@functools.lru_cache(maxsize=256)  # a feed's name, the same for each of its entries
def _covers_ai(source: str) -> bool:
    """A feed whose name says it covers AI ("arXiv AI", "机器之心")."""
    return bool(AI_TABLE.find(_fold(source)))


def _signals(entry: Entry, *, brief: bool = False) -> _Signals:
    """What fires for an entry; `brief`: with only the `Gist` of its facts (what its score
    needs: a lead read ahead), not all its `Facts` (its reason and tags need them too)."""
    title, summary = _fold(entry.title), _fold(entry.summary)
    *categories, ai, names = _matches(title, summary)
    category, keywords = _category(categories)
    money_title = _big_money(entry.title)
    return _Signals(
        ai=ai,
        names=names,
        category=category,
        keywords=keywords,
        money=(money_title, [m for m in _big_money(entry.summary) if m not in money_title]),
        feed_ai=_covers_ai(entry.source),
        paper=paper_host(entry.link),
        roundup=is_roundup(entry.title),
        market=MARKET_RE.search(title) is not None,
        facts=gist_of(entry.title, entry.summary) if brief else facts_of(entry),
        kind=entry_kind(entry),
    )


def _tiered(hits: tuple[list[str], list[str]], in_title: float, in_summary: float) -> float:
    return in_title if hits[0] else in_summary if hits[1] else 0.0


def _recency(published: datetime, start: datetime, end: datetime) -> float:
    span = (end - start).total_seconds()
    if span <= 0:
        return 0.0
    position = (published - start).total_seconds() / span
    return RECENCY_MAX * min(1.0, max(0.0, position))


def _ai_part(sig: _Signals) -> float:
    """AI words in the entry; failing that, a feed whose name says it covers AI ("arXiv AI")."""
    return _tiered(sig.ai, AI_TITLE, AI_SUMMARY) or (AI_FEED if sig.feed_ai else 0.0)


class LeadRead(NamedTuple):
    """What an entry says of any story it leads, whatever else the story holds: all its
    judgement needs but the number of outlets, the lead's feed weight and its time, and
    the words (`_verdict`). Read where the entry is parsed (`read_lead`, in a parse worker
    while other feeds are still on the wire), so that a big day is judged after clustering
    without reading its stories' texts again (`HeuristicCurator.judge`)."""

    parts: tuple[float, ...]  # the `_parts` of the lead's text, by `_TEXT_PARTS`
    major: tuple[bool, bool, bool]  # `_majors` says something at 1, 2, and 3 or more outlets
    extras: tuple[float, ...]  # `facts.weight_extras`: what its facts add to its weight
    region: Region
    category: str
    news: bool


# `facts.majors` asks only whether there are at least 2 or 3 outlets: 3 stands for any more.
_MAJOR_OUTLETS = (1, 2, 3)


def read_lead(entry: Entry) -> LeadRead:
    """`LeadRead` of an entry (a parse worker reads it of every entry of a big day)."""
    sig = _signals(entry, brief=True)
    return _lead_read(entry, sig, region_of(entry)[0], category_of(sig))


def _lead_read(entry: Entry, sig: _Signals, region: Region, category: str) -> LeadRead:
    weighty = sig.category in WEIGHTY_CATEGORIES and bool(sig.keywords[0])
    raw = (
        _ai_part(sig),
        _tiered(sig.keywords, CATEGORY_TITLE, CATEGORY_SUMMARY),
        _tiered(sig.names, NAMES_TITLE, NAMES_SUMMARY),
        TOPIC_BONUS if weighty else 0.0,
        _tiered(sig.money, AMOUNT_TITLE, AMOUNT_SUMMARY),
        PAPER_BONUS if sig.paper else 0.0,
        -ROUNDUP_PENALTY if sig.roundup else 0.0,
        -MARKET_PENALTY if sig.market else 0.0,
    )
    parts = tuple([round(part, 3) for part in raw])  # rounded as a judgement shows them
    major = tuple(bool(_majors(n, sig)) for n in _MAJOR_OUTLETS)
    extras = weight_extras(sig.facts)
    return LeadRead(parts, major, extras, region, category, sig.kind is None)  # type: ignore[arg-type]


def _parts(
    read: LeadRead, lead: Entry, sources: int, window: tuple[datetime, datetime]
) -> dict[str, float]:
    relevance, category, names, topic, amount, paper, roundup, market = read.parts  # rounded
    parts = {
        "relevance": relevance,
        "category": category,
        "names": names,
        "topic": topic,
        "amount": amount,
        "paper": paper,
        "sources": round(min(SOURCES_MAX, PER_SOURCE * (sources - 1)), 3),
        "feed": round(max(-FEED_MAX, min(FEED_MAX, FEED_PER_WEIGHT * (lead.weight - 1.0))), 3),
        "recency": round(_recency(lead.published_at, *window), 3),
        "roundup": roundup,
        "market": market,
        "major": round(MAJOR_BONUS, 3) if read.major[min(sources, 3) - 1] else 0.0,
    }
    return {name: part for name, part in parts.items() if part != 0}


def _majors(sources: int, sig: _Signals) -> list[str]:
    """Why an editor would call it major (see `facts.majors`); an AI story only."""
    ai = bool(sig.ai[0] or sig.ai[1] or sig.feed_ai) and not sig.market and not sig.roundup
    return majors(sig.facts, sources, ai=ai)


def importance_of(total: float, *, major: bool = False) -> Importance:
    """high from HIGH or when an editor would call it major, medium from MEDIUM, else low."""
    return "high" if total >= HIGH or major else "medium" if total >= MEDIUM else "low"


def _joined(labels: Sequence[str], limit: int = 4) -> str:
    return "、".join(labels[:limit])


def region_of(entry: Entry) -> tuple[Region, str | None]:
    """The section an entry belongs in, and why when that is not its feed's region.

    A title that names only foreign companies or people (and nothing tying it to
    China in the title or the summary's first sentence) is international news,
    whichever feed carried it; a title that names only Chinese companies is
    domestic news. Anything mixed or unknown stays where the feed put it.
    """
    title = _fold(entry.title)
    context = f"{title} {_fold(first_sentence(entry.summary))}"
    foreign = FOREIGN_TABLE.find(title)
    if foreign and not CHINA_TABLE.find(context):
        region: Region = "international"
        note = f"主体为海外公司（{_joined(foreign, 3)}），归入国际动态"
    else:
        chinese = CHINESE_ORG_TABLE.find(title)
        if not chinese or FOREIGN_TABLE.find(context):
            return entry.region, None
        region, note = "domestic", f"主体为中国公司（{_joined(chinese, 3)}），归入国内动态"
    return (region, note) if region != entry.region else (entry.region, None)


# What happened names the kind of news better than keyword counts do: a Kimi agent that
# "上线深度研究智能体" is a launch (研究 is a keyword of research), 千问's ¥30亿 campaign
# (投入) is business. Kinds not here (a lawsuit, a study, none found) keep the keywords'.
KIND_CATEGORY = {
    "deal": "重大商业动态", "funding": "重大商业动态", "ipo": "重大商业动态",
    "earnings": "重大商业动态", "spend": "重大商业动态", "people": "重大商业动态",
    "layoff": "重大商业动态", "rule": "重大政策与法规", "launch": "重大产品发布",
}  # fmt: skip


def category_of(sig: _Signals) -> str:
    """The category shown: a paper is research; a regulator's act or rule is policy; policy
    or safety words in the title keep their category; else the event's kind decides."""
    facts = sig.facts
    if sig.paper:
        return "重大学术突破"
    if facts.official and facts.kind not in ("deal", "funding", "court"):
        return "重大政策与法规"
    if sig.category in WEIGHTY_CATEGORIES and sig.keywords[0]:
        return sig.category
    kind_category = KIND_CATEGORY.get(facts.kind or "")
    if facts.kind == "launch" and sig.category == "行业应用" and facts.event == "落地":
        return sig.category  # an AI put to work in an industry: 行业应用 says more
    if facts.kind == "partner" and sig.category == OTHER:
        return "重大商业动态"
    return kind_category or sig.category


def _reason(lead: Entry, sources: int, sig: _Signals, region: Region, category: str) -> str:
    """Why it was picked, from its facts only: outlets, who did what how big, why it matters."""
    if sig.kind is not None:
        return f"{sig.kind}类稿件，非新闻报道，仅作为同一事件的佐证。"
    return reason_of(
        facts_of(lead),
        outlets=sources,
        category=category,
        domestic=region == "domestic",
        source=lead.source,
    )


def _tags(lead: Entry, sig: _Signals) -> list[str]:
    """2–4 tags: named companies and topics; padded with the category's field, never filler."""
    tags = tags_of(facts_of(lead))
    pad = CATEGORY_TAG.get(sig.category)
    if len(tags) < 2 and pad and pad not in tags:
        tags.append(pad)
    return tags


# A tag for the kind of news when the facts name too few topics.
CATEGORY_TAG = {
    "重大政策与法规": "政策法规",
    "安全与伦理": "安全伦理",
    "重大商业动态": "商业动态",
    "重大学术突破": "学术研究",
    "行业应用": "行业应用",
}


def summary_of(entry: Entry, day: date) -> str:
    """Chinese: "M月D日消息，" + the entry's first sentence + "。"; English: its headline.

    An English report is shown by its own headline (never a sentence of its body, which
    may be a teaser or an opinion), after a short Chinese lead-in built from its facts
    ("Waymo 融资 160亿美元：Waymo Raises $16 Billion …") when they say enough.
    """
    zh = entry.lang == "zh" or is_chinese(entry.title)  # the feed's language, or the title's
    if not zh:
        return english_headline(entry, paper=paper_host(entry.link) is not None)
    sentence = _zh_sentence(entry.summary)
    if len(sentence) < 8:  # a summary that is only "据悉。" or empty says less than the title
        sentence = _zh_sentence(strip_title_prefix(entry.title))
    return f"{date_prefix(day)}{sentence}。"


def _zh_sentence(text: str) -> str:
    sentence = first_sentence(strip_zh_lead(text), limit=SUMMARY_LIMIT_ZH)
    return trim_end_punct(strip_zh_lead(sentence))


class HeuristicCurator:
    """Curator from keyword, name, source and time signals; also the LLM curator's fallback."""

    kind = "heuristic"

    def __init__(self, settings: Settings, *, defer_words: bool = False) -> None:
        self.settings = settings
        # True: a big day is judged without reason, tags and summary, which
        # `Verdicts.words` writes for the stories shown (see `judge`).
        self.defer_words = defer_words
        # A big day's leads are read as they are parsed, and judged from that (`judge`).
        self.entry_reader: Callable[[Entry], object] | None = read_lead if defer_words else None
        self._errors: list[str] = []

    def judge_one(self, candidate: Candidate, day: date) -> Judgement:
        """The judgement of one candidate for the report of `day`."""
        window = self.settings.window(day)
        return _judged(_verdict(window, candidate.lead, candidate.source_count, day))

    async def judge(
        self, candidates: Sequence[Candidate], day: date, *, read: EntryReads | None = None
    ) -> Verdicts:
        """A judgement for every candidate; one that cannot be judged gets a plain low one.

        With `defer_words`, a day big enough for the workers is judged without its words
        (reason, tags, summary: a few hundred bytes a story, of which a digest and its pool
        show ~130 out of tens of thousands); `Verdicts.words` writes them for a story when
        it is shown, the same words `judge_one` gives. Then a story whose lead the parse
        workers read (`read`: each entry's `LeadRead`) is judged from that, here, without
        reading its text again; the others as before.
        """
        start, end = self.settings.window(day)
        window = (start.astimezone(UTC), end.astimezone(UTC))  # UTC, as entries' times are
        results: list[_Verdict | str | None] = [None] * len(candidates)
        weights: dict[str, float] = {}
        if read is not None and self.defer_words:
            for i, cand in enumerate(candidates):
                lead = read.get(cand.lead)
                if isinstance(lead, LeadRead):
                    sources = cand.source_count
                    results[i] = _read_verdict(lead, window, cand.lead, sources)
                    weights[cand.id] = weighed(sources, lead.extras)
        left = [i for i, result in enumerate(results) if result is None]
        todo = [candidates[i] for i in left]
        if len(todo) >= POOL_MIN_CANDIDATES and workers.available():
            worded = not self.defer_words
            judged, found = await _judge_in_workers(self.settings, todo, day, worded)
            weights.update(found)
        else:
            judged = [_verdict_or_error(window, cand, day) for cand in todo]
        for i, result in zip(left, judged, strict=True):
            results[i] = result
        words = functools.partial(self._words, day=day) if self.defer_words else None
        verdicts: dict[str, _Verdict] = {}
        for cand, outcome in zip(candidates, results, strict=True):
            assert outcome is not None  # every candidate was judged, one way or another
            if isinstance(outcome, str):  # one odd entry must not sink the day's digest
                log.warning("heuristic judgement failed for %s: %s", cand.id, outcome)
                self._errors.append(f"heuristic: candidate {cand.id}: {outcome}")
                outcome = _plain(cand)
            verdicts[cand.id] = outcome
        # Calibrated before any `Judgement` is made: each is made once, as it stays.
        changed = calibrate(candidates, verdicts, self.settings.digest, weights or None)
        judgements = {
            cid: _judged(v if cid not in changed else v._replace(importance=changed[cid]))
            for cid, v in verdicts.items()
        }
        return Verdicts(judgements=judgements, words=words)

    def _words(self, candidate: Candidate, judgement: Judgement, *, day: date) -> Judgement:
        """`judgement` with the reason, tags and summary `judge_one` writes for `candidate`."""
        if judgement.summary:  # worded already (a plain judgement of an odd entry)
            return judgement
        try:
            worded = self.judge_one(candidate, day)
        except Exception as exc:  # as in `judge`: the story is shown plainly, not lost
            log.warning("heuristic words failed for %s: %s", candidate.id, exc)
            worded = _judged(_plain(candidate))
        update = {"reason": worded.reason, "tags": worded.tags, "summary": worded.summary}
        return judgement.model_copy(update=update)

    async def conclude(self, sections: Sections, day: date) -> Conclusion:
        """Keeps the score order; highlights name the day's three most important stories.

        Across both sections: high items first, then by how many outlets reported the
        story, then by score. Each is named in Chinese: a Chinese report's own headline,
        or the lead-in built from an English headline's facts; an English headline with
        no such lead-in is passed over for the next story.
        """
        ranked = sorted((*sections.domestic, *sections.international), key=_highlight_rank)
        highlights: list[str] = []
        for item in ranked:
            phrase = headline_phrase(item.title)
            if phrase and phrase not in highlights:
                highlights.append(phrase)
            if len(highlights) == HIGHLIGHTS:
                break
        return Conclusion(order=None, highlights=highlights)

    def stats(self) -> CuratorStats:
        """Heuristic runs make no calls; only errors, if any, are worth reporting."""
        return CuratorStats(kind="heuristic", errors=list(self._errors))


def _highlight_rank(item: Item) -> tuple[bool, float, float, int]:
    """High first; then the story's weight (`facts.story_weight`); then score."""
    weight = story_weight(facts_from(item.title, item.summary), 1 + len(item.also_reported_by))
    return (item.importance != "high", -weight, -item.score.total, item.n)


def calibrate(
    candidates: Sequence[Candidate],
    verdicts: Mapping[str, _Verdict],
    cfg: DigestSettings,
    weights: Mapping[str, float] | None = None,
) -> dict[str, Importance]:
    """The day's importances as an editor sets them (see `HIGH_SHARE`, `LOW_SHARE`): the
    stories whose importance changes (by id), and to what.

    Of the stories judged high, only the heaviest `HIGH_SHARE` of the digest's size stay
    high, ranked across both sections, neither section taking more than half of them; the
    rest are medium. In each section, a story judged medium and ranked in the weakest
    `LOW_SHARE` of its quota (or below it) that only one outlet reported and nothing else
    weighs (`facts.story_weight`) is low. Scores, and so the selection, are untouched.
    `weights` are the stories' weights by id when the judging workers have them already.
    """
    known = weights or {}

    def _weight(c: Candidate) -> float:
        found = known.get(c.id)
        return story_weight(facts_of(c.lead), c.source_count) if found is None else found

    news = [c for c in candidates if c.id in verdicts and verdicts[c.id].news]
    changed: dict[str, Importance] = {}
    high = [c for c in news if verdicts[c.id].importance == "high"]
    high.sort(key=lambda c: (-_weight(c), -verdicts[c.id].total, c.id))
    budget = math.floor(HIGH_SHARE * (cfg.domestic + cfg.international) + 1e-9)
    per_section = -(-budget // 2)  # neither section's big day may take the other's 🔥
    kept: Counter[str] = Counter()
    for cand in high:
        region = verdicts[cand.id].region
        if sum(kept.values()) < budget and kept[region] < per_section:
            kept[region] += 1
        else:
            changed[cand.id] = "medium"
    by_section: dict[str, list[tuple[Candidate, _Verdict]]] = {s: [] for s in SECTIONS}
    for cand in news:
        verdict = verdicts[cand.id]
        by_section[verdict.region].append((cand, verdict))
    for section, pairs in by_section.items():
        quota = cfg.domestic if section == "domestic" else cfg.international
        pairs.sort(key=lambda pair: rank_order(pair[1].total, pair[0]))
        for cand, verdict in pairs[math.ceil(quota * (1 - LOW_SHARE)) :]:
            if verdict.importance != "medium":  # as judged: a 🔥 made medium above stays so
                continue
            # One outlet and nothing else that weighs (a leading lab's launch, a big deal …).
            if _weight(cand) < 1.5 and "major" not in verdict.parts:
                changed[cand.id] = "low"
    return changed


def _verdict_or_error(
    window: tuple[datetime, datetime], candidate: Candidate, day: date
) -> _Verdict | str:
    """The verdict (as `judge_one` judges), or what went wrong as one line."""
    try:
        return _verdict(window, candidate.lead, candidate.source_count, day)
    except Exception as exc:  # reported by `judge`, which gives the candidate a plain one
        return str(exc)


def _plain(candidate: Candidate) -> _Verdict:
    """The verdict on a story that could not be judged: shown plainly, as its title says."""
    lead = candidate.lead
    words: tuple[str, list[str], str] = ("未能提取要点，按原文展示。", [], lead.title)
    return _Verdict("low", OTHER, lead.region, True, 0.0, {}, words)


class _Verdict(NamedTuple):
    """A judgement as plain values: what a judge worker hands back (a tuple pickles in a
    fraction of the pydantic model's time, and is rebuilt as one in the parent with
    `_judged`). `words` is (reason, tags, summary), or None when deferred."""

    importance: Importance
    category: str
    region: Region
    news: bool
    total: float
    parts: dict[str, float]
    words: tuple[str, list[str], str] | None


def _verdict(
    window: tuple[datetime, datetime], lead: Entry, sources: int, day: date, *, worded: bool = True
) -> _Verdict:
    """The judgement of a story told by `lead` in `sources` outlets, for the report of `day`
    (whose `window` its recency is measured in)."""
    sig = _signals(lead)
    region, _moved = region_of(lead)
    category = category_of(sig)
    read = _lead_read(lead, sig, region, category)
    words = None
    if worded:
        reason = _reason(lead, sources, sig, region, category)
        words = (reason, _tags(lead, sig), summary_of(lead, day))
    return _read_verdict(read, window, lead, sources, words)


def _read_verdict(
    read: LeadRead,
    window: tuple[datetime, datetime],
    lead: Entry,
    sources: int,
    words: tuple[str, list[str], str] | None = None,
) -> _Verdict:
    """`_verdict` from what the lead says of any story it leads (`LeadRead`)."""
    parts = _parts(read, lead, sources, window)
    total = round(min(1.0, max(0.0, sum(parts.values()))), 3)
    importance = importance_of(total, major="major" in parts)
    return _Verdict(importance, read.category, read.region, read.news, total, parts, words)


def _judged(v: _Verdict) -> Judgement:
    """The `Judgement` of a verdict."""
    reason, tags, summary = v.words or ("", [], "")
    score = ScoreParts(total=v.total, parts=v.parts)
    judgement = Judgement(
        importance=v.importance,
        category=v.category,
        reason=reason,
        tags=tags,
        summary=summary,
        region=v.region,
        score=score,
        by="heuristic",
        news=v.news,
        feedback=[],
    )
    shared_fields(score)
    return shared_fields(judgement)


def _judge_chunk(
    window: tuple[datetime, datetime],
    stories: list[tuple[Entry, int]],
    day: date,
    known: dict[tuple[str, str], Facts],
    worded: bool,
) -> tuple[list[_Verdict | str], list[float]]:
    """Verdicts on a slice of the day (runs in a worker process), and the stories' weights.

    A story comes as its lead and its number of outlets, all a judgement depends on (not
    the other entries: they were half of what was pickled). Given the facts the parent
    already read (dedupe reads many), each entry's facts are read once a run; the day's
    calibration needs of them only each story's weight, handed back instead of the facts
    (a float, not a Facts to pickle and keep per story).
    """
    forget()  # the facts and kinds of earlier slices: this worker will not be asked again
    kinds.forget()  # (each cached by text, which kept the slices' texts alive)
    remember(known)
    results: list[_Verdict | str] = []
    for lead, sources in stories:
        try:
            results.append(_verdict(window, lead, sources, day, worded=worded))
        except Exception as exc:  # reported by `judge`, which gives the story a plain one
            results.append(str(exc))
    return results, [story_weight(facts_of(lead), sources) for lead, sources in stories]


async def _judge_in_workers(
    settings: Settings, candidates: Sequence[Candidate], day: date, worded: bool
) -> tuple[list[_Verdict | str], dict[str, float]]:
    """Judge a big day in worker processes, in input order: both cores, same judgements."""
    size = min(-(-len(candidates) // JUDGE_CHUNKS), JUDGE_CHUNK_MAX)
    # The day's window, not the settings: those (every feed's) were pickled with each chunk.
    window = settings.window(day)
    chunks = [
        [(c.lead, c.source_count) for c in candidates[i : i + size]]
        for i in range(0, len(candidates), size)
    ]
    async with workers.borrow() as pool:  # the run's warm workers when it has them
        jobs = [
            pool.run(
                _judge_chunk, window, chunk, day, known_facts(lead for lead, _ in chunk), worded
            )
            for chunk in chunks
        ]
        done = await asyncio.gather(*jobs)
    weights = [weight for _, chunk_weights in done for weight in chunk_weights]
    results = [r for chunk_results, _ in done for r in chunk_results]
    return results, {c.id: w for c, w in zip(candidates, weights, strict=True)}
