"""Regexes that first ask whether a text holds a word they cannot match without.

Python's regex engine tries an alternation of many phrases ("register now|early-bird|
…", case-insensitive, each behind a word boundary) at every character of a text: a few
microseconds a title, ten or more a summary, for a dozen such patterns on each of a big
day's 100,000 entries. Most texts hold none of the literal words the pattern needs, and
finding that out is one pass of a plain alternation of those words (which the engine
skips through by their first characters) over the text, case-folded once.

`Guarded(pattern)` reads the words a pattern cannot match without from its parse tree
(`needles`): from each top-level alternative, the longest run of literal characters it
requires, or a set of them from a required group of alternatives. A pattern with an
alternative that requires none (`\\d+款`) is simply run. The answer is always the
pattern's own: the words only say when running it would find nothing.
"""

from __future__ import annotations

import re
from re import _casefix, _constants, _parser  # type: ignore[attr-defined]
from typing import Any

# How the engine's IGNORECASE compares characters: by their simple lower case, and a few
# that share one ("ſ" and "s", "ı" and "i", "K" and "k" already lower alike); a text and a
# pattern's words folded alike compare as the engine would.
_SHARED = {
    char: chr(low)
    for char, others in _casefix._EXTRA_CASES.items()
    if (low := min(char, *others)) != char
}
_SIMPLE_LOWER = {0x130: "i"}  # "İ": the one letter whose full lower case (str.lower) is two
# Translating a text char by char is slow (~0.15 us a character): done only for a text
# that has one of those letters, found by one class search.
_ODD_RE = re.compile(f"[{re.escape(''.join(map(chr, _SHARED)))}]")


def fold(text: str) -> str:
    """A text as the engine compares it case-insensitively (see `_SHARED`)."""
    lowered = text.lower()
    if lowered.isascii() or (_ODD_RE.search(lowered) is None and "İ" not in text):
        return lowered
    return text.translate(_SIMPLE_LOWER).lower().translate(_SHARED)


class Guarded:
    """A compiled pattern that is run only on texts holding one of its `needles`."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        found = needles(pattern)
        self.needles = found
        self._icase = bool(pattern.flags & re.IGNORECASE)
        self._any = (
            None
            if found is None
            else re.compile("|".join(re.escape(n) for n in sorted(found, key=len, reverse=True)))
        )

    def search(self, text: str, folded: str | None = None) -> re.Match[str] | None:
        """`pattern.search(text)`; `folded`: the text as `fold` gives it, if at hand."""
        if self._any is not None:
            probe = (folded if folded is not None else fold(text)) if self._icase else text
            if self._any.search(probe) is None:
                return None
        return self.pattern.search(text)


def needles(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Words of which a text must hold at least one for `pattern` to match in it, folded
    as `fold` folds a text when the pattern ignores case; None when there are none."""
    tree = _parser.parse(pattern.pattern, pattern.flags)
    found = _required(list(tree), bool(pattern.flags & re.IGNORECASE))
    return None if found is None else frozenset(found)


def _required(items: list[tuple[Any, Any]], icase: bool) -> list[str] | None:
    """Words one of which every match of the sequence `items` contains: its longest run of
    literal characters, or the words of a group it requires; None if it requires none."""
    best: list[str] | None = None

    def consider(words: list[str] | None) -> None:
        nonlocal best
        if words and all(words) and (best is None or _shortest(words) > _shortest(best)):
            best = words

    run: list[str] = []
    for op, av in items:
        if op is _constants.LITERAL:
            run.append(chr(av))
            continue
        consider(["".join(run)] if run else None)
        run = []
        consider(_within(op, av, icase))
    consider(["".join(run)] if run else None)
    if best is not None and icase:
        best = [fold(word) for word in best]
    return best


def _within(op: Any, av: Any, icase: bool) -> list[str] | None:
    """The words a group, an alternation or a repeat requires (`_required`), if any.
    Anything else (a class, a boundary, a look-around, a back-reference) requires none."""
    if op is _constants.SUBPATTERN:
        # A group that turns case-insensitivity on ("(?i:…)") in a pattern that is not:
        # its words could be met in any case, which the text as it is would not show.
        return None if av[1] & re.IGNORECASE and not icase else _required(list(av[3]), icase)
    if op is _constants.BRANCH:
        alternatives = [_required(list(branch), icase) for branch in av[1]]
        return [w for words in alternatives for w in words or ()] if all(alternatives) else None
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
        return _required(list(av[2]), icase) if av[0] >= 1 else None
    if op is _constants.ATOMIC_GROUP:
        return _required(list(av), icase)
    return None


def _shortest(words: list[str]) -> int:
    return min(len(word) for word in words)
