"""GET /api/search and the search box's page, over real HTTP on a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot.http import create_app
from pipeline.config import Settings
from pipeline.models import Digest
from pipeline.store import Store
from tests.factories import make_digest
from tests.fakes.live_app import live

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(store: Store, make_settings: Callable[..., Settings]) -> AsyncIterator[Any]:
    async with (
        live(create_app(make_settings(), store)) as base,
        httpx.AsyncClient(base_url=base, timeout=10) as c,
    ):
        yield c


def about(day: str, title: str) -> Digest:
    digest = make_digest(2, 1, date=day)
    first = digest.sections.domestic[0].model_copy(
        update={
            "title": title,
            "summary": f"消息，{title}。",
            "link": f"https://x.example.com/{day}",
        }
    )
    domestic = [first, digest.sections.domestic[1]]
    return digest.model_copy(
        update={"sections": digest.sections.model_copy(update={"domestic": domestic})}
    )


async def test_api_search_answers_archive_items_newest_first(store: Store, client: Any) -> None:
    await store.save_digest(about("2026-01-05", "Mistral 发布新模型"), [])
    await store.save_digest(about("2026-01-09", "mistral 融资"), [])

    resp = await client.get("/api/search", params={"q": "MISTRAL"})

    assert resp.status_code == 200
    body = resp.json()
    assert body["query"] == "MISTRAL" and body["count"] == 2
    assert [(i["date"], i["n"]) for i in body["items"]] == [("2026-01-09", 1), ("2026-01-05", 1)]
    first = body["items"][0]
    assert (
        first["link"] == "https://x.example.com/2026-01-09"
        and first["url"] == "/d/2026-01-09#item-1"
    )
    assert {"title", "summary", "source", "tags", "importance"} <= set(first)


@pytest.mark.parametrize(
    ("q", "says"),
    [
        (None, "q is empty"),
        ("", "q is empty"),
        ("x" * 51, "at most 50 characters"),
        ("!!!", "no letters, digits"),
        ("猫", "two CJK characters"),
    ],
)
async def test_api_search_refuses_a_bad_q_with_one_line(
    client: Any, q: str | None, says: str
) -> None:
    resp = await client.get("/api/search", params={} if q is None else {"q": q})
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert says in error and "\n" not in error


async def test_every_page_has_the_search_box_and_its_page_lists_the_hits(
    store: Store, client: Any
) -> None:
    await store.save_digest(about("2026-01-05", "<b>深度求索</b> 发布"), [])

    page = (await client.get("/d/2026-01-05")).text
    assert '<form class="search" role="search" action="/search" method="get">' in page
    assert 'name="q"' in (await client.get("/archive")).text

    found = await client.get("/search", params={"q": "深度求索"})
    assert found.status_code == 200
    assert 'href="/d/2026-01-05#item-1"' in found.text and "2026-01-05 · 第 1 条" in found.text
    assert "&lt;b&gt;深度求索" in found.text and "<b>深度求索" not in found.text
    assert 'value="深度求索"' in found.text

    odd = await client.get("/search", params={"q": '"><script>'})
    assert odd.status_code == 200 and "没有找到" in odd.text and "<script>" not in odd.text
    bad = await client.get("/search", params={"q": "猫"})
    assert bad.status_code == 400 and "两个相连的汉字" in bad.text and 'value="猫"' in bad.text
