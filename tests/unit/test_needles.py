"""The quicker readings of a text say what the plain ones say: a guarded pattern finds
what the pattern finds, its words only sparing it texts it cannot match
(`pipeline.needles`); Chinese is told by counting letters without listing them."""

from __future__ import annotations

import re

import pytest

from pipeline import kinds, text
from pipeline.needles import Guarded, fold, needles
from pipeline.text import nfkc
from tests.unit import labelled

DAYS = labelled.WRITTEN
GUARDED = [
    (f"{module.__name__}.{name}", value)
    for module in (kinds, text)
    for name, value in vars(module).items()
    if isinstance(value, Guarded)
]
# Letters the engine matches case-insensitively where str.lower() alone would not say so.
ODD = [
    "ſave the date",  # long s: "save the date"
    "REGİSTER NOW",  # dotted capital I
    "WE'RE HIRİNG",
    "Κelvin weekly",  # Greek capital kappa, not K
    "\u212aELVIN RECAP",  # Kelvin sign
    "ÆSIR Weekly ROUNDUP",
    "µ-chip stock rises",
]


def _texts() -> list[str]:
    out = list(ODD)
    for t in labelled.texts(DAYS):
        out += [t, nfkc(t), nfkc(t).strip()[:200]]
    return out


def test_every_guarded_pattern_has_words_to_look_for() -> None:
    assert len(GUARDED) >= 10
    for name, guarded in GUARDED:
        assert guarded.needles, name  # else the guard spares nothing


@pytest.mark.parametrize(("name", "guarded"), GUARDED, ids=[n for n, _ in GUARDED])
def test_a_guarded_pattern_finds_what_the_pattern_finds(name: str, guarded: Guarded) -> None:
    texts = _texts()
    for t in texts:
        want = guarded.pattern.search(t)
        want_span = want.span() if want else None
        for got in (guarded.search(t), guarded.search(t, fold(t))):
            assert (got.span() if got else None) == want_span, (name, t)
    assert len(texts) > 2000


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"报名|早鸟票|\blast chance to\b", {"报名", "早鸟票", "last chance to"}),
        (r"\bsave \$\d+", {"save $"}),
        (r"我们(?:让它|用它)", {"我们"}),  # the longer of a run and a group's shortest word
        (r"\d+款.{0,8}推荐", {"推荐"}),  # what a class or a repeat leaves out is no word
        (r"(?:is|are) really about", {" really about"}),
        (r"Weekly|ROUNDUP", {"weekly", "roundup"}),  # case-insensitive: folded
        (r"(?:ab)+c", {"ab"}),
        (r"fo(?i:obar)", {"fo"}),  # a case-insensitive group's words are not the text's
    ],
)
def test_the_words_a_pattern_cannot_match_without(pattern: str, words: set[str]) -> None:
    flags = re.IGNORECASE if pattern.startswith("Weekly") else 0
    assert needles(re.compile(pattern, flags)) == words


@pytest.mark.parametrize("pattern", [r"\d+|foo", r"^(?:[\w-]+ )?x?", r"a*b?", r"(?=foo)\w+"])
def test_a_pattern_with_an_alternative_needing_no_word_is_always_run(pattern: str) -> None:
    assert needles(re.compile(pattern)) is None
    guarded = Guarded(re.compile(pattern))
    assert guarded.search("123") is not None or re.search(pattern, "123") is None


def test_a_case_insensitive_group_in_a_case_sensitive_pattern_is_found_in_any_case() -> None:
    guarded = Guarded(re.compile(r"(?i:register now)|early-bird"))
    assert guarded.needles is None  # the group's words could be met in any case
    assert guarded.search("REGISTER NOW") is not None


def test_the_fold_compares_letters_as_the_engine_does() -> None:
    """Every character the engine takes for one of the words' letters, ignoring case,
    folds as that letter folds."""
    letters = {c for _, g in GUARDED for word in g.needles or () for c in word}
    everything = "".join(map(chr, range(0x20, 0x10000)))
    for letter in letters:
        same = re.findall(re.escape(letter), everything, re.IGNORECASE)
        assert {fold(c) for c in same} == {fold(letter)}, letter


def test_a_text_is_chinese_when_a_fifth_of_its_letters_are() -> None:
    """`is_chinese` counts letters without listing them: it says what counting each
    letter (A-Z, a-z or Chinese) and each Chinese character (`CJK_RE`) says."""
    from pipeline.text import _CJK, CJK_RE, is_chinese

    letter = re.compile(f"[A-Za-z{_CJK}]")

    odd = ["中\ud800abcd", "ÄÖÜ 中", "中文abcdefghij", "中文abcdefghijk", "ｆｕｌｌ中", "a"]
    for t in [*_texts(), *odd]:
        cjk = len(CJK_RE.findall(t))
        assert is_chinese(t) == (cjk > 0 and cjk * 5 >= len(letter.findall(t))), t
