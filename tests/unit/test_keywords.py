"""Keyword tables: several tables looked up in one pass say what each says alone."""

from __future__ import annotations

import re

import pytest

from pipeline.curate.heuristic import (
    CHINA_TABLE,
    CHINESE_ORG_TABLE,
    FOREIGN_TABLE,
    SIGNAL_TABLES,
)
from pipeline.facts import _EVENT_TABLE, _LAW_TABLE, _ORG_TABLE, _TOPIC_TABLE
from pipeline.keywords import (
    Table,
    Tables,
    _phrase_pattern,
    _scan,
    compile_keywords,
    fold,
)
from tests.unit import labelled

DAYS = ("day_2026_03_12", "day_2026_03_17", "day_2026_03_24")
TRICKY = [
    "",
    "ai",
    "大模型和模型：大模型",  # a shorter word inside a longer one is one mention
    "the executive  order on ai agents, self-driving",  # phrases, a stem phrase
    "openai raises $6.6b; openai's rival raised",  # a label met twice counts once
    "欧盟 eu ai act 人工智能法案 data act",
    "ＧＰＴ－５ 发布",
]


def _texts() -> list[str]:
    return [*TRICKY, *(fold(t) for t in labelled.texts(DAYS))]


@pytest.mark.parametrize(
    "tables",
    [
        SIGNAL_TABLES.tables,
        (FOREIGN_TABLE, CHINESE_ORG_TABLE, CHINA_TABLE),
        (_EVENT_TABLE, _TOPIC_TABLE, _LAW_TABLE, _ORG_TABLE),
        (compile_keywords(["模型", "大模型=LLM"]), compile_keywords(["模型=M", "ai agent*"])),
    ],
)
def test_tables_in_one_pass_find_what_each_table_finds(tables: tuple[object, ...]) -> None:
    group = Tables(tables)  # type: ignore[arg-type]
    for text in _texts():
        assert group.find(text) == [t.find(text) for t in group.tables], text


@pytest.mark.parametrize("table", [*SIGNAL_TABLES.tables, _EVENT_TABLE, _TOPIC_TABLE, _LAW_TABLE])
def test_one_boundary_before_the_phrases_matches_as_one_before_each(table: Table) -> None:
    if table.phrases is None:
        return
    by_length = sorted(table.phrase_labels, key=len, reverse=True)
    each = re.compile("|".join(rf"(?<![a-z0-9]){_phrase_pattern(p)}" for p in by_length))
    for text in [
        *_texts(),
        "ai ai agents ai-agent ai  agentic",
        "executive order executive orders",
    ]:
        assert [m.span() for m in table.phrases.finditer(text)] == [
            m.span() for m in each.finditer(text)
        ], text


@pytest.mark.parametrize(
    "table",
    [t for t in (*SIGNAL_TABLES.tables, _EVENT_TABLE, _TOPIC_TABLE, _LAW_TABLE) if t.phrases],
)
def test_phrases_are_looked_for_wherever_they_could_match(table: Table) -> None:
    """The regex of a table's phrases is run only on texts holding every word of one; it
    finds nothing in the texts it is spared."""
    tricky = ["ai ai agents ai-agent ai  agentic", "self-driving cars", "executive orders"]
    for text in [*_texts(), *tricky, *(fold(p.rstrip("*")) for p in table.phrase_labels)]:
        scan = _scan(text)
        if not table._possible(scan):  # spared: the regex would have found nothing
            assert table._phrase_matches(text) == [], text
    group = Tables([table])
    assert all(group.find(t) == [table.find(t)] for t in tricky)


def test_a_text_is_split_into_its_latin_tokens() -> None:
    """The tokens a table looks words up by are the runs of a-z and 0-9, each once, in
    order, whatever surrounds them (other scripts, digits, lone surrogates)."""
    odd = ["gpt-5与claude 4.5：ai ai agents", "x\ud800y", "ünïcode naïve", "a1b2 ３ 4", ""]
    for text in [*_texts(), *odd]:
        want = tuple(dict.fromkeys(re.findall(r"[a-z0-9]+", text)))
        assert _scan(text).tokens == want, text
