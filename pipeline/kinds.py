"""What kind of piece an entry is: a news report, or one of the kinds that is not news.

A digest of the day's news carries reports of events. Feeds also carry pieces
that are not: opinion and essays, hands-on reviews, event and ticket promotion,
job posts, gift guides and "best of" lists, roundups of many stories, and
surveys. Such a piece may corroborate a story (it stays among the story's
reports) but never leads it and never becomes an item on its own.

Each kind is recognised by how such pieces are written, in either script: a
column's label in front of the title ("观点｜", "深度｜", "AI & 安全："), a title
that ends in a question, a reviewer speaking ("我们实测了…", "We tested a
dozen…"), a call to register ("报名", "early-bird"), a list's headline ("The Best
…", "盘点"), an explainer's "本文梳理…". `piece_kind` returns the kind's name
(Chinese, for the reader of `/why`) or None for a news report; `entry_kind` also
calls a research paper (a link on arxiv.org …) what it is: research, not the day's
news, though a report about it is. Pure and cached.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from pipeline.models import Entry
from pipeline.needles import Guarded, fold
from pipeline.text import is_roundup, nfkc, strip_title_prefix

OPINION = "评论与专题"
REVIEW = "上手实测"
PROMOTION = "活动推广"
JOB = "招聘"
LIST = "榜单与导购"
ROUNDUP = "新闻汇总"
SURVEY = "综述与调查"
PAPER = "研究论文"
MARKET = "股价行情"

# Hosts of research papers: a paper is research, not the day's news; a report about it is.
PAPER_HOSTS = ("arxiv.org", "openreview.net", "aclanthology.org", "proceedings.mlr.press")

# A column's label before the first separator: what follows is commentary or a feature.
_COLUMN_HEAD_RE = re.compile(
    r"^(?:观点|评论|社论|专栏|随笔|锐评|深度|长文|解读|特稿|周末|对谈|圆桌|opinion|analysis|essay|"
    r"commentary|column|perspective|op-ed)$|^AI\s*[&+×]\s*\S{1,6}$",
    re.IGNORECASE,
)
_HEAD_RE = re.compile(r"^([^|｜丨:：]{1,16})[|｜丨:：]")
# A head that says the piece explains or discusses a story ("…技术报告解读：", "对话X："):
# a feature about the news, not the news.
_FEATURE_HEAD_RE = Guarded(
    re.compile(r"解读|解析|复盘|对话|专访|访谈|圆桌|\binterview\b", re.IGNORECASE)
)
# Commentary and features in English headlines: a judgement or a trend, not an event.
_OPINION_EN_RE = Guarded(
    re.compile(
        r"\b(?:won't|will never|might need to|may need to|is just getting started|"
        r"(?:is|are) coming for|the case (?:for|against)|here's why|why you|what .{1,40} means for|"
        r"lessons from|inside the|op-ed|opinion:|essay:|i think|we need to talk|"
        r"real (?:risk|problem|story|reason|threat)|(?:isn't|aren't) (?:about|the|just|really)|"
        r"(?:is|are) really about|"
        r"(?:is|are|was|were) (?:wrong|right) about|love letter|overrated|underrated|overhyped|"
        r"(?:is|was) (?:a|an) (?:mistake|trap|bubble|warning|wake-up call|distraction))\b",
        re.IGNORECASE,
    )
)
# An explainer says so in its first lines: "本文梳理…", "本文从…拆解", "In this essay"; a
# column is signed as one: "… (Bloomberg Opinion)".
_EXPLAINER_RE = Guarded(
    re.compile(
        r"本文(?:梳理|分析|拆解|盘点|探讨|解读|复盘|从|将|试图|带你)|\bin this (?:essay|column|piece|op-ed)\b|"
        r"\bopinion\)",
        re.IGNORECASE,
    )
)
# A reviewer speaking: "我们实测了…", "上手体验", "I used … for a week", "hands-on".
_REVIEW_TITLE_RE = Guarded(
    re.compile(
        r"(?<!网友)(?<!用户)(?:实测|评测|测评|上手|深度体验|体验报告|首发体验|体验[:：]|开箱)|"
        r"我们(?:让它|用它|试了|测了)|"
        r"\b(?:hands-on|review:|i tried|i used|we tried|we tested)\b",
        re.IGNORECASE,
    )
)
_REVIEW_SUMMARY_RE = Guarded(
    re.compile(
        r"^(?:我们|笔者|小编)[^。！？]{0,8}(?:实测|试用|体验|上手|测试|测了)|"
        r"我们(?:去现场)?(?:实测|试用|体验|上手)了|"
        r"^\W*(?:i|we) (?:tried|tested|used|spent a week with)\b|\bfor a (?:week|month), i\b",
        re.IGNORECASE,
    )
)
_PROMOTION_RE = Guarded(
    re.compile(
        r"报名|早鸟票|购票|抢票|门票|优惠码|限时优惠|直播预告|议程(?:公布|发布)|倒计时\d+天|"
        r"\blast chance to\b|\bsave \$\d+|\bpromo code\b|\bdiscount(?:ed)? (?:passes|tickets)\b|"
        r"\b(?:register now|registration (?:is )?open|early[- ]bird|tickets? (?:on sale|available)|rsvp|"
        r"save the date|call for (?:members|experts|speakers|papers|participants|applications))\b|"
        r"^(?:[\w-]+ )?(?:workshop|webinar|info day|hackathon|meetup)\b|\b(?:workshop|webinar) on\b",
        re.IGNORECASE,
    )
)
_JOB_RE = Guarded(
    re.compile(
        r"招聘|诚聘|内推|岗位(?:开放|招募)|加入我们|实习生|"
        r"\b(?:we're hiring|we are hiring|is hiring|job opening|now hiring|apply now)\b",
        re.IGNORECASE,
    )
)
_LIST_RE = Guarded(
    re.compile(
        r"盘点|清单|导购|好物|选购指南|礼物|榜单(?:发布|出炉)|排行榜|独角兽榜|百强榜|必备.{0,4}(?:工具|应用|神器)|\d+款.{0,8}推荐|推荐\d+款|"
        r"^(?:the )?(?:best|top \d+|\d+ best)\b|\bgift guide\b|\bbuying guide\b|"
        r"\bthat raised the most\b|^everything .{1,40} (?:announced|launched|unveiled)\b|\b\d+ (?:ways|things|tools|apps) (?:to|for|that)\b",
        re.IGNORECASE,
    )
)
_SURVEY_RE = Guarded(
    re.compile(
        r"综述|问卷|调查显示|调研报告|^(?:a )?(?:survey|review) of\b|\b(?:comprehensive|systematic) "
        r"(?:survey|review)\b|\bsurvey (?:finds|shows|says)\b|\bpoll (?:finds|shows)\b",
        re.IGNORECASE,
    )
)


# Share-price moves and market wraps mention AI names without being AI news.
MARKET_RE = Guarded(
    re.compile(
        r"(?:\b(?:shares?|stocks?|bitcoin|nasdaq)\b.{0,40}?\b(?:swings?|rise|rises|rose|falls?|fell|"
        r"climbs?|jumps?|surges?|slumps?|drops?|gains?|tumbles?|sinks?|soars?|slides?|slips?|"
        r"rall(?:y|ies))\b)|收评|收盘|股价|涨停|跌停|恒指|美股|盘中",
        re.IGNORECASE,
    )
)


def _question_title(title: str) -> bool:
    """A title whose last clause is a question is a feature or commentary ("…还有多远？")."""
    return title.rstrip().endswith(("?", "？"))


def _column(title: str) -> bool:
    m = _HEAD_RE.match(title)
    if m is None:
        return False
    head = m.group(1).strip()
    return _COLUMN_HEAD_RE.search(head) is not None or _FEATURE_HEAD_RE.search(head) is not None


@lru_cache(maxsize=1 << 16)
def piece_kind(title: str, summary: str = "") -> str | None:
    """The non-news kind of an entry ("上手实测", "活动推广" …), or None when it reports news."""
    title = nfkc(title).strip()
    opening = nfkc(summary).strip()[:200]
    # Each pattern is run only on a text holding one of its words (`Guarded`), looked for
    # in the text case-folded once.
    folded, folded_opening = fold(title), fold(opening)
    # In order: the first that holds names the kind.
    if is_roundup(title):
        return ROUNDUP
    if _JOB_RE.search(title, folded):
        return JOB
    if _PROMOTION_RE.search(title, folded) or "报名" in opening:
        return PROMOTION
    if _LIST_RE.search(strip_title_prefix(title)):
        return LIST
    if _SURVEY_RE.search(title, folded):
        return SURVEY
    if MARKET_RE.search(title, folded):
        return MARKET
    if _REVIEW_TITLE_RE.search(title, folded) or _review_opening(opening, folded_opening):
        return REVIEW
    if _opinion(title, opening, folded, folded_opening):
        return OPINION
    return None


def _review_opening(opening: str, folded: str) -> bool:
    return _REVIEW_SUMMARY_RE.search(opening, folded) is not None


def _opinion(title: str, opening: str, folded: str, folded_opening: str) -> bool:
    return (
        _column(title)
        or _question_title(title)
        or _OPINION_EN_RE.search(title, folded) is not None
        or _EXPLAINER_RE.search(opening, folded_opening) is not None
    )


@lru_cache(maxsize=1 << 16)
def paper_host(link: str) -> str | None:
    """The paper host an entry links to ("arxiv.org"), or None."""
    lowered = link.lower()
    if not any(h in lowered for h in PAPER_HOSTS):  # most links: no need to split them
        return None
    host = (urlsplit(link).hostname or "").removeprefix("www.")
    return next((h for h in PAPER_HOSTS if host == h or host.endswith("." + h)), None)


def forget() -> None:
    """Drop the kinds read so far (see `facts.forget`)."""
    piece_kind.cache_clear()
    paper_host.cache_clear()


def entry_kind(entry: Entry) -> str | None:
    """The non-news kind of an entry, a paper included; None when it reports news."""
    return PAPER if paper_host(entry.link) else piece_kind(entry.title, entry.summary)


def is_news(entry: Entry) -> bool:
    """True for a news report; False for opinion, reviews, promotion, jobs, lists, roundups,
    surveys and research papers."""
    return entry_kind(entry) is None
