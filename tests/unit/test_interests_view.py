"""A chat's follows and mutes as a View: what is hidden, what rises with 🔖, what a follow pulls in.

Every renderer (text, Telegram, Feishu, Markdown) shows the same thing: numbers
stay the digest's own, hidden items are gone and counted, followed ones come
first in their section and carry 🔖.
"""

from __future__ import annotations

import json
import re

import pytest

from bot.channel import Renders, chat_view
from bot.interests import MAX_PULLED, explain, interest_view, matching_word
from pipeline.config import parse_settings
from pipeline.models import Interests, Item
from pipeline.render import (
    View,
    render_feishu,
    render_markdown,
    render_telegram,
    render_text,
)
from pipeline.render.view import section_items
from tests.factories import make_digest, make_item, make_pool

DIGEST = make_digest()


def with_text(title: str = "", summary: str = "", tags: list[str] | None = None) -> Item:
    return make_item().model_copy(
        update={"title": title, "summary": summary, "tags": tags or [], "source": "某源"}
    )


@pytest.mark.parametrize(
    ("word", "item", "hit"),
    [
        ("具身", with_text(summary="优必选发布具身智能大模型"), True),  # a Chinese substring
        ("具身智能", with_text(tags=["具身智能大模型"]), True),  # tags count
        ("openai", with_text(title="OpenAI 发布 GPT-5"), True),  # case-insensitive
        ("ＧＰＴ", with_text(title="OpenAI 发布 GPT-5"), True),  # full-width typed
        ("AI", with_text(title="He said it would work"), False),  # a Latin word stands alone
        ("AI", with_text(title="xAI并入SpaceX"), False),
        ("AI", with_text(summary="生成式AI应用爆发"), True),  # next to Chinese is a boundary
        ("gpt-5", with_text(title="GPT-5.1 is out"), True),
        ("加密货币", with_text(summary="英伟达发布新芯片"), False),
    ],
)
def test_a_word_matches_title_summary_or_tags(word: str, item: Item, hit: bool) -> None:
    assert (matching_word(item, [word]) == word) is hit


def _ids(items: list[Item]) -> list[int]:
    return [it.n for it in items]


def test_mutes_hide_and_count_follows_rise_with_a_mark_and_numbers_stay() -> None:
    mine = Interests(follows=["具身智能"], mutes=["xAI"], muted_sources=["36氪"])
    view = interest_view(View(), DIGEST, mine)
    hidden = [it for it in DIGEST.items if it.id in view.hidden]
    followed = [it for it in DIGEST.items if it.id in view.followed]
    assert hidden and followed
    for it in hidden:
        assert it.source == "36氪" or "xai" in (it.title + it.summary + "".join(it.tags)).lower()

    domestic = section_items(DIGEST, "domestic", view)
    shown_followed = [it for it in domestic if it.id in view.followed]
    assert domestic[: len(shown_followed)] == shown_followed  # followed first …
    rest = domestic[len(shown_followed) :]
    assert _ids(rest) == sorted(_ids(rest))  # … the rest in the digest's order
    assert not {it.id for it in domestic} & view.hidden

    for render in (_text_of(render_text), _text_of(render_telegram), _text_of(render_feishu)):
        out = render(view)
        count = len([it for it in hidden])
        assert f"已按你的设置隐藏 {count} 条" in out
        for it in followed:
            assert re.search(rf"(^|\n|\*\*){it.n}(、|\.|\.\*\*) ?🔖", out), (it.n, out[:400])
        for it in hidden:
            assert not re.search(rf"(^|\n|\*\*){it.n}(、|\.|\.\*\*) ", out)
    md = render_markdown(DIGEST, view)
    assert f"已按你的设置隐藏 {len(hidden)} 条" in md
    assert all(f"{it.n}. 🔖" in md for it in followed)


def _text_of(render):  # type: ignore[no-untyped-def]
    def text(view: View) -> str:
        out = render(DIGEST, view)
        if isinstance(out, str):
            return out
        return "\n".join(
            p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in out
        )

    return text


def test_a_brief_view_takes_its_top_after_hiding_and_rising() -> None:
    first = DIGEST.sections.domestic[0]
    last = DIGEST.sections.domestic[-1]
    view = View(
        brief=True, brief_count=3, hidden=frozenset({first.id}), followed=frozenset({last.id})
    )
    shown = section_items(DIGEST, "domestic", view)
    assert len(shown) == 3
    assert shown[0] is last and first not in shown


def test_a_follow_pulls_the_best_matching_pool_stories_and_no_muted_one() -> None:
    pool = make_pool(DIGEST, per_section=12)
    word = "机器人"
    matching = [p for p in pool if matching_word(p, [word])]
    assert len(matching) > MAX_PULLED, "the factory's pool should have enough matches"
    view = interest_view(View(), DIGEST, Interests(follows=[word]), pool)
    pulled = [p.item for p in view.pulled]
    best = sorted(matching, key=lambda p: -p.score.total)[:MAX_PULLED]
    assert {p.id for p in pulled} == {p.id for p in best}
    assert all(p.id in view.followed for p in pulled)
    for p in view.pulled:  # in its own section, with its own pool number, marked
        assert p.item in section_items(DIGEST, p.section, view)
        assert f"{p.item.n}、🔖" in render_text(DIGEST, view)
    assert explain(pulled[0], view, Interests(follows=[word])) == (
        f"日报未收录，因你关注「{word}」而加入本会话的日报（🔖）"
    )

    muted = interest_view(View(), DIGEST, Interests(follows=[word], mutes=["融资"]), pool)
    assert muted.pulled and all("融资" not in p.item.summary for p in muted.pulled)
    assert any("融资" in p.summary for p in best)  # the mute did leave one out


def test_chats_with_the_same_effect_share_one_render() -> None:
    settings = parse_settings({}, {})
    renders = Renders(
        settings,
        DIGEST,
        render_telegram,
        interests={
            "a": Interests(follows=["具身智能"]),
            "b": Interests(follows=["具身智能"], mutes=["不会出现的词"]),
            "c": Interests(mutes=["不会出现的词"]),
        },
    )
    for chat in ("a", "b", "c", "d", "e"):
        renders.parts(chat, None)
    assert renders.distinct == 2  # a = b (same ids), c = d = e (nothing changes)
    assert renders.parts("a", None) is renders.parts("b", None)
    assert chat_view(settings, None, None, DIGEST) == View(brief_count=settings.digest.brief)
