"""Small text helpers shared by de-duplication and the curators.

Titles arrive in two scripts: Chinese (often with English names inside, such as
"OpenAI发布GPT-5") and English. Everything here is pure and deterministic.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date
from typing import NamedTuple

import nh3

from pipeline.needles import Guarded

# Chinese text is Han characters (CJK Unified Ideographs, Extension A, Compatibility):
# the one definition, used by parse (an entry's language), dedupe and the curators.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{_CJK}]")
CJK_RUN_RE = re.compile(f"[{_CJK}]+")

# Short labels a feed puts in front of a title ("36氪获悉｜", "快讯：", "独家 |",
# "【重磅】"): they say nothing about the story, so similarity ignores them.
_PREFIX_WORDS = (
    "36氪获悉",
    "36kr获悉",
    "快讯",
    "独家",
    "重磅",
    "突发",
    "首发",
    "最新",
    "速递",
    "早报",
    "晚报",
    "热点",
    "深度",
    "观点",
    "breaking",
    "exclusive",
    "update",
    "updated",
    "analysis",
    "opinion",
    "report",
)
_PREFIX_RE = re.compile(
    r"^\s*(?:\[|【)?\s*(?:"
    + "|".join(re.escape(w) for w in _PREFIX_WORDS)
    + r")\s*(?:\]|】)?\s*[|｜丨:：!！]?\s*",
    re.IGNORECASE,
)
_BRACKET_RE = re.compile(r"^\s*【[^】]{1,12}】\s*")
# An outlet's own label: "36氪独家｜", "AI科技评论独家｜", "量子位首发："; never a story's words.
_OUTLET_LABEL_RE = re.compile(r"^\s*[^|｜丨:：\s]{1,8}(?:独家|首发|获悉|快讯)\s*[|｜丨:：]\s*")

# Leads that Chinese news copy starts with; the digest adds its own date lead.
_ZH_LEAD_RE = re.compile(
    r"^\s*(?:"
    r"(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:消息|晚间|早间|午间|下午|上午|晚|讯)?"
    r"|(?:36氪|36kr|钛媒体|界面新闻|新浪科技|雷锋网|IT之家)获悉"
    r"|据[^，,。]{1,12}(?:报道|消息)"
    r")\s*[，,：:]\s*",
    re.IGNORECASE,
)
_SENTENCE_END_ZH = re.compile(r"[。！？!?；;]")
# An English sentence ends at . ! ? followed by a space and a capital, quote or digit,
# but not after an initial or a common abbreviation ("U.S.", "Inc.", "Mr.").
_SENTENCE_END_EN = re.compile(r"[.!?](?=\s+[\"'“A-Z0-9])")
_ABBREVIATIONS = frozenset(
    {"mr", "ms", "mrs", "dr", "st", "vs", "inc", "co", "corp", "ltd", "jr", "sr", "no"}
)


def _invisible_bmp_class() -> str:
    """A regex class of the BMP's control (Cc), format (Cf) and surrogate (Cs) characters,
    whitespace and the zero-width joiner excepted: scanned once at import (~7 ms)."""
    bmp = [
        c
        for c in range(0x10000)
        if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs") and not chr(c).isspace()
    ]
    bmp.remove(0x200D)
    ranges, start = [], bmp[0]
    for prev, cur in zip(bmp, [*bmp[1:], -1], strict=True):
        if cur != prev + 1:
            ranges.append(f"\\u{start:04x}-\\u{prev:04x}" if prev > start else f"\\u{start:04x}")
            start = cur
    return "[" + "".join(ranges) + "]"


# Astral format characters (Unicode 15) in a class of their own: mixed into the BMP class
# they make every search 4x slower, and astral characters are rare in news text.
_INVISIBLE_RE = re.compile(_invisible_bmp_class())
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
_INVISIBLE_ASTRAL_RE = re.compile(
    "[\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_PICTO = "\u2190-\u2bff\u3030\u303d\u3297\u3299\ufe0f\U0001f000-\U0001faff"
# A zero-width joiner between two pictographs is part of an emoji (👩‍💻): kept.
_LONE_ZWJ_RE = re.compile(f"(?<![{_PICTO}])\u200d|\u200d(?![{_PICTO}])")


def strip_invisible(text: str) -> str:
    """Feed text without the characters that hide or disguise what it says.

    Control characters (ESC, BEL … but not whitespace, which callers fold) and
    format characters: bidi overrides and isolates (U+202E makes "gpj.exe" read
    "exe.jpg"), zero-width spaces and joiners, the BOM, soft hyphens, Unicode tags;
    and lone surrogates. A zero-width joiner inside an emoji sequence (👩‍💻) is
    kept. Done once, at parse time, so every output (web, RSS, JSON, chats) shows
    the same text.
    """
    if text.isascii() and text.isprintable():
        return text  # the common case, without a regex pass
    text = _INVISIBLE_RE.sub("", text)
    if _ASTRAL_RE.search(text):
        text = _INVISIBLE_ASTRAL_RE.sub("", text)
    return _LONE_ZWJ_RE.sub("", text) if "\u200d" in text else text


# Every tag of an HTML text dropped, and the content of script and style (nh3's
# defaults); entities are left as they are. Built once: `nh3.clean(text, tags=set())`
# built its sanitizer anew for each text, ~2/3 of the ~12 us it took a summary.
strip_tags = nh3.Cleaner(tags=set()).clean


def nfkc(text: str) -> str:
    """Full-width letters, digits and punctuation to their half-width forms."""
    return text if text.isascii() else _nfkc(text)


# An entry's summary is half-width'd for its kind, its facts, its opening and its sums.
@functools.lru_cache(maxsize=256)
def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def date_prefix(day: date) -> str:
    """The start of every item summary for the report date: "2月3日消息，"."""
    return f"{day.month}月{day.day}日消息，"


def has_chinese(text: str) -> bool:
    """True when the text has any Chinese (Han) character. Kana alone is not Chinese."""
    return CJK_RE.search(text) is not None


def is_chinese(text: str) -> bool:
    """True when at least a fifth of the letters are Chinese characters."""
    return False if text.isascii() else _mostly_chinese(text)


# An entry's title is asked about five times as it is parsed, noted and read (its features,
# its story key, its subject, its sentences …): the last few answers are remembered.
@functools.lru_cache(maxsize=512)
def _mostly_chinese(text: str) -> bool:
    # Letters are A-Z, a-z and Chinese characters. Counted by runs, and the Latin letters
    # as the bytes left when all others are deleted: ~3x faster than listing every letter
    # with `findall`.
    cjk = sum(map(len, CJK_RUN_RE.findall(text)))
    if not cjk:
        return False
    latin = len(text.encode("utf-8", "surrogatepass").translate(None, _NOT_LATIN))
    return cjk * 5 >= cjk + latin


_NOT_LATIN = bytes(b for b in range(256) if not chr(b).isascii() or not chr(b).isalpha())


@functools.lru_cache(maxsize=512)  # asked of each title four times (see `_mostly_chinese`)
def strip_title_prefix(title: str) -> str:
    """Drop feed labels such as "36氪获悉｜", "快讯：", "独家 |" and a leading "【…】".

    The rest is returned as written (full-width punctuation stays): it may be shown.
    """
    out = title
    for _ in range(3):  # labels stack: "【快讯】独家｜…"
        new = _BRACKET_RE.sub("", _PREFIX_RE.sub("", out, count=1), count=1)
        new = _OUTLET_LABEL_RE.sub("", new, count=1)
        if new == out or not new.strip():
            break
        out = new
    return out.strip()


def normalise_title(title: str) -> str:
    """Lower-case, half-width, labels removed, punctuation and whitespace squeezed to one space."""
    text = strip_title_prefix(nfkc(title)).lower()
    text = "".join(ch if ch.isalnum() or ch in ".-" else " " for ch in text)
    return " ".join(text.split())


def strip_zh_lead(text: str) -> str:
    """Drop a leading "2月3日消息，", "36氪获悉，" or "据路透社报道，" (repeatedly)."""
    out = text.strip()
    for _ in range(3):
        new = _ZH_LEAD_RE.sub("", out, count=1)
        if new == out:
            break
        out = new
    return out


@functools.lru_cache(maxsize=256)  # an entry's opening is read for its notes and its facts
def first_sentence(text: str, *, limit: int = 200) -> str:
    """The first sentence of a text, with its end mark; cut at `limit` chars with "…"."""
    text = " ".join(text.split())
    if not text:
        return ""
    end = _zh_sentence_end(text) if is_chinese(text) else _en_sentence_end(text)
    sentence = text[:end]
    if len(sentence) > limit:
        sentence = _cut(sentence, limit)
    return sentence.strip()


def _zh_sentence_end(text: str) -> int:
    m = _SENTENCE_END_ZH.search(text)
    return m.end() if m else len(text)


def _en_sentence_end(text: str) -> int:
    for m in _SENTENCE_END_EN.finditer(text):
        words = text[: m.start()].split()
        word = words[-1].lower() if words else ""
        if m.group() == "." and (len(word) == 1 or "." in word or word in _ABBREVIATIONS):
            continue
        return m.end()
    return len(text)


def _cut(text: str, limit: int) -> str:
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if not is_chinese(cut) and space > limit // 2:  # English: do not split a word
        cut = cut[:space]
    return cut.rstrip(" ,，、;；:：") + "…"


def trim_end_punct(text: str) -> str:
    """Without trailing sentence punctuation, so that callers can join phrases."""
    return text.rstrip(" 。.！!？?；;，,、:：…")


# Digests of many stories ("8点1氪｜…", "今日早间要闻：…", "AI科技评论周报：…", "This week in
# AI"): the head of the title (before the first separator) names the column, not a story.
_ROUNDUP_HEAD_RE = Guarded(
    re.compile(
        r"(?:早报|晚报|午报|日报|周报|月报|周刊|要闻|简报|速览|速递|汇总|合集|\d+点1氪|今日看点)"
    )
)
_ROUNDUP_EN_RE = Guarded(
    re.compile(
        r"\b(?:this week in|week in review|weekly|roundup|round-up|recap|newsletter|"
        r"morning brief(?:ing)?|daily brief(?:ing)?|daily digest|weekly digest)\b",
        re.IGNORECASE,
    )
)
# Newspapers whose name ends in 日报 are sources, not columns ("人民日报：…").
_NEWSPAPER_RE = re.compile(r"(?:人民|经济|科技|光明|证券|中国|法治|工人|解放|南方|新京|参考)日报")
_HEAD_SPLIT_RE = re.compile(r"[|｜丨:：]")
_LIST_SPLIT_RE = re.compile(r"[；;]")


@functools.lru_cache(maxsize=512)  # asked of each title three times (see `_mostly_chinese`)
def is_roundup(title: str) -> bool:
    """True for a digest of several stories rather than one: "8点1氪｜…", "…早报：…", "周报".

    Either the head of the title names a column (早报, 要闻, 周报, "This week in AI"), or
    the title lists three or more items separated by "；".
    """
    text = nfkc(title).strip()
    if len(_LIST_SPLIT_RE.split(text)) >= 3:
        return True
    head = _HEAD_SPLIT_RE.split(text, maxsplit=1)[0]
    if _ROUNDUP_HEAD_RE.search(head) and not _NEWSPAPER_RE.search(head):
        return True
    return _ROUNDUP_EN_RE.search(text) is not None


_ZH_UNITS = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "亿": 1e8,
    "千万": 1e7,
    "百万": 1e6,
    "万": 1e4,
}
_EN_UNITS = {"trillion": 1e12, "t": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9,
             "million": 1e6, "m": 1e6, "mn": 1e6}  # fmt: skip
# A sum is "[symbol][space]number unit": the patterns start at the number, where the engine
# finds a start fast, and `_symbol` looks back for the symbol (an optional group in front
# made the engine try every character of the text, 3x slower).
_ZH_AMOUNT_RE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(万亿|千亿|百亿|亿|千万|百万|万)(美元|欧元|英镑|港元|港币|日元|元|人民币)?"
)
_EN_AMOUNT_RE = re.compile(
    r"(\d+(?:\.\d+)?)[ -]?(trillion|billion|million|bn|mn|[btm])\b", re.IGNORECASE
)
_SYMBOLS = "$€£¥"
# Currencies by their symbol or Chinese name, and a rough value in US dollars: enough to
# see that "30亿元" and "$420 Million" are one sum (¥3bn ≈ $417M), never to do accounts.
_CURRENCY_OF = {"$": "USD", "美元": "USD", "€": "EUR", "欧元": "EUR", "£": "GBP", "英镑": "GBP",
                "¥": "CNY", "元": "CNY", "人民币": "CNY", "港元": "HKD", "港币": "HKD",
                "日元": "JPY"}  # fmt: skip
USD_PER = {"USD": 1.0, "CNY": 1 / 7.2, "EUR": 1.08, "GBP": 1.27, "HKD": 1 / 7.8, "JPY": 1 / 150}
CURRENCY_ZH = {
    "USD": "美元",
    "CNY": "元",
    "EUR": "欧元",
    "GBP": "英镑",
    "HKD": "港元",
    "JPY": "日元",
}
# Two sums are the same when they differ by less than this: exchange rates move, and
# outlets round ("$420 Million" for ¥3bn at 7.14).
SAME_AMOUNT_TOLERANCE = 0.06


class Money(NamedTuple):
    """A sum with its currency ("" when the text gives none) as written: 30亿元 is (3e9, "CNY")."""

    value: float
    currency: str
    chinese_unit: bool = False  # written with 亿/万: a bare sum is then most likely yuan

    @property
    def usd(self) -> float | None:
        """Its value in US dollars, roughly; None when the currency is unknown."""
        rate = USD_PER.get(self.currency)
        return None if rate is None else self.value * rate

    def zh(self) -> str:
        """How a Chinese reader says it: "160亿美元", "1.25万亿美元", "8亿元"."""
        value = self.value
        for unit, size in (("万亿", 1e12), ("亿", 1e8), ("万", 1e4)):
            if value >= size:
                return f"{float(f'{value / size:.3g}'):g}{unit}{CURRENCY_ZH.get(self.currency, '')}"
        return f"{value:g}{CURRENCY_ZH.get(self.currency, '')}"


def money(text: str) -> list[Money]:
    """The sums with a unit in either script, in order of appearance ("160亿美元", "$16B", "30亿")."""
    return list(_money_in(text))


@functools.lru_cache(maxsize=256)
def _money_in(text: str) -> tuple[Money, ...]:
    # An entry's title and summary are read for money five times (its facts, its story
    # key, its judgement's amounts): a few recent texts remembered.
    text = nfkc(text).replace(",", "")
    found: list[tuple[int, Money]] = []
    if "亿" in text or "万" in text:  # every Chinese unit has one
        for m in _ZH_AMOUNT_RE.finditer(text):
            start, symbol = _symbol(text, m.start())
            currency = _CURRENCY_OF.get(m.group(3) or symbol, "")
            value = _round3(float(m.group(1)) * _ZH_UNITS[m.group(2)])
            found.append((start, Money(value, currency, chinese_unit=True)))
    for m in _EN_AMOUNT_RE.finditer(text):
        start, symbol = _symbol(text, m.start())
        currency = _CURRENCY_OF.get(symbol, "")
        if symbol == "$":  # "HK$100 billion" is Hong Kong dollars, "S$", "A$" … not ours
            before = text[max(0, start - 2) : start].upper()
            other = before[-1:].isascii() and before[-1:].isalpha()
            currency = "HKD" if before.endswith("HK") else "" if other else "USD"
        value = _round3(float(m.group(1)) * _EN_UNITS[m.group(2).lower()])
        found.append((start, Money(value, currency)))
    return tuple(m for _, m in sorted(found, key=lambda f: f[0]))


def _symbol(text: str, number: int) -> tuple[int, str]:
    """Where a sum whose number starts at `number` starts, and its currency symbol ("" for
    none): a symbol right before the number, or before one space in front of it."""
    before = text[max(0, number - 2) : number]
    if not before:
        return number, ""
    if before[-1] in _SYMBOLS:
        return number - 1, before[-1]
    if before[-1].isspace():
        if len(before) == 2 and before[0] in _SYMBOLS:
            return number - 2, before[0]
        return number - 1, ""
    return number, ""


def amounts(text: str, *, money_only: bool = False) -> frozenset[float]:
    """Amounts with a unit in either script, as plain numbers: "160亿美元" and "$16B" are both 1.6e10.

    Bare numbers ("9项", "2025年", "3-nanometer") are not amounts. With `money_only`,
    only amounts in a currency ("$", "美元", "元" …) count. A sum in another currency
    than the dollar is given as its rough dollar value, so that `amounts_match` meets
    "30亿元" with "$420 Million" (and not with "$3 Billion"); a bare sum in Chinese units
    ("阿里30亿") is given both as written and as yuan.
    """
    found: set[float] = set()
    for m in money(text):
        if m.currency in ("", "USD"):
            if m.currency or not money_only:
                found.add(m.value)
            if not m.currency and m.chinese_unit and not money_only:
                found.add(_round3(m.value * USD_PER["CNY"]))  # "阿里30亿" is most likely yuan
        elif m.usd is not None:
            found.add(_round3(m.usd))
    return frozenset(found)


def amounts_match(a: frozenset[float], b: frozenset[float]) -> bool:
    """True when some amount of `a` and some amount of `b` are the same sum (within tolerance)."""
    return any(abs(x - y) <= SAME_AMOUNT_TOLERANCE * max(x, y) for x in a for y in b)


def _round3(value: float) -> float:
    """Three significant digits, so that 1.25万亿 and $1.25 trillion compare equal."""
    return float(f"{value:.3g}")


# arXiv's feed opens every abstract with "arXiv:2602.00102v1 Announce Type: new Abstract:".
_ARXIV_PREAMBLE_RE = re.compile(
    r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s+Abstract:\s*", re.IGNORECASE
)


def summary_lead(summary: str, *, limit: int = 120) -> str:
    """The opening of a summary for comparing stories: its first sentence, at most `limit` chars.

    Half-width, with a leading "2月3日消息，" or "据路透社报道，" dropped: two outlets that
    open the same story with different datelines still open it with the same sentence.
    """
    text = _ARXIV_PREAMBLE_RE.sub("", nfkc(summary), count=1)
    return first_sentence(strip_zh_lead(text), limit=limit)
