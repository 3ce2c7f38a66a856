"""Keyword tables: several tables looked up in one pass say what each says alone."""

from __future__ import annotations

import importlib

import pytest

from pipeline.curate.heuristic import (
    CHINA_TABLE,
    CHINESE_ORG_TABLE,
    FOREIGN_TABLE,
    SIGNAL_TABLES,
)
from pipeline.facts import _EVENT_TABLE, _LAW_TABLE, _ORG_TABLE, _TOPIC_TABLE
from pipeline.keywords import Tables, compile_keywords, fold

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
    texts = list(TRICKY)
    for module in DAYS:
        day = importlib.import_module(f"bench.days.{module}")
        for e in day.ENTRIES:
            texts += [fold(str(e.title)), fold(str(e.summary))]
    return texts


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
