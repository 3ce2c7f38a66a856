"""Search over the archive, pure: what an item is indexed by, and what a query asks for.

An item is indexed by the tokens of its title, summary, tags and source, after NFKC
and lower-casing: each latin word or number (`[a-z0-9]+`) and each pair of adjacent
CJK characters (bigrams, the usual way to index text without spaces). A query is
tokenised the same way and an item matches when it has every token of the query and
every CJK run of the query appears in its text as written (bigrams alone would also
match "大型模" for "大模型"). Latin words match whole words ("gpt" finds "GPT-5",
"open" does not find "OpenAI"). The store keeps the inverted index (pipeline/store.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from pipeline.models import Item

MAX_QUERY = 50  # characters: a search term, not a paragraph
MAX_TOKEN = 40  # a longer "word" (a hash, a URL run) is never a useful search term

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD_RE = re.compile(rf"[a-z0-9]+|[{_CJK}]+")
_CJK_RE = re.compile(rf"[{_CJK}]+")

QueryProblem = Literal["empty", "too_long", "no_words", "one_cjk"]

# What is wrong with a query, for an API client (chats say it in Chinese: bot/archive.py).
QUERY_PROBLEM_EN: dict[QueryProblem, str] = {
    "empty": "q is empty: give a word to search for, e.g. /api/search?q=OpenAI",
    "too_long": f"q is too long: at most {MAX_QUERY} characters",
    "no_words": "q has no letters, digits or CJK characters to search for",
    "one_cjk": "q needs two CJK characters in a row (e.g. 模型), or a latin word",
}


def normalise(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _tokens(text: str) -> set[str]:
    out: set[str] = set()
    for run in _WORD_RE.findall(text):
        if _CJK_RE.fullmatch(run):
            out.update(run[i : i + 2] for i in range(len(run) - 1))
        elif len(run) <= MAX_TOKEN:
            out.add(run)
    return out


def item_text(item: Item) -> str:
    """The searchable text of an item, normalised."""
    return normalise(" ".join([item.title, item.summary, *item.tags, item.source]))


def item_tokens(item: Item) -> set[str]:
    """What the index files an item under."""
    return _tokens(item_text(item))


@dataclass(frozen=True)
class Query:
    """A valid query: its text as given, its tokens, and the CJK runs that must appear as written."""

    text: str
    tokens: frozenset[str]
    phrases: tuple[str, ...]

    def matches(self, item: Item) -> bool:
        """Whether `item` really holds the query (the index's bigrams are only a first cut)."""
        text = item_text(item)
        return all(p in text for p in self.phrases) and self.tokens <= _tokens(text)


def parse_query(text: str) -> Query | QueryProblem:
    """The query for `text`, or what is wrong with it."""
    text = " ".join(text.split())
    if not text:
        return "empty"
    if len(text) > MAX_QUERY:
        return "too_long"
    norm = normalise(text)
    runs = _WORD_RE.findall(norm)
    if not runs:
        return "no_words"
    # A lone CJK character is checked as written ("A股"), but cannot be looked up alone.
    phrases = tuple(r for r in runs if _CJK_RE.fullmatch(r))
    tokens = _tokens(norm)
    if not tokens:
        return "one_cjk" if phrases else "no_words"
    return Query(text=text, tokens=frozenset(tokens), phrases=phrases)
