"""Keyword tables: "word", "stem*" and "word=标签" entries compiled into one fast matcher.

English is matched on word boundaries, Chinese as substrings; "=标签" names the label a
match gives. Texts are looked up lower-cased and NFKC-folded (`fold`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")


class _Scan(NamedTuple):
    """What every table needs to know of one text, computed once for all of them."""

    tokens: tuple[str, ...]  # distinct Latin tokens, in order of first appearance
    chars: frozenset[str] | None  # the text's characters; None: the text is all ASCII
    token_set: frozenset[str]  # the tokens, for the phrases' `_Needs`


# Every byte but a-z and 0-9 to a space: a text's tokens (`_ASCII_WORD_RE`) are the words of
# its UTF-8 bytes so translated (a non-ASCII character's bytes are all >= 0x80).
_TOKEN_BYTES = bytes(
    b if chr(b) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for b in range(256)
)


@lru_cache(maxsize=256)
def _scan(text: str) -> _Scan:
    # A candidate's title and summary are looked up in a dozen tables one after the other;
    # a small cache lets them share one tokenisation. Split from bytes: ~1/3 less time than
    # `_ASCII_WORD_RE.findall`, whose engine steps through the text a character at a time.
    # Every byte left is ASCII (a-z, 0-9, space): decoded once, not token by token.
    words = text.encode("utf-8", "surrogatepass").translate(_TOKEN_BYTES).decode("ascii").split()
    tokens = tuple(dict.fromkeys(words))
    return _Scan(tokens, None if text.isascii() else frozenset(text), frozenset(tokens))


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _token_position(text: str, token: str) -> int:
    """Where `token` (one of the text's Latin tokens) first stands as a whole token."""
    pos = text.find(token)
    while pos >= 0:
        end = pos + len(token)
        if (pos == 0 or text[pos - 1] not in _ALNUM) and (
            end == len(text) or text[end] not in _ALNUM
        ):
            return pos
        pos = text.find(token, pos + 1)
    return -1  # not reached for a token of the text


class Table:
    """Keywords of one kind, looked up by token (Latin) or substring (Chinese).

    One regex alternation of every keyword is simple but slow in Python's engine
    (it tries each keyword at each character), so Latin words are looked up per
    distinct token (the answer remembered per token: a day repeats its words), stems
    by the token's prefixes, and only phrases ("executive order", "self-driving") go
    through a regex, and only when the text has a phrase's first word. Only the first
    mention of a label counts, so only a token's first position is looked for.
    Chinese words (each has a non-ASCII character) are searched only when their first
    character is in the text.
    """

    def __init__(
        self,
        words: dict[str, str],
        stems: dict[str, str],
        phrases: dict[str, str],
        chinese: dict[str, str],
    ) -> None:
        self.words = words
        self.stems = stems
        self.phrase_labels = phrases
        # One word boundary in front of the alternatives, not one in each: the engine then
        # skips an alternative on its first letter, instead of trying every one at each word.
        bodies = "|".join(_phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True))
        self.phrases = re.compile(rf"(?<![a-z0-9])(?:{bodies})") if bodies else None
        # What a text must hold for each phrase, by the phrase's first token (`_phrasing`;
        # a lone table is table 0 there).
        self._phrase_needs: PhraseNeeds = {}
        for phrase in phrases:
            needs = _Needs.of(phrase)
            self._phrase_needs.setdefault(needs.head, []).append((0, needs))
        # Longest first, as the search below needs; indexed by the first character.
        self.chinese = tuple(sorted(chinese.items(), key=lambda kv: -len(kv[0])))
        self._by_char: dict[str, list[int]] = {}
        for rank, (word, _) in enumerate(self.chinese):
            self._by_char.setdefault(word[0], []).append(rank)  # ascending ranks
        self._first_chars = frozenset(self._by_char)
        self._label = lru_cache(maxsize=1 << 15)(self._token_label)

    def find(self, text: str) -> list[str]:
        """The distinct labels matched in `text` (lower-cased NFKC), in order of appearance."""
        return [label for _, label in self.spans(text)]

    def spans(self, text: str) -> list[tuple[int, str]]:
        """(position, label) of each distinct label's first match in `text`, in order."""
        scan = _scan(text)
        label_of = self._label
        hits = [(_token_position(text, t), label) for t in scan.tokens if (label := label_of(t))]
        if self.phrases is not None and self._possible(scan):
            hits += self._phrase_matches(text)
        if scan.chars is not None:  # every Chinese word has a non-ASCII character
            shared = scan.chars & self._first_chars
            if len(shared) == 1:  # one first character: its ranks are in order already
                hits += self._chinese_hits(text, self._by_char[next(iter(shared))])
            elif shared:
                by_char = self._by_char
                hits += self._chinese_hits(text, sorted([r for c in shared for r in by_char[c]]))
        return _first_spans(hits)

    def _phrase_matches(self, text: str) -> list[tuple[int, str]]:
        assert self.phrases is not None
        return [(m.start(), self._phrase_label(m.group())) for m in self.phrases.finditer(text)]

    def _possible(self, scan: _Scan) -> bool:
        """Whether the text has the words of at least one phrase (see `_Needs`).

        The phrases' regex walks the whole text, a few microseconds for a summary; the
        words most phrases start with ("ai" of "ai agent*") are in most texts, their other
        words in few (a phrase's words are whole tokens wherever it matches, `_Needs`)."""
        return bool(_phrasing(self._phrase_needs, scan))

    def _token_label(self, token: str) -> str | None:
        return self.words.get(token) or self._stem(token)

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

    def _chinese_hits(self, text: str, ranks: list[int]) -> list[tuple[int, str]]:
        """Matches of the Chinese words ranked `ranks` (ascending: longest first)."""
        hits: list[tuple[int, str]] = []
        covered: list[tuple[int, int]] = []
        chinese = self.chinese
        for r in ranks:
            word, label = chinese[r]
            pos = text.find(word)
            if pos < 0:
                continue
            # "模型" inside an already matched "大模型" is the same mention, not a second one.
            while covered and pos >= 0 and any(a <= pos < b for a, b in covered):
                pos = text.find(word, pos + 1)
            if pos >= 0:
                hits.append((pos, label))
                covered.append((pos, pos + len(word)))
        return hits


def _first_spans(hits: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Each distinct label at its first position, in order of position."""
    if len(hits) < 2:  # most lookups find one label or none
        return hits
    found: dict[str, int] = {}
    for pos, label in sorted(hits, key=_position):
        if label not in found:
            found[label] = pos
    return [(pos, label) for label, pos in found.items()]


_position = itemgetter(0)


class Tables:
    """Several tables looked up in one pass over a text: what `Table.find` of each gives.

    A story's title and summary are looked up in a dozen tables; one by one, each table
    walks the text's tokens and intersects its characters again. Together, a token is
    looked up once for all tables (the answer remembered per token) and the characters
    are intersected once with every table's first characters.
    """

    def __init__(self, tables: Sequence[Table]) -> None:
        self.tables = tuple(tables)
        self._by_char: dict[str, list[tuple[int, int]]] = {}
        for k, table in enumerate(self.tables):
            for char, ranks in table._by_char.items():
                self._by_char.setdefault(char, []).extend((k, r) for r in ranks)
        self._labels = lru_cache(maxsize=1 << 15)(self._token_labels)
        # Each table's phrases by their first token, so that a text's tokens are looked up
        # once for all of them (see `Table._possible`).
        self._phrase_needs: PhraseNeeds = {}
        for k, table in enumerate(self.tables):
            for head, needs in table._phrase_needs.items():
                self._phrase_needs.setdefault(head, []).extend((k, n) for _, n in needs)

    def find(self, text: str) -> list[list[str]]:
        """Each table's `find(text)`, in the order of the tables."""
        scan = _scan(text)
        hits: list[list[tuple[int, str]]] = [[] for _ in self.tables]
        for token in scan.tokens:
            found = self._labels(token)
            if found:
                pos = _token_position(text, token)
                for k, label in found:
                    hits[k].append((pos, label))
        for k in sorted(_phrasing(self._phrase_needs, scan)):
            hits[k] += self.tables[k]._phrase_matches(text)
        if scan.chars is not None:
            ranks: list[list[int]] = [[] for _ in self.tables]
            for char in scan.chars & self._by_char.keys():
                for k, r in self._by_char[char]:
                    ranks[k].append(r)
            for k, table in enumerate(self.tables):
                if ranks[k]:
                    hits[k] += table._chinese_hits(text, sorted(ranks[k]))
        return [[label for _, label in _first_spans(h)] if h else [] for h in hits]

    def _token_labels(self, token: str) -> tuple[tuple[int, str], ...]:
        return tuple(
            (k, label) for k, table in enumerate(self.tables) if (label := table._label(token))
        )


class _Needs(NamedTuple):
    """The tokens a text must have for a phrase to match in it.

    A phrase's pattern (`_phrase_pattern`) starts at a token boundary and spells each of
    its tokens out between non-token characters, so wherever it matches each of its
    tokens is a whole token of the text; only the last one of a "stem*" phrase may go on
    ("ai agent*" in "ai agents"), so that one need only begin a token of the text."""

    head: str  # the first token ("" for a phrase that starts with none)
    whole: frozenset[str]  # tokens the text must have as they are
    stem: str  # a "stem*" phrase's last token: some token of the text starts with it

    @classmethod
    def of(cls, phrase: str) -> _Needs:
        tokens = _ASCII_WORD_RE.findall(phrase.rstrip("*"))
        head = tokens[0] if tokens and _ASCII_WORD_RE.match(phrase) else ""
        if phrase.endswith("*") and tokens and re.search(r"[a-z0-9]\*$", phrase):
            return cls(head, frozenset(tokens[:-1]), tokens[-1])
        return cls(head, frozenset(tokens), "")

    def met(self, scan: _Scan) -> bool:
        if not self.whole <= scan.token_set:
            return False
        return not self.stem or any(t.startswith(self.stem) for t in scan.tokens)


PhraseNeeds = dict[str, list[tuple[int, _Needs]]]  # head token -> (table, what a phrase needs)


def _phrasing(needs: PhraseNeeds, scan: _Scan) -> set[int]:
    """The tables with a phrase whose words are all in the text; a phrase that starts with
    no token (head "") is always looked for: the regex decides."""
    headless = needs.get("")
    found = {k for k, _ in headless} if headless else set()
    for head in needs.keys() & scan.token_set:
        for k, need in needs[head]:
            if k not in found and need.met(scan):
                found.add(k)
    return found


def _phrase_pattern(phrase: str) -> str:
    """A phrase up to a word boundary ("stem*" lets the last word go on: "ai agent*"); the
    boundary before it is the caller's."""
    body = re.escape(phrase.rstrip("*")).replace("\\ ", r"\s+")  # any run of spaces
    return body + (r"[a-z\-]*" if phrase.endswith("*") else r"(?![a-z0-9])")


def compile_keywords(words: Sequence[str]) -> Table:
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
    return Table(exact, stems, phrases, chinese)


def fold(text: str) -> str:
    """Lower-cased NFKC: the form every table looks texts up in."""
    return (text if text.isascii() else unicodedata.normalize("NFKC", text)).lower()
