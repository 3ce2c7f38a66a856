"""What the archive's search files an item under, and what a query asks for."""

from __future__ import annotations

import pytest

from pipeline.search import Query, item_tokens, parse_query
from tests.factories import make_item


def query(text: str) -> Query:
    q = parse_query(text)
    assert isinstance(q, Query), q
    return q


def test_items_are_filed_under_latin_words_and_cjk_pairs() -> None:
    item = make_item(
        title="ＯｐｅｎＡＩ releases GPT-5",
        summary="2月3日消息，大模型发布。",
        tags=["算力"],
        source="36氪",
    )
    tokens = item_tokens(item)
    assert {"openai", "gpt", "5", "大模", "模型", "算力", "36"} <= tokens
    assert "大" not in tokens and "GPT" not in tokens


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("大模型", True),
        ("gpt", True),
        ("GPT-5 大模型", True),
        ("openai", True),
        ("A股 大模型", False),  # 股 is not in the text
        ("型大", False),
        ("大型模", False),  # every pair is there, but not as written
        ("open", False),  # latin words match whole
        ("算力 36氪", True),
    ],
)
def test_a_query_matches_what_it_says(text: str, hit: bool) -> None:
    item = make_item(
        title="OpenAI releases GPT-5",
        summary="2月3日消息，大模型发布，模大型。",
        tags=["算力"],
        source="36氪",
    )
    assert query(text).matches(item) is hit


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 51, "too_long"),
        ("？！…", "no_words"),
        ("猫", "one_cjk"),
    ],
)
def test_a_bad_query_says_what_is_wrong(text: str, problem: str) -> None:
    assert parse_query(text) == problem


def test_pairs_found_apart_are_not_a_match() -> None:
    item = make_item(title="Model news", summary="2月3日消息，大模特公司发布小模型。", tags=[])
    assert {"大模", "模型"} <= item_tokens(item)
    assert not query("大模型").matches(item) and query("小模型").matches(item)
