"""Pure de-duplication: the same link once, the same story across sources once.

Two passes over the in-window entries:

1. Same canonical link -> one entry. A copy in the same feed is dropped; a copy
   in another feed is kept as one of the story's other reports (two feeds chose
   to carry it, which corroborates it).
2. Same story -> one `Candidate`. Titles (then summaries, see below) are compared as sets of features:
   Latin words (lower-cased, lightly stemmed, stop words out; a word written as
   a name, and any Latin word in a Chinese title, weighs more) and Chinese
   character bigrams, after full-width -> half-width and the feed's labels
   ("36氪获悉｜", "快讯：") are stripped. Features are weighted by how rare they
   are in the batch (so "OpenAI" and "发布" in many titles count less than
   "Codex"). Similarity is the mean of the weighted Dice and overlap
   coefficients, lowered when each title names something the other does not
   ("Meta acquires Rivos" / "Meta acquires PlayAI"; in Chinese the subject, the
   first telling feature: "寒武纪…" / "摩尔线程…"). Titles join a story strongest
   pair first, at `SAME_STORY_THRESHOLD`, and only when they are loosely alike to
   every title already in it, so one title cannot chain two stories together.
   The threshold is chosen and measured in `bench/dedupe.py` (BENCHMARKS.md).

Comparing every pair would be quadratic; instead an inverted index from feature
to titles proposes only the pairs that share a telling feature (not a number,
not a stock word), and features present in more than `COMMON_FEATURE_DF` titles
are treated as noise (weight 0).

Some rewordings share too few words for their titles to reach the threshold
("寒武纪业绩预告：…首次年度盈利" / "寒武纪要赚钱了：…"). A second signal, the
opening of each lead entry's summary (`SummaryIndex`: first sentence, at most
`SUMMARY_CHARS`, featurised like a title), joins two stories when their titles
are already loosely alike (a pair `TitleIndex.scores` found at half the
threshold, so no new pairs are proposed), share a name that is not common in
the batch, are in one script, are not roundups, do not give different amounts,
and their summaries are at least `SAME_SUMMARY_THRESHOLD` alike. Summaries are
featurised lazily, only for pairs that pass the cheap checks.

Chinese and English titles never share a feature, and some rewordings in one
language share too few words; a third pass (`join_by_names`) joins stories by
what they name: one Latin-script name and the same amount ("Waymo" + 160亿美元 /
$16B), or, across the two scripts, two shared names ("xAI" + "SpaceX").
Different amounts or a roundup ("8点1氪｜…") rule a pair out, and groups join
only when every story of one matches every story of the other.

The lead of a story is chosen deterministically: the highest feed weight, then
a real date before a first-seen one, then the earliest published, then feed and
id. The result does not depend on the order of the input.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from itertools import chain
from typing import Any, Generic, NamedTuple, TypeVar

from pipeline.facts import PARENT, facts_from, find_names, is_repost, laws_in
from pipeline.ids import canonical_url
from pipeline.kinds import is_news
from pipeline.models import Candidate, Entry, shared_fields
from pipeline.text import (
    CJK_RUN_RE,
    amounts,
    amounts_match,
    is_chinese,
    is_roundup,
    nfkc,
    normalise_title,
    strip_title_prefix,
    summary_lead,
)

SAME_STORY_THRESHOLD = 0.4
# Latin-script names two titles in different scripts must share to be one story.
CROSS_LANGUAGE_NAMES = 2
# Latin words that Chinese titles carry but that name no one ("CEO", "API", "GPU").
NOT_NAMES = frozenset(
    ("ceo", "cto", "cfo", "coo", "api", "gpu", "cpu", "npu", "llm", "agent", "agents", "pro",
     "max", "plus", "mini", "ultra", "beta", "ios", "android", "app", "apps", "ip", "vr", "ar")
)  # fmt: skip
# A product and its maker are one name, not two: "xAI" + "Grok" does not make two
# stories one, nor does "OpenAI" + "Codex" (stems, as `story_key` keeps them).
PRODUCT_OF = {
    "grok": "xai", "chatgpt": "openai", "codex": "openai", "sora": "openai", "gpt": "openai",
    "gemini": "google", "deepmind": "google", "claude": "anthropic", "llama": "meta",
    "copilot": "microsoft", "azur": "microsoft", "aws": "amazon", "siri": "apple",
    "iphone": "apple", "qwen": "alibaba", "kimi": "moonshot",
}  # fmt: skip
# Chinese names of companies and people that English titles name in Latin script: a
# Chinese and an English report of one event meet on them ("阿里"/"千问" and "Alibaba's
# Qwen"). Keyed as `story_key` keys Latin words (see `_latin_key`).
ZH_NAMES = {
    "阿里": "alibaba", "千问": "qwen", "通义": "qwen", "马斯克": "musk", "谷歌": "google",
    "微软": "microsoft", "英伟达": "nvidia", "苹果": "apple", "亚马逊": "amazon", "特斯拉": "tesla",
    "甲骨文": "oracle", "软银": "softbank", "三星": "samsung", "台积电": "tsmc", "英特尔": "intel",
    "高通": "qualcomm", "华为": "huawei", "腾讯": "tencent", "字节": "bytedance", "百度": "baidu",
    "豆包": "doubao", "月之暗面": "moonshot", "智谱": "zhipu", "小米": "xiaomi", "比亚迪": "byd",
    "宇树": "unitree", "寒武纪": "cambricon", "商汤": "sensetime", "小鹏": "xpeng", "蔚来": "nio",
    "理想汽车": "li", "美团": "meituan", "京东": "jd", "快手": "kuaishou", "联想": "lenovo",
    "蚂蚁": "ant", "欧盟": "eu", "白宫": "white", "奥特曼": "altman", "扎克伯格": "zuckerberg",
    "黄仁勋": "jensen", "优必选": "ubtech", "宁德时代": "catl", "中芯国际": "smic",
}  # fmt: skip
# Two titles that each name something the other does not ("Meta acquires Rivos" /
# "Meta acquires PlayAI") are usually two stories: their similarity is scaled by this.
ENTITY_CONFLICT_FACTOR = 0.6
# Two stories whose titles are loosely alike are one when the openings of their summaries
# (or one's title and the other's summary) are this alike; see `SummaryIndex`.
SAME_SUMMARY_THRESHOLD = 0.42
SUMMARY_CHARS = 120
COMMON_FEATURE_DF = 50
# Below this many titles the batch says little about which words are common, so
# rarity is computed as if the batch were this large (a typical day is ~200).
MIN_BATCH_FOR_IDF = 200

# Weights before rarity. A name ("OpenAI", "GPT-5", "Waymo"; any Latin word in a
# Chinese title) identifies a story better than an ordinary word or a bigram of
# Chinese characters; a one-digit number or a stock word hardly does.
ENTITY_WEIGHT = 2.0
WORD_WEIGHT = 1.0
NUMBER_WEIGHT = 1.2
SMALL_NUMBER_WEIGHT = 0.5
BIGRAM_WEIGHT = 1.0
GENERIC_WEIGHT = 0.25

# Words and bigrams that appear in any news title and say nothing about which story.
_EN_STOP_WORDS = (
    "a an the of to in on for and or with from by at as is are be was were its it this that "
    "into over about after amid new says say said will can could may more than how why what "
    "who when where up out all just now vs via per first here has have had his her their"
)
_EN_GENERIC_STEMS = (
    "ai app launch releas unveil announc introduc plan report compan startup model deal "
    "billion million trillion dollar use make get big top acquir buy rais invest sue merg "
    "research propos study paper new talk near"
)
_ZH_GENERIC_BIGRAMS = (
    "消息 宣布 发布 推出 正式 公司 获悉 表示 今日 日前 近日 全新 首个 一个 一款 全球 国内 "
    "行业 大模 模型 人工 工智 智能 完成 进行 实现 成为 将在 已经 旗下 我们 为什 什么 "
    "如何 重磅 最新 业界 亿美 美元 亿元 万元 万亿 新一 一轮 一代"
)
# Words of news copy that say who reported a story, not which story it is.
_SUMMARY_STOCK = (
    "en:accord en:peopl en:familiar en:matter en:sourc en:told en:person en:statement en:week "
    "zh据悉 zh据了 zh了解 zh报道 zh日电 zh记者 zh获悉"
)
SUMMARY_STOCK = frozenset(_SUMMARY_STOCK.split())
EN_STOP = frozenset(_EN_STOP_WORDS.split())
EN_GENERIC = frozenset(_EN_GENERIC_STEMS.split())
ZH_GENERIC = frozenset(_ZH_GENERIC_BIGRAMS.split())

# Latin tokens in either script; a hyphen or dot glues digits on ("GPT-5.3", "1.25", "Phi-4").
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:[.\-](?=[0-9])[A-Za-z0-9]+)*")
_NUMBER_RE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(?:b|bn|m|k|t)?$")  # "$16B" and "16 billion" meet
_EN_SUFFIXES = ("ing", "ed", "es", "s", "e")
_HEAD_RE = re.compile(f"{CJK_RUN_RE.pattern}|{_TOKEN_RE.pattern}")


class TitleFeatures(NamedTuple):
    """A title's features with their weight before rarity, and the names it mentions."""

    weights: dict[str, float]
    entities: frozenset[str]


def _stem(word: str) -> str:
    """A crude English stem ('raises', 'raised', 'raise' -> 'rais'): enough to compare titles."""
    if len(word) <= 4:
        return word
    for suffix in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _title_case(tokens: Sequence[str]) -> bool:
    """True for a headline In Title Case, where a capital letter does not mark a name."""
    words = [t for t in tokens if t.isalpha() and t.lower() not in EN_STOP]
    return len(words) >= 3 and sum(1 for w in words if w[0].isupper()) * 4 >= len(words) * 3


@lru_cache(maxsize=1 << 16)
def _word_kind(word: str) -> tuple[str | None, float, bool]:
    """(feature, weight, may be a name) of one lower-cased Latin token; feature None: a stop word."""
    word = word.replace("-", "")
    number = _NUMBER_RE.match(word)
    if number:
        digits = number.group(1)
        return f"#{digits}", SMALL_NUMBER_WEIGHT if len(digits) == 1 else NUMBER_WEIGHT, False
    if word in EN_STOP or len(word) < 2:
        return None, 0.0, False
    stem = _stem(word)
    if stem in EN_GENERIC:
        return f":{stem}", GENERIC_WEIGHT, False
    return f":{stem}", WORD_WEIGHT, True


def _is_name(token: str, position: int, zh: bool, title_case: bool) -> bool:
    if zh or token[1:] != token[1:].lower():  # "OpenAI", "xAI", "HPE", "GPT-5"
        return True
    return position > 0 and token[0].isupper() and not title_case


def _word_features(text: str, zh: bool) -> Iterable[tuple[str, float, bool]]:
    tokens = _TOKEN_RE.findall(text)
    title_case = not zh and _title_case(tokens)
    for position, token in enumerate(tokens):
        feature, weight, nameable = _word_kind(token.lower())
        if feature is None:
            continue
        if nameable and _is_name(token, position, zh, title_case):
            yield feature, ENTITY_WEIGHT, True
        else:
            yield feature, weight, False


def _bigram_features(text: str) -> Iterable[tuple[str, float, bool]]:
    for run in CJK_RUN_RE.findall(text):
        if len(run) == 1:
            yield run, BIGRAM_WEIGHT, False
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            yield gram, GENERIC_WEIGHT if gram in ZH_GENERIC else BIGRAM_WEIGHT, False


def _head(text: str) -> str | None:
    """The first telling feature of a Chinese title: almost always its subject ("寒武纪…")."""
    for m in _HEAD_RE.finditer(text):
        token = m.group().lower()
        if CJK_RUN_RE.match(token):
            if token[:2] not in ZH_GENERIC:
                return token[:2]
            continue
        feature, _, nameable = _word_kind(token)
        if nameable and feature is not None:
            return feature
    return None


def title_features(title: str) -> TitleFeatures:
    """The features of one title: Latin words (names weigh more) and Chinese bigrams.

    Features carry the title's script ("zh"/"en"), so that a Chinese and an
    English title never share one. The names are the English words written as
    names, and in a Chinese title its Latin words and its subject (first feature).
    """
    text = strip_title_prefix(nfkc(title))
    zh = is_chinese(text)
    lang = "zh" if zh else "en"
    weights: dict[str, float] = {}
    entities: set[str] = set()
    for name, weight, entity in _word_features(text, zh):
        key = lang + name
        # The same word can be a name in one title and not in another; the heavier kind wins.
        if weight > weights.get(key, 0.0):
            weights[key] = weight
        if entity:
            entities.add(key)
    if zh:
        for name, weight, _ in _bigram_features(text.lower()):
            weights[lang + name] = weight
        head = _head(text)
        if head is not None:
            entities.add(lang + head)
    return TitleFeatures(weights, frozenset(entities))


def _title_score(
    shared: float,
    a: float,
    b: float,
    entities_a: frozenset[str],
    entities_b: frozenset[str],
    all_a: Mapping[str, float],
    all_b: Mapping[str, float],
) -> float:
    """Mean of the weighted Dice and overlap coefficients of two titles whose features
    total `a` and `b` and share `shared`, lowered on a conflict of names (each names one
    the other's features, common ones too, do not carry).

    Dice alone punishes a short title against a long one that says more about
    the same story ("智谱完成30亿元融资" / "智谱AI获30亿元融资，国资领投"); the
    overlap coefficient alone merges any short title into a long one.
    """
    if a <= 0 or b <= 0:
        return 0.0
    score = (2 * shared / (a + b) + shared / min(a, b)) / 2
    if entities_a.difference(all_b) and entities_b.difference(all_a):
        score *= ENTITY_CONFLICT_FACTOR
    return score


class TitleIndex:
    """Weighted feature sets of a batch of titles and the similar pairs among them.

    A feature weighs the same in every title of the batch: its kind (the
    heaviest any title gave it) times its rarity in the batch; a feature in
    more than `COMMON_FEATURE_DF` titles weighs 0 and indexes nothing.
    """

    def __init__(
        self, titles: Sequence[str], *, features: Sequence[TitleFeatures] | None = None
    ) -> None:
        raw = list(features) if features is not None else [title_features(t) for t in titles]
        kind: dict[str, float] = {}
        df = Counter(chain.from_iterable(f.weights for f in raw))  # counted in one C loop
        for feats in raw:
            for name, w in feats.weights.items():
                if w > kind.get(name, 0.0):
                    kind[name] = w
        self.weights = {
            name: kind[name] * _rarity(count, len(titles)) for name, count in df.items()
        }
        self.df = df  # how many titles of the batch carry each feature (summaries reuse it)
        live = {name for name, w in self.weights.items() if w > 0}
        # Only telling features propose pairs to compare: two titles that share nothing but
        # numbers and stock words ("…完成5亿元融资") are not one story, and such features would
        # propose most of the pairs of a large batch.
        telling = {name for name in live if kind[name] >= BIGRAM_WEIGHT and "#" not in name}
        self.features = [frozenset(f.weights.keys() & live) for f in raw]
        self.entities = [f.entities for f in raw]
        # Every title's features, common ones too (a name may be common): `raw[i].weights`.
        self.raw = raw  # the features before rarity (summaries are weighted like them)
        self.totals = [sum([self.weights[n] for n in f]) for f in self.features]
        # The minor (not telling) features of a title are made again where a pair needs
        # them (`_minor`), not kept: a set per title, ~20 MB of a 100,000-entry batch.
        self._telling = telling
        self._minor_totals = [
            sum([self.weights[n] for n in self._minor(i)]) for i in range(len(raw))
        ]
        self._postings: dict[str, list[int]] = defaultdict(list)
        for i, names in enumerate(self.features):
            for name in names & telling:
                self._postings[name].append(i)

    def _minor(self, i: int) -> frozenset[str]:
        """Title i's features that propose no pair (numbers, stock words)."""
        return self.features[i] - self._telling

    def similarity(self, i: int, j: int) -> float:
        """How alike titles i and j are, from 0 (nothing shared) to 1."""
        return self._score(self._shared(i, j), i, j)

    def _shared(self, i: int, j: int) -> float:
        return sum(self.weights[n] for n in self.features[i] & self.features[j])

    def _score(self, shared: float, i: int, j: int) -> float:
        """`_title_score` of titles i and j, which share features weighing `shared`."""
        return _title_score(
            shared,
            self.totals[i],
            self.totals[j],
            self.entities[i],
            self.entities[j],
            self.raw[i].weights,
            self.raw[j].weights,
        )

    def _pair_sums(self) -> Mapping[int, Mapping[int, float]]:
        """For each title i, and each later title j that shares a telling feature with it,
        the summed weight of those features (`rows[i][j]`): a row per title, so that
        `scores` reads a title's pairs together without sorting a big day's ~100,000 pairs
        or packing each into one key (a dict of 125,000 tuple-keyed pairs was ~40 MB at
        once of a 100,000-title batch)."""
        rows: defaultdict[int, defaultdict[int, float]] = defaultdict(lambda: defaultdict(float))
        for name, postings in self._postings.items():
            weight = self.weights[name]
            for pos, i in enumerate(postings[:-1]):
                row = rows[i]
                for j in postings[pos + 1 :]:
                    row[j] += weight
        return rows

    def scores(self, floor: float) -> dict[tuple[int, int], float]:
        """The similarity of every candidate pair (i < j) that reaches `floor` (> 0): the
        pairs that share a telling feature."""
        out: dict[tuple[int, int], float] = {}
        features, weights = self.features, self.weights
        totals, minor_totals, entities = self.totals, self._minor_totals, self.entities
        # Each title's features, common ones too, as a set a title's names are tested against
        # (`_title_score`'s conflict of names): a subset test allocates nothing, where the
        # difference made a set for each of a big day's ~100,000 pairs.
        keys = [f.weights.keys() for f in self.raw]
        for i, row in self._pair_sums().items():
            # What the pairs of title i share, read once for all of them (a day's titles
            # have ~10 pairs each, the bench's up to ~30).
            a, minor_a = totals[i], minor_totals[i]
            if a <= 0:  # no weight to be alike by (`_title_score`: 0)
                continue
            minor, entities_a, keys_a = self._minor(i), entities[i], keys[i]
            for j, shared in row.items():
                b = totals[j]
                if b <= 0:
                    continue
                # The mean of Dice and overlap is at most the overlap, so a pair whose shared
                # weight cannot reach floor x the smaller total, even if every minor feature
                # of the lighter side were shared, is dropped before its sets are intersected.
                smaller = a if a < b else b
                bound = floor * smaller
                minor_b = minor_totals[j]
                if shared + (minor_a if minor_a < minor_b else minor_b) < bound:
                    continue
                # The minor features both share (`_minor(i) & _minor(j)`): on the bench's
                # 200 x 50, 23 of 116,975 pairs share one; the others are told apart without
                # a new set.
                if minor and not minor.isdisjoint(features[j]):
                    shared += sum([weights[name] for name in minor.intersection(features[j])])
                    if shared < bound:
                        continue
                # `_title_score`, inline (a call a pair was a fifth of this loop; a property
                # test in tests/unit/test_dedupe.py holds the two to the same scores).
                score = (2 * shared / (a + b) + shared / smaller) / 2
                if not entities_a <= keys[j] and not entities[j] <= keys_a:
                    score *= ENTITY_CONFLICT_FACTOR
                if score >= floor:
                    out[i, j] = score
        return out

    def stories(
        self,
        threshold: float = SAME_STORY_THRESHOLD,
        scores: dict[tuple[int, int], float] | None = None,
    ) -> list[list[int]]:
        """Titles grouped into stories; each group sorted, groups by their first title.

        Pairs are joined strongest first, and two groups join only when every
        title of one is at least loosely similar (half the threshold) to every
        title of the other: one title alike to two different stories ("Apple to
        use Google's Gemini for Siri") does not chain them into one. `scores` are
        `self.scores(threshold / 2)` when the caller has them already.
        """
        floor = threshold / 2
        scores = self.scores(floor) if scores is None else scores
        strong = sorted(
            (pair for pair, s in scores.items() if s >= threshold), key=lambda p: (-scores[p], p)
        )
        return _grow({i: [i] for i in range(len(self.features))}, strong, _loose(scores, floor))


def _loose(scores: dict[tuple[int, int], float], floor: float) -> Callable[[int, int], bool]:
    """A test of whether titles x and y are at least loosely alike (`scores` has i < j pairs)."""
    return lambda x, y: scores.get((min(x, y), max(x, y)), 0.0) >= floor


def _grow(
    group: dict[int, list[int]],
    pairs: Iterable[tuple[int, int]],
    loose: Callable[[int, int], bool],
) -> list[list[int]]:
    """Join the groups of each pair in turn, when every member of one is `loose` to every member of the other.

    `group` maps each item to its group (a list shared by its members); the groups
    come back sorted, in order of their first item.
    """
    for i, j in pairs:
        a, b = group[i], group[j]
        if a is b:
            continue
        if len(a) == 1 == len(b):  # most pairs: two titles alone so far
            if not loose(a[0], b[0]):
                continue
        elif not all(loose(x, y) for x in a for y in b):
            continue
        a.extend(b)
        for k in b:
            group[k] = a
    unique = {id(g): g for g in group.values()}
    return sorted(sorted(g) for g in unique.values())


def _rarity(count: int, batch: int) -> float:
    """1 for a feature seen once, falling with how many titles share it; 0 past COMMON_FEATURE_DF."""
    if count > COMMON_FEATURE_DF:
        return 0.0
    n = max(batch, MIN_BATCH_FOR_IDF)
    return math.log((n + 1) / (count + 0.5)) / math.log((n + 1) / 1.5)


class _Doc(NamedTuple):
    """Weighted features of one title or summary opening, as `SummaryIndex` compares them."""

    weights: dict[str, float]
    total: float
    entities: frozenset[str]


class SummaryIndex:
    """The openings of the lead entries' summaries, compared only for pairs the titles propose.

    A summary's opening (`summary_lead`: first sentence, at most `SUMMARY_CHARS`)
    is featurised like a title and weighted by the rarity of each feature among
    the batch's titles, so that no second index over every summary is built: an
    entry's summary is featurised when one of its pairs passes the cheap checks.
    """

    def __init__(self, titles: TitleIndex, entries: Sequence[Entry]) -> None:
        self._titles = titles
        self._entries = entries
        self._rarity: dict[int, float] = {}
        self._facts: dict[int, tuple[bool, bool, frozenset[str]]] = {}
        self._summaries: dict[int, _Doc | None] = {}
        self._amounts_of: dict[int, frozenset[float]] = {}

    def similarity(self, i: int, j: int) -> float:
        """How alike the two entries' summaries (or one's title and the other's summary) are; 0 if ruled out.

        Ruled out: two scripts, a roundup, titles that share no name (a name in
        one title that the other also carries: "寒武纪", "Grok"; not one in more
        than `COMMON_FEATURE_DF` titles), amounts in title and summary on both
        sides that differ, or no summary on either side.
        """
        if not self._comparable(i, j) or self._amounts_differ(i, j):
            return 0.0
        a, b = self._summary(i), self._summary(j)
        if a is None and b is None:
            return 0.0
        if a is not None and b is not None:
            return _doc_similarity(a, b)
        # One side has no summary: its title against the other's summary, by Dice alone.
        # A short title is easily contained in a long summary of another story about the
        # same name ("xAI launches Grok 5" in "…stop using xAI's Grok…"), so the overlap
        # coefficient, which would score that containment high, does not count here.
        summary, title = (a, j) if a is not None else (b, i)
        assert summary is not None  # both None was ruled out above
        return _doc_similarity(summary, self._title(title), overlap=False)

    def _comparable(self, i: int, j: int) -> bool:
        zh_i, roundup_i, names_i = self._fact(i)
        zh_j, roundup_j, names_j = self._fact(j)
        if zh_i != zh_j or roundup_i or roundup_j:
            return False
        # A name in more than COMMON_FEATURE_DF titles ("OpenAI" on a big day) weighs 0 and
        # tells nothing; it also would send most of a large batch through the summaries.
        raw = self._titles.raw
        return bool(
            (names_i and not names_i.isdisjoint(raw[j].weights))
            or (names_j and not names_j.isdisjoint(raw[i].weights))
        )

    def named(self) -> frozenset[int]:
        """The titles that carry a name that weighs: a pair of two others is never
        comparable (`_comparable`), and a big day's names are mostly too common to weigh
        (the bench's 200 x 50: none of its 80,868 pairs across stories had one)."""
        return frozenset(i for i in range(len(self._entries)) if self._names(i))

    def _names(self, i: int) -> frozenset[str]:
        """The names in title i that weigh (in at most `COMMON_FEATURE_DF` titles)."""
        weights = self._titles.weights
        return frozenset(n for n in self._titles.entities[i] if weights.get(n, 0.0) > 0)

    def _fact(self, i: int) -> tuple[bool, bool, frozenset[str]]:
        """(Chinese?, roundup?, the names that weigh) of entry i's title."""
        fact = self._facts.get(i)
        if fact is None:
            title = self._entries[i].title
            fact = self._facts[i] = (is_chinese(title), is_roundup(title), self._names(i))
        return fact

    def _summary(self, i: int) -> _Doc | None:
        if i not in self._summaries:
            entry = self._entries[i]
            lead = summary_lead(entry.summary, limit=SUMMARY_CHARS)
            same = normalise_title(lead) in ("", normalise_title(entry.title))
            self._summaries[i] = None if same else self._doc(title_features(lead))
        return self._summaries[i]

    def _title(self, i: int) -> _Doc:
        return self._doc(self._titles.raw[i])

    def _amounts_differ(self, i: int, j: int) -> bool:
        a, b = self._amounts(i), self._amounts(j)
        return bool(a and b and not amounts_match(a, b))

    def _amounts(self, i: int) -> frozenset[float]:
        """The amounts in entry i's title and the opening of its summary."""
        found = self._amounts_of.get(i)
        if found is None:
            entry = self._entries[i]
            found = amounts(f"{entry.title} {entry.summary[: 2 * SUMMARY_CHARS]}")
            self._amounts_of[i] = found
        return found

    def _doc(self, feats: TitleFeatures) -> _Doc:
        weights: dict[str, float] = {}
        for name, kind in feats.weights.items():
            weight = min(kind, GENERIC_WEIGHT) if name in SUMMARY_STOCK else kind
            weight *= self._rarity_of(self._titles.df.get(name, 0))
            if weight > 0:
                weights[name] = weight
        return _Doc(weights, sum(weights.values()), feats.entities)

    def _rarity_of(self, df: int) -> float:
        rarity = self._rarity.get(df)
        if rarity is None:
            rarity = self._rarity[df] = _rarity(max(df, 1), len(self._entries))
        return rarity


def _doc_similarity(a: _Doc, b: _Doc, *, overlap: bool = True) -> float:
    """`TitleIndex`'s measure (mean of weighted Dice and overlap, lowered on a conflict of names).

    With `overlap=False`, the weighted Dice coefficient alone.
    """
    if a.total <= 0 or b.total <= 0:
        return 0.0
    shared = sum([w for name, w in a.weights.items() if name in b.weights])
    score = 2 * shared / (a.total + b.total)
    if overlap:
        score = (score + shared / min(a.total, b.total)) / 2
    if a.entities - b.weights.keys() and b.entities - a.weights.keys():
        score *= ENTITY_CONFLICT_FACTOR
    return score


def join_by_summaries(
    stories: Sequence[Sequence[int]],
    scores: dict[tuple[int, int], float],
    summaries: SummaryIndex,
    floor: float,
) -> list[list[int]]:
    """Join title stories whose lead entries' summaries say they are one story.

    Only pairs whose titles are already loosely alike (`scores`, at `floor`) are
    compared, and two stories join only when every title of one is loosely alike
    to every title of the other, as in `TitleIndex.stories`: the summaries make a
    weak title match strong, never a story out of titles that share nothing.
    """
    story_of = {i: k for k, members in enumerate(stories) for i in members}
    named = summaries.named()
    strong: dict[tuple[int, int], float] = {}
    for i, j in scores:
        # A pair in which neither title has a name that weighs is not compared (0.0): that
        # is told here from a set, not by `similarity`'s checks, pair by pair.
        if story_of[i] != story_of[j] and (i in named or j in named):
            score = summaries.similarity(i, j)
            if score >= SAME_SUMMARY_THRESHOLD:
                strong[i, j] = score
    group: dict[int, list[int]] = {}
    for members in stories:
        shared = list(members)
        for i in shared:
            group[i] = shared
    order = sorted(strong, key=lambda p: (-strong[p], p))
    return _grow(group, order, _loose(scores, floor))


def order_key(entry: Entry) -> tuple[float, bool, datetime, str, str, str, str]:
    """Sort key of entries and stories: heaviest feed, dated, earliest, then stable ties."""
    return (
        -entry.weight,
        not entry.dated,
        entry.published_at,
        entry.feed,
        entry.id,
        entry.title,
        entry.link,
    )


def lead_key(
    entry: Entry,
    notes: Callable[[Entry], Notes] | None = None,
    order: Callable[[Entry], Any] = order_key,
) -> tuple[bool, bool, bool, Any]:
    """Sort key of the entry that leads a story.

    A news report before a piece that is not news (an essay, a review, a roundup:
    it may corroborate a story, never lead it), then an outlet's own report before its
    repost elsewhere ("…（转载自36氪）": shown as 机器之心's with 36氪's link, it would read
    as a mismatch), then a Chinese report before an
    English one (the digest is read in Chinese; the report is shown with its own
    link and source), then `order_key` (or `order`: the entry's place in that order).
    Both are in the entry's `notes`.
    """
    noted = (notes or notes_of)(entry)
    return (not noted.news, is_repost(entry.title), not noted.title_key.zh, order(entry))


def _link_groups(ranked: Sequence[Entry]) -> list[list[Entry]]:
    """Entries in `order_key` order grouped by canonical link, each group's best entry
    first, one entry per feed; the groups in the order of their first entries."""
    groups: dict[str, list[Entry]] = {}
    for entry in ranked:  # copies of one link say the same
        link = _link_key(entry)
        group = groups.get(link)
        if group is None:
            groups[link] = [entry]
        elif all(e.feed != entry.feed for e in group):
            group.append(entry)
    return list(groups.values())


def _link_key(entry: Entry) -> str:
    # parse.py stores canonical links already; re-canonicalise only what may carry tracking.
    if "?" in entry.link or "#" in entry.link:
        return canonical_url(entry.link) or f"entry:{entry.id}"
    return entry.link


def _candidate(
    entries: Sequence[Entry],
    notes: Callable[[Entry], Notes] | None = None,
    order: Callable[[Entry], Any] = order_key,
) -> Candidate:
    if len(entries) == 1:
        return shared_fields(Candidate(id=entries[0].id, lead=entries[0], others=[]))
    ordered = sorted(entries, key=lambda e: lead_key(e, notes, order))
    return shared_fields(Candidate(id=ordered[0].id, lead=ordered[0], others=ordered[1:]))


class Notes(NamedTuple):
    """What `cluster` reads of one entry by itself, whatever else the batch holds: its
    title's features, the names and laws it gives (its part of `_cheap_keys`), whether
    it reports news (`lead_key`), and its title's part of `story_key`. Each depends only on the entry's text and link,
    so it can be read where the entry is parsed (a worker process, while other feeds are
    still on the wire) and handed to `cluster`, which then has that much less to do
    after the last fetch. The same entry gives the same notes wherever they are read."""

    features: TitleFeatures
    keys: frozenset[str]
    news: bool
    title_key: StoryKey


NoteKey = tuple[str, str, str]


def note_key(entry: Entry) -> NoteKey:
    """What an entry's notes depend on: its title, summary and link."""
    return (entry.title, entry.summary, entry.link)


def notes_of(entry: Entry) -> Notes:
    """The notes of one entry (see `Notes`)."""
    return Notes(
        title_features(entry.title), _entry_keys(entry), is_news(entry), title_key(entry.title)
    )


# An entry's notes as a parse worker sends them (`pack`): plain tuples, which unpickle in a
# fraction of the time of the named tuples, dict and frozensets they stand for (~11 of the
# ~15 us an entry took to unpickle); `Shared.unpack` makes the notes of them, as it would
# have made them again anyway, with one copy of what they share.
PackedNotes = tuple[
    tuple[str, ...],  # the title's feature names, in order
    tuple[float, ...],  # and their weights
    tuple[str, ...],  # the names it mentions (`TitleFeatures.entities`)
    tuple[str, ...],  # `Notes.keys`
    bool,  # `Notes.news`
    tuple[str, ...],  # `StoryKey.names`
    tuple[float, ...],  # `StoryKey.amounts`
    bool,  # `StoryKey.zh`
    bool,  # `StoryKey.roundup`
]


def pack(notes: Notes) -> PackedNotes:
    """`notes` as plain tuples, for the trip from a parse worker (see `Shared.unpack`)."""
    weights, key = notes.features.weights, notes.title_key
    return (
        tuple(weights),
        tuple(weights.values()),
        tuple(notes.features.entities),
        tuple(notes.keys),
        notes.news,
        tuple(key.names),
        tuple(key.amounts),
        key.zh,
        key.roundup,
    )


class Shared:
    """One copy of each feature name, weight and set of names across many entries' notes.

    Notes come packed from the parse workers (`pack`), each feed with its own copies of
    the same feature names ("zh大模", "en:launch"), weights and name sets; a big run holds
    100,000 entries' notes until `cluster` (~1.4 KB each as they come, ~0.5 KB shared).
    """

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._weights: dict[float, float] = {}
        self._sets: dict[frozenset[str], frozenset[str]] = {}
        self._amount_sets: dict[frozenset[float], frozenset[float]] = {}
        # Looked up through `map`, in C: a comprehension calling them was ~3/4 of unpacking.
        self._name, self._weight = self._names.setdefault, self._weights.setdefault

    def unpack(self, packed: PackedNotes) -> Notes:
        """The notes `pack` was given, made of the shared copies."""
        names, weights, entities, keys, news, key_names, amounts, zh, roundup = packed
        features = TitleFeatures(
            dict(
                zip(map(self._name, names, names), map(self._weight, weights, weights), strict=True)
            ),
            self._set(entities),
        )
        found = frozenset(amounts)
        key = StoryKey(
            self._set(key_names), self._amount_sets.setdefault(found, found), zh, roundup
        )
        return Notes(features, self._set(keys), news, key)

    def _set(self, names: tuple[str, ...]) -> frozenset[str]:
        """One copy of the set of `names` (and of each name in it)."""
        found = self._sets.get(key := frozenset(names))
        if found is None:
            found = frozenset(map(self._name, key, key))
            self._sets[found] = found
        return found


class _Noted:
    """Each entry's notes during one `cluster`: the ones given (the i-th entry's, or None),
    else read here, once for each text (copies of one report in two feeds share them)."""

    def __init__(self, entries: Sequence[Entry], given: Sequence[Notes | None]) -> None:
        self._read: dict[NoteKey, Notes] = {}
        # By the entry object: each is asked for ~3.5 times (its title's features, its
        # story key, its names, whether it is news).
        self._seen: dict[int, tuple[Entry, Notes]] = {
            id(e): (e, n) for e, n in zip(entries, given, strict=True) if n is not None
        }

    def __call__(self, entry: Entry) -> Notes:
        seen = self._seen.get(id(entry))
        if seen is not None and seen[0] is entry:
            return seen[1]
        key = note_key(entry)
        found = self._read.get(key)
        if found is None:
            found = self._read[key] = notes_of(entry)
        self._seen[id(entry)] = (entry, found)
        return found


K = TypeVar("K", int, str)


class UnionFind(Generic[K]):
    """Disjoint sets with path halving; a set's root is its smallest member."""

    def __init__(self, members: Iterable[K] = ()) -> None:
        self.parent: dict[K, K] = {m: m for m in members}

    def find(self, x: K) -> K:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: K, b: K) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[K]]:
        """Every set, each in member order, in order of first member."""
        out: dict[K, list[K]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return list(out.values())


def cluster(
    entries: Sequence[Entry],
    threshold: float = SAME_STORY_THRESHOLD,
    *,
    notes: Sequence[Notes | None] = (),
) -> list[Candidate]:
    """Entries -> stories: one Candidate per link, then per story across sources and languages.

    Candidates come out in the order of their leads (`order_key`), whatever the input order.
    `notes` (the i-th entry's, None where not read) are entries' notes already read
    elsewhere (`notes_of`: a parse worker); the others are read here. They change nothing
    but the time it takes.
    """
    noted = _Noted(entries, notes or [None] * len(entries))
    ranked = sorted(entries, key=order_key)
    # Each entry's place in `order_key` order, read once: stories' leads are chosen, and
    # the candidates sorted, by it (the same order; ints compare faster than the keys).
    place = {id(e): k for k, e in enumerate(ranked)}

    def order(entry: Entry) -> int:
        return place[id(entry)]

    groups = _link_groups(ranked)  # in the order of their leads (`order_key`) already
    index = TitleIndex(
        [g[0].title for g in groups], features=[noted(g[0]).features for g in groups]
    )
    floor = threshold / 2
    scores = index.scores(floor)
    summaries = SummaryIndex(index, [g[0] for g in groups])
    joined = join_by_summaries(index.stories(threshold, scores), scores, summaries, floor)
    stories = [[e for i in story for e in groups[i]] for story in joined]
    # The title index and its pairs are done with: freed before the stories are joined
    # further and made candidates (~60 MB of a 100,000-entry day's peak).
    del index, scores, summaries, joined, groups, ranked
    joined_stories = join_by_facts(join_by_names(stories, noted), noted)
    candidates = [_candidate(story, noted, order) for story in joined_stories]
    return sorted(candidates, key=lambda c: order(c.lead))


class StoryKey(NamedTuple):
    """What a story's titles name in Latin script, the amounts they give, and their script."""

    names: frozenset[str]
    amounts: frozenset[float]
    zh: bool
    roundup: bool


def story_key(titles: Sequence[str]) -> StoryKey:
    """The Latin-script names ("xai", "spacex", "waymo") and amounts of a story's titles.

    In a Chinese title the Latin words are names, and so are the Chinese names of
    `ZH_NAMES` (as their Latin key); in an English one every word that is not a stop or
    stock word counts, since only names will meet a Chinese title's. Amounts include
    their rough dollar value, so "30亿元" meets "$420 Million".
    """
    return _joined_key([title_key(t) for t in titles])


def title_key(title: str) -> StoryKey:
    """`story_key` of one title: a story's key joins its titles' (read where they are parsed)."""
    text = strip_title_prefix(nfkc(title))
    names: set[str] = set()
    for token in _TOKEN_RE.findall(text):
        feature, weight, _ = _word_kind(token.lower())
        if feature is not None and feature.startswith(":") and weight >= WORD_WEIGHT:
            names.add(feature[1:])
    names.update(_latin_key(latin) for zh, latin in ZH_NAMES.items() if zh in text)
    return StoryKey(
        names=frozenset(names - NOT_NAMES),
        amounts=amounts(text),
        zh=is_chinese(title),
        roundup=is_roundup(title),
    )


def _joined_key(keys: Sequence[StoryKey]) -> StoryKey:
    """The key of a story from its titles' keys (the first title's script is the story's)."""
    if len(keys) == 1:
        return keys[0]
    return StoryKey(
        names=frozenset().union(*(k.names for k in keys)),
        amounts=frozenset().union(*(k.amounts for k in keys)),
        zh=keys[0].zh,
        roundup=all(k.roundup for k in keys),  # a story that a roundup joined is a story
    )


def _latin_key(word: str) -> str:
    """A Latin name as `story_key` keys the words of an English title ("google" -> "googl")."""
    feature, _, _ = _word_kind(word)
    return (feature or ":" + word)[1:]


def _maker(name: str) -> str:
    """A product's maker ("iphon" -> "appl"), keyed as `story_key` keys names; else the name."""
    return _MAKER.get(name, name)


def _same_amounts(a: frozenset[float], b: frozenset[float]) -> int:
    """How many amounts of `a` are also, within tolerance, amounts of `b` (in any currency)."""
    return sum(1 for x in a if amounts_match(frozenset((x,)), b))


def names_match(a: StoryKey, b: StoryKey) -> int:
    """How strongly two stories' names and amounts say "same story"; 0 when they do not.

    Conservative on purpose: a distinctive name plus the same amount ("Waymo" and
    160亿/$16B), or, across the two scripts, two shared names ("xAI" and "SpaceX").
    Amounts on both sides that differ, or a roundup of many stories, rule it out.
    """
    if a.roundup or b.roundup:
        return 0
    same_amount = _same_amounts(a.amounts, b.amounts)
    if a.amounts and b.amounts and not same_amount:
        return 0
    shared = len({_maker(n) for n in a.names & b.names})
    if shared >= 1 and same_amount:
        return shared + 2 * same_amount
    if a.zh != b.zh and shared >= CROSS_LANGUAGE_NAMES:
        return shared
    return 0


_MAKER = {_latin_key(product): _latin_key(maker) for product, maker in PRODUCT_OF.items()}


def join_by_names(
    stories: Sequence[Sequence[Entry]], notes: Callable[[Entry], Notes] = notes_of
) -> list[list[Entry]]:
    """Join the stories that `names_match`, strongest pair first, without chaining.

    This catches what title similarity cannot: a Chinese and an English report of one
    event share no feature, and "Waymo raises $16B" / "Waymo Raises $16 Billion From
    Alphabet" share too few words. Two groups join only when every story of one
    matches every story of the other, so one title cannot chain two stories together.
    """
    keys = [
        notes(story[0]).title_key
        if len(story) == 1
        else _joined_key([notes(e).title_key for e in story])
        for story in stories
    ]
    pairs = _name_pairs(keys)
    group = {i: [i] for i in range(len(stories))}
    for i, j in sorted((p for p, s in pairs.items() if s > 0), key=lambda p: (-pairs[p], p)):
        a, b = group[i], group[j]
        if a is b or not all(pairs.get((min(x, y), max(x, y)), 0) > 0 for x in a for y in b):
            continue
        a.extend(b)
        for k in b:
            group[k] = a
    unique = {id(g): sorted(g) for g in group.values()}
    return [[e for i in members for e in stories[i]] for members in sorted(unique.values())]


def _name_pairs(keys: Sequence[StoryKey]) -> dict[tuple[int, int], int]:
    """`names_match` of every pair of stories (i < j) that share a name."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        for name in key.names:
            postings[name].append(i)
    pairs: dict[tuple[int, int], int] = {}
    for members in postings.values():
        if len(members) > COMMON_FEATURE_DF:  # a name in every other title tells nothing
            continue
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                if (i, j) not in pairs:
                    pairs[i, j] = names_match(keys[i], keys[j])
    return pairs


def merge(candidates: Sequence[Candidate], groups: Sequence[Sequence[str]]) -> list[Candidate]:
    """Merge the candidates whose ids each group names (a curator says: one story).

    Unknown ids are ignored; overlapping groups merge transitively. A merged
    candidate takes the place of its first member and its lead is chosen as in
    `cluster`; an entry present in two members is kept once.
    """
    if not any(len(group) > 1 for group in groups):  # nothing to merge (the heuristic's day)
        return list(candidates)
    position = {c.id: i for i, c in enumerate(candidates)}
    uf: UnionFind[int] = UnionFind(range(len(candidates)))
    for group in groups:
        known = [position[cid] for cid in group if cid in position]
        for other in known[1:]:
            uf.union(known[0], other)
    members: dict[int, list[Entry]] = defaultdict(list)
    for i, cand in enumerate(candidates):
        members[uf.find(i)].extend(cand.entries)
    out: list[Candidate] = []
    for i, cand in enumerate(candidates):
        root = uf.find(i)
        if root != i:
            continue
        entries = members[root]
        out.append(cand if len(entries) == len(cand.entries) else _candidate(_unique(entries)))
    return out


def _unique(entries: Iterable[Entry]) -> list[Entry]:
    seen: set[tuple[str, str]] = set()
    out: list[Entry] = []
    for entry in entries:
        key = (entry.feed, entry.id)
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


# Kinds of event that a company has at most one of in a day: two reports of the same
# company's funding, listing or earnings are one story. Not deals: an acquirer may
# announce two in a day ("Meta acquires Rivos" / "Meta acquires PlayAI").
ONCE_A_DAY = frozenset(("funding", "ipo", "earnings"))
# Kinds of event whose sum is the event's own (a round, a price, a budget): two different
# sums are two events. Earnings, launches and rules quote many figures.
SUM_KINDS = frozenset(("funding", "deal", "ipo", "spend"))
# The most reports a story grows to by its facts (a big story of a day has five to ten).
MAX_FACT_JOIN = 12
_CJK_BIGRAM_RE = re.compile(CJK_RUN_RE.pattern)


class StoryFacts(NamedTuple):
    """What a story's reports say, pooled: see `join_by_facts`."""

    names: frozenset[str]  # named companies, people, regulators, and what they are part of
    subjects: frozenset[str]  # who its reports are about
    kinds: frozenset[str]
    amounts: frozenset[float]
    laws: frozenset[str]
    tokens: frozenset[str]  # product names: "V4", "Qwen3.5" (see `_is_product`)
    words: frozenset[str]  # telling words of its English titles (stems, not stop words)
    bigrams: frozenset[str]  # telling pairs of Chinese characters of its titles
    text: str  # its titles and summary openings, letters and digits only, to look tokens up in
    scripts: frozenset[bool]  # is_chinese of each title
    roundup: bool
    news: bool  # read from news reports (else from pieces that are not news)


def story_facts(story: Sequence[Entry]) -> StoryFacts:
    """The pooled facts of a story's news reports.

    A roundup or an interview that joined the story says things of other stories
    ("8点1氪｜英伟达发布…；月之暗面…"): only when the story has no news report are
    such pieces read.
    """
    key = story_key([e.title for e in story])
    news = [e for e in story if is_news(e)]
    story = news or story
    facts = [facts_from(e.title, e.summary) for e in story]
    tokens: set[str] = set()
    bigrams: set[str] = set()
    words: set[str] = set()
    for entry in story:
        title = strip_title_prefix(nfkc(entry.title))
        zh = is_chinese(title)
        tokens |= {_squash(t) for t in _TOKEN_RE.findall(title) if _is_product(t, zh)}
        if zh:
            bigrams |= {g for run in CJK_RUN_RE.findall(title) for g in _grams(run)}
        else:
            words |= {f for f, w, _ in _word_features(title, False) if w >= WORD_WEIGHT}
    names = {n for f in facts for n in (*f.names, *f.mentioned)}
    return StoryFacts(
        names=frozenset(_with_parents(names)),
        subjects=frozenset(_with_parents({f.subject for f in facts if f.subject})),
        kinds=frozenset(f.kind for f in facts if f.kind),
        amounts=key.amounts,
        laws=frozenset(law for f in facts for law in f.laws),
        tokens=frozenset(t for t in tokens if t and not t.isdigit()),
        bigrams=frozenset(bigrams),
        words=frozenset(words),
        text=" ".join(_squash(f"{e.title} {summary_lead(e.summary, limit=240)}") for e in story),
        scripts=frozenset(is_chinese(e.title) for e in story),
        roundup=key.roundup,
        news=bool(news),
    )


_NUMBER_ONLY_RE = re.compile(r"[0-9.\-]+")
# Latin words that name no product: "AI", countries, and words Chinese titles borrow.
_NOT_PRODUCTS = NOT_NAMES | {"ai", "us", "uk", "eu", "ipo", "aigc", "agi"}


def _is_product(token: str, zh: bool) -> bool:
    """A word that names a product or model ("V4", "H20", "Qwen3.5", "GTC"), not a company.

    In a Chinese title every Latin word is a name; in an English one only a word with a
    digit or a capital inside it ("GPT-5", "DeepSeek"), since headlines capitalise words.
    """
    low = token.lower()
    if low in _NOT_PRODUCTS or _NUMBER_ONLY_RE.fullmatch(token):
        return False
    if find_names(token) and not any(ch.isdigit() for ch in token):  # "Qwen3.5" is a product
        return False
    return zh or any(ch.isdigit() for ch in token) or token[1:] != token[1:].lower()


def _with_parents(names: set[str]) -> set[str]:
    return names | {PARENT[n] for n in names if n in PARENT}


def _squash(text: str) -> str:
    """Lower-case letters and digits only: "Qwen 3.5" and "Qwen3.5" are both "qwen35"."""
    return "".join(ch for ch in nfkc(text).lower() if ch.isalnum())


def _grams(run: str) -> Iterable[str]:
    return (run[i : i + 2] for i in range(len(run) - 1) if run[i : i + 2] not in ZH_GENERIC)


def facts_match(a: StoryFacts, b: StoryFacts) -> int:
    """How strongly two stories' facts say "one event"; 0 when they do not.

    They must be about each other (`_about_each_other`) and report the same kind of
    event (a launch, a funding, a consultation …), with nothing that tells them apart
    (`_facts_differ`). Then it takes evidence (`evidence` below).
    """
    names = a.names & b.names
    kinds = a.kinds & b.kinds
    if a.roundup or b.roundup or not kinds or not _about_each_other(a, b):
        return 0
    if _facts_differ(a, b, kinds):
        return 0
    names_keys = _name_keys(names)
    shared_tokens = {t for t in a.tokens if t in b.text} | {t for t in b.tokens if t in a.text}
    kinds = frozenset(kinds)
    evidence = [
        amounts_match(a.amounts, b.amounts),
        bool(a.laws & b.laws),
        bool(shared_tokens - names_keys),
        len((a.bigrams & b.bigrams) - _name_grams(names)) >= 2,
        len((a.words & b.words) - {":" + k for k in names_keys}) >= 2,
        _same_subject(a, b, kinds),
    ]
    return sum(evidence)


# Regulators broad enough to act several times a day: their name alone says little.
BROAD = frozenset(("美国", "中国", "欧盟", "欧盟委员会"))


def _same_subject(a: StoryFacts, b: StoryFacts, kinds: frozenset[str]) -> bool:
    """The same company (or a specific regulator) does the same kind of thing: one event.

    Funding, a listing, earnings (`ONCE_A_DAY`) and a specific regulator's rule are
    one a day; a company may launch two things in a day, so a launch counts only when
    an English report names no product and a Chinese one does, or the other way round
    ("DeepSeek Unveils New AI Model" / "DeepSeek发布V4"); in one script, two reports of
    one launch share its words, and "华为发布盘古大模型5.5" / "华为海思发布新一代手机SoC"
    are two launches. A deal needs more (an amount, a name of what was bought).
    """
    subjects = (a.subjects & b.subjects) - BROAD
    if not subjects:
        return False
    if kinds & ONCE_A_DAY or "rule" in kinds:
        return True
    cross = (True in a.scripts and False in b.scripts) or (False in a.scripts and True in b.scripts)
    return "launch" in kinds and cross and bool(a.tokens) != bool(b.tokens)


def _about_each_other(a: StoryFacts, b: StoryFacts) -> bool:
    """Each story names who the other is about ("联想…预装Qwen3.5" is not about 千问's launch).

    A story whose reports name no subject ("US Tightens Curbs on AI Chip Sales") only
    needs to name the other's; one that names nobody at all ("强制性国标落地：AI生成内容
    必须亮明身份") needs the same law or rule.
    """
    if not a.names or not b.names:  # a rule reported without its maker: the rule says who
        return bool(a.laws & b.laws)
    return (
        (not a.subjects or bool(a.subjects & b.names))
        and (not b.subjects or bool(b.subjects & a.names))
        and bool(a.names & b.names)
    )


def _facts_differ(a: StoryFacts, b: StoryFacts, kinds: frozenset[str]) -> bool:
    """Two amounts of a deal (only a deal's sum is the story's own: earnings give revenue
    and profit), two laws, or a product name on each side that the other lacks."""
    deal = kinds & SUM_KINDS
    if deal and a.amounts and b.amounts and not amounts_match(a.amounts, b.amounts):
        return True
    if a.laws and b.laws and not a.laws & b.laws:
        return True
    only_a = [t for t in a.tokens if t not in b.text]
    only_b = [t for t in b.tokens if t not in a.text]
    return bool(only_a and only_b)


def _name_keys(names: Iterable[str]) -> frozenset[str]:
    return frozenset(_squash(n) for n in names)


def _name_grams(names: Iterable[str]) -> frozenset[str]:
    return frozenset(g for n in names for g in _grams(n))


def join_by_facts(
    stories: Sequence[Sequence[Entry]], notes: Callable[[Entry], Notes] = notes_of
) -> list[list[Entry]]:
    """Join the stories whose facts say they report one event (`facts_match`).

    A fourth pass after titles, summaries and names: paraphrases that share few words
    ("智元机器人完成15亿元新一轮融资" / "智元又融了15亿"; "DeepSeek正式发布V4模型" /
    "DeepSeek V4深夜上线"). The strongest pair joins first, and the joined story is
    compared again with its pooled facts: one terse report says too little to match
    another, the story it joined may say enough; any fact that tells two stories apart
    (an amount, a law, a product name on each side) still keeps them apart. A story
    grows by facts to at most `MAX_FACT_JOIN` reports, so that pooled facts cannot
    chain a day's reports about one busy company into one story.
    """
    groups: dict[int, list[Entry]] = {i: list(story) for i, story in enumerate(stories)}
    facts = {i: story_facts(groups[i]) for i in _worth_reading(groups, notes)}
    postings: dict[str, set[int]] = defaultdict(set)
    for i, f in facts.items():
        for key in _keys(f):
            postings[key].add(i)
    version = dict.fromkeys(groups, 0)
    heap: list[tuple[int, int, int, int, int]] = []
    for i in facts:
        for (x, y), score in _fact_pairs(i, facts, postings, after=i).items():
            heapq.heappush(heap, (-score, x, y, 0, 0))
    while heap:
        _, i, j, vi, vj = heapq.heappop(heap)
        if i not in facts or j not in facts or (version[i], version[j]) != (vi, vj):
            continue  # a stale pair: one side has since joined or grown
        if len(groups[i]) + len(groups[j]) > MAX_FACT_JOIN:
            continue
        groups[i].extend(groups.pop(j))
        for key in _keys(facts[j]):
            postings[key].discard(j)
        facts[i] = pool(facts[i], facts.pop(j))
        version[i] += 1
        for key in _keys(facts[i]):
            postings[key].add(i)
        for (x, y), score in _fact_pairs(i, facts, postings, after=-1).items():
            heapq.heappush(heap, (-score, x, y, version[x], version[y]))
    return [groups[i] for i in sorted(groups)]


def _worth_reading(
    groups: dict[int, list[Entry]], notes: Callable[[Entry], Notes] = notes_of
) -> list[int]:
    """The stories that share a name or a law with some other story, and not one common to
    most of a big batch: only they can join, so only their facts are read in full (reading
    them costs about a millisecond a report; a batch of 10,000 has mostly common names)."""
    keys = {i: _cheap_keys(story, notes) for i, story in groups.items()}
    df = Counter(chain.from_iterable(keys.values()))
    return [i for i, found in keys.items() if any(2 <= df[k] <= COMMON_FEATURE_DF for k in found)]


def _cheap_keys(
    story: Sequence[Entry], notes: Callable[[Entry], Notes] = notes_of
) -> frozenset[str]:
    """`_keys` of a story, or more, without reading all its facts."""
    if len(story) == 1:
        return notes(story[0]).keys
    return frozenset().union(*(notes(e).keys for e in story))


def _entry_keys(entry: Entry) -> frozenset[str]:
    """An entry's part of `_cheap_keys`: the names in its title and opening, and its laws."""
    opening = summary_lead(entry.summary, limit=240)
    found = {*find_names(entry.title), *find_names(opening)[:3]}
    found.update(f"law:{law}" for law in laws_in(f"{entry.title} {opening}"))
    return frozenset(_with_parents(found))


def pool(a: StoryFacts, b: StoryFacts) -> StoryFacts:
    """The facts of two stories joined: what either says (see `story_facts`)."""
    if a.news != b.news:  # a piece that is not news adds nothing to a story that has news
        return a if a.news else b
    return StoryFacts(
        names=a.names | b.names,
        subjects=a.subjects | b.subjects,
        kinds=a.kinds | b.kinds,
        amounts=a.amounts | b.amounts,
        laws=a.laws | b.laws,
        tokens=a.tokens | b.tokens,
        bigrams=a.bigrams | b.bigrams,
        words=a.words | b.words,
        text=f"{a.text} {b.text}",
        scripts=a.scripts | b.scripts,
        roundup=a.roundup and b.roundup,
        news=a.news,
    )


def _keys(facts: StoryFacts) -> tuple[str, ...]:
    """What proposes a story for comparison: the names it gives, and the laws."""
    return (*facts.names, *(f"law:{law}" for law in facts.laws))


def _fact_pairs(
    i: int, facts: dict[int, StoryFacts], postings: dict[str, set[int]], *, after: int
) -> dict[tuple[int, int], int]:
    """The matching pairs of story i with the stories (numbered above `after`) that share
    a name or a law with it; a key in more than `COMMON_FEATURE_DF` stories proposes none."""
    mine = facts[i]
    others = {
        k
        for key in _keys(mine)
        if len(postings[key]) <= COMMON_FEATURE_DF
        for k in postings[key]
        if k != i and k > after
    }
    out: dict[tuple[int, int], int] = {}
    for k in sorted(others):
        score = facts_match(mine, facts[k])
        if score > 0:
            out[min(i, k), max(i, k)] = score
    return out
