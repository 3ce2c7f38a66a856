"""The archive's search index on a real Redis, single node and cluster: filed when a digest
is saved, re-filed when it is rebuilt, gone when it is pruned; newest first, ten at most."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipeline.models import Digest, Item
from pipeline.search import Query, parse_query
from pipeline.store import Store
from tests.factories import make_digest

pytestmark = pytest.mark.cluster_too


def query(text: str) -> Query:
    q = parse_query(text)
    assert isinstance(q, Query), q
    return q


def day(n: int) -> str:
    return (date(2026, 1, 1) + timedelta(days=n)).isoformat()


def digest_with(on: str, *titles: str) -> Digest:
    digest = make_digest(len(titles), 1, date=on)
    items = [
        it.model_copy(update={"title": t, "summary": f"消息，{t}。", "tags": []})
        for it, t in zip(digest.sections.domestic, titles, strict=True)
    ]
    return digest.model_copy(
        update={"sections": digest.sections.model_copy(update={"domestic": items})}
    )


def found(hits: list[tuple[str, Item]]) -> list[tuple[str, int]]:
    return [(d, it.n) for d, it in hits]


async def test_search_finds_items_newest_day_first_then_by_number(store: Store) -> None:
    await store.save_digest(digest_with(day(0), "智谱发布大模型", "其他新闻"), [])
    await store.save_digest(digest_with(day(2), "闲聊", "阿里大模型开源", "百度大模型降价"), [])
    await store.save_digest(digest_with(day(1), "没有"), [])

    hits = await store.search(query("大模型"))

    assert found(hits) == [(day(2), 2), (day(2), 3), (day(0), 1)]
    assert hits[0][1].title == "阿里大模型开源"
    assert found(await store.search(query("大模型 阿里"))) == [(day(2), 2)]
    assert await store.search(query("量子计算")) == []


async def test_ten_at_most_and_past_false_candidates(store: Store) -> None:
    for i in range(15):
        # "大模特 … 模型" has both pairs of 大模型 but not the word: a candidate, not a hit
        await store.save_digest(digest_with(day(i), "大模特走秀", f"第{i}个大模型", "小模型"), [])

    hits = await store.search(query("大模型"))

    assert found(hits) == [(day(i), 2) for i in range(14, 4, -1)]


async def test_a_rebuilt_day_is_refiled_and_a_pruned_day_is_gone(store: Store) -> None:
    await store.save_digest(digest_with(day(0), "英伟达财报"), [])
    await store.save_digest(digest_with(day(0), "谷歌发布芯片"), [])
    assert await store.search(query("英伟达")) == []
    assert found(await store.search(query("谷歌"))) == [(day(0), 1)]

    await store.save_digest(digest_with(day(60), "谷歌再发芯片"), [])
    await store.prune(keep_days=10, today=date(2026, 3, 2), keep_digests_days=30)
    assert found(await store.search(query("谷歌"))) == [(day(60), 1)]
    assert found(await store.search(query("谷歌 芯片"))) == [(day(60), 1)]


async def test_an_archive_stored_before_the_index_is_filed_once(store: Store) -> None:
    await store.save_digest(digest_with(day(0), "苹果发布AI功能"), [])
    await store.save_digest(digest_with(day(1), "苹果财报"), [])
    await store.r.delete(*[k async for k in _keys(store, "{s}")])  # as an older version left it

    assert await store.search(query("苹果")) == []
    assert await store.ensure_search_index() == 2
    assert found(await store.search(query("苹果"))) == [(day(1), 1), (day(0), 1)]
    assert await store.ensure_search_index() == 0


async def _keys(store: Store, part: str):  # type: ignore[no-untyped-def]
    pattern = f"{store.k.p}:{part}:*"
    if hasattr(store.r, "get_nodes"):  # the cluster: every key of the {s} slot is on one node
        node = store.r.get_node_from_key(store.k.search_docs("x"))
        for key in await store.r.keys(pattern, target_nodes=node):
            yield key
        return
    async for key in store.r.scan_iter(pattern):
        yield key


async def test_a_day_rebuilt_between_others_leaves_theirs_alone(store: Store) -> None:
    for i in range(3):
        await store.save_digest(digest_with(day(i), f"机器人第{i}天", "机器人再一条"), [])
    await store.save_digest(digest_with(day(1), "别的新闻"), [])  # a middle day, rebuilt

    assert found(await store.search(query("机器人"))) == [
        (day(2), 1),
        (day(2), 2),
        (day(0), 1),
        (day(0), 2),
    ]
    await store.save_digest(digest_with(day(1), "机器人回来了"), [])
    assert [d for d, _ in await store.search(query("机器人"))] == [
        day(2),
        day(2),
        day(1),
        day(0),
        day(0),
    ]
