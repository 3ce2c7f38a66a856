"""/more, /why on a left-out story, /search and /week, as a user types them, from a real store."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import ChatContext, Commands, reply_to_feishu, reply_to_telegram, reply_to_text
from pipeline.config import Settings, parse_settings
from pipeline.models import Digest
from pipeline.store import Store
from tests.factories import make_digest, make_pool

pytestmark = pytest.mark.cluster_too

TODAY = "2026-02-03"


class FixedDay(Settings):
    """Settings whose 'today' is the demo day, so tests do not depend on the clock."""

    def today(self, now=None) -> date:  # type: ignore[no-untyped-def]
        return date.fromisoformat(TODAY)


@pytest.fixture
async def commands(store: Store) -> Commands:
    settings = FixedDay.model_validate(parse_settings({}, {}).model_dump())
    return Commands(store, settings)


def chat(chat_id: str = "100") -> ChatContext:
    return ChatContext(channel="telegram", chat_id=chat_id)


async def say(commands: Commands, text: str, ctx: ChatContext | None = None) -> str:
    return reply_to_text(await commands.handle(ctx or chat(), text))


# -- /more ------------------------------------------------------------------------------


async def test_more_shows_the_next_five_of_each_section_with_their_margin(
    commands: Commands, store: Store
) -> None:
    digest = make_digest(date=TODAY)
    pool = make_pool(digest, per_section=12)
    await store.save_digest(digest, [], pool=pool)

    text = await say(commands, "/more")

    dom, intl = pool[:12], pool[12:]
    for it in (*dom[:5], *intl[:5]):
        assert f"{it.n}、" in text and it.link in text
        assert f"得分 {it.score.total:.2f}，入选线 {it.cutoff:.2f}" in text
    for it in (*dom[5:], *intl[5:]):
        assert f"{it.n}、" not in text
    assert "第 1/3 页" in text and "/more 2" in text
    assert text.index("国内动态") < text.index(f"{dom[0].n}、") < text.index("国际动态")

    second = await say(commands, "/more 2")
    assert all(f"{it.n}、" in second for it in (*dom[5:10], *intl[5:10]))
    assert f"{dom[0].n}、" not in second
    last = await say(commands, "/more 3")
    assert all(f"{it.n}、" in last for it in (*dom[10:], *intl[10:])) and "/more 4" not in last


async def test_more_answers_for_the_digest_this_chat_was_shown(
    commands: Commands, store: Store
) -> None:
    old, new = make_digest(date="2026-02-02"), make_digest(date=TODAY)
    old_pool = [it.model_copy(update={"link": f"{it.link}?old"}) for it in make_pool(old, 3)]
    await store.save_digest(old, [], pool=old_pool)
    await store.save_digest(new, [], pool=make_pool(new, 3))

    await say(commands, "/date 2026-02-02")
    text = await say(commands, "/more")

    assert "2026-02-02" in text and old_pool[0].link in text


async def test_more_bad_input_and_no_pool_say_what_would_work(
    commands: Commands, store: Store
) -> None:
    assert "还没有任何日报" in await say(commands, "/more")
    await store.save_digest(make_digest(date=TODAY), [])
    assert "没有更多候选" in await say(commands, "/more")

    await store.save_digest(make_digest(date=TODAY), [], pool=make_pool(make_digest(), 6))
    assert "用法：/more" in await say(commands, "/more abc")
    assert "用法：/more" in await say(commands, "/more 1 2")
    assert "共 2 页" in await say(commands, "/more 9") and "/more 1 到 /more 2" in await say(
        commands, "/more 0"
    )


async def test_more_in_every_channel_and_short_enough_for_a_toast(
    commands: Commands, store: Store
) -> None:
    digest = make_digest(date=TODAY)
    pool = make_pool(digest, per_section=7)
    await store.save_digest(digest, [], pool=pool)

    reply = await commands.handle(chat(), "/more")

    assert reply.text is not None and len(reply.text) <= 60 and "10 条" in reply.text
    html = "\n".join(reply_to_telegram(reply))
    assert f'<a href="{pool[0].link}">' in html and "入选线" in html
    cards = reply_to_feishu(reply)
    card_text = str(cards)
    assert f"({pool[0].link})" in card_text and "入选线" in card_text


# -- /why on a left-out story ----------------------------------------------------------------


async def test_why_on_a_pool_number_explains_it_and_what_kept_it_out(
    commands: Commands, store: Store
) -> None:
    digest = make_digest(date=TODAY)
    pool = make_pool(digest, per_section=6)
    capped = pool[7].model_copy(update={"capped": True, "score": pool[7].score.model_copy(
        update={"total": pool[7].cutoff + 0.05})})  # fmt: skip
    pool[7] = capped
    await store.save_digest(digest, [], pool=pool)

    text = await say(commands, f"/why {pool[1].n}")

    it = pool[1]
    assert "未入选" in text.splitlines()[0]
    assert f"未入选：得分 {it.score.total:.2f}，入选线 {it.cutoff:.2f}" in text
    for part in (it.category, it.reason, it.source, it.link):
        assert part in text
    assert "同一来源" in await say(commands, f"/why {capped.n}")
    html = "\n".join(reply_to_telegram(await commands.handle(chat(), f"/why {it.n}")))
    assert "未入选：得分" in html

    wrong = await say(commands, "/why 99")
    assert "/why 1 到 /why 27" in wrong and "未入选的 28–39 条见 /more" in wrong


# -- /search --------------------------------------------------------------------------------


def renamed(digest: Digest, *titles: str) -> Digest:
    """`digest` with its first domestic items about `titles` (title and summary)."""
    items = list(digest.sections.domestic)
    for i, title in enumerate(titles):
        items[i] = items[i].model_copy(update={"title": title, "summary": f"2月3日消息，{title}。"})
    return digest.model_copy(
        update={"sections": digest.sections.model_copy(update={"domestic": items})}
    )


async def test_search_answers_ten_items_newest_first_with_date_number_and_link(
    commands: Commands, store: Store
) -> None:
    for i in range(12):
        day = f"2026-01-{i + 10:02d}"
        await store.save_digest(
            renamed(make_digest(date=day), "其他", f"星尘机器人第{i}轮融资"), []
        )

    reply = await commands.handle(chat(), "/search 星尘机器人 融资")
    text = reply_to_text(reply)

    lines = [ln for ln in text.splitlines() if "星尘机器人第" in ln]
    assert len(lines) == 10
    assert lines[0].startswith("2026-01-21 · 2、") and lines[-1].startswith("2026-01-12 · 2、")
    digest = await store.get_digest("2026-01-21")
    assert digest is not None and digest.items[1].link in text
    html = "\n".join(reply_to_telegram(reply))
    assert "2026-01-21 · 2、" in html and f'href="{digest.items[1].link}"' in html
    assert "2026-01-21 · 2、" in str(reply_to_feishu(reply))


async def test_search_bad_or_missing_words_say_what_would_work(
    commands: Commands, store: Store
) -> None:
    await store.save_digest(make_digest(date=TODAY), [])
    assert "用法：/search" in await say(commands, "/search")
    assert "最多 50 个字符" in await say(commands, "/search " + "很长" * 30)
    assert "两个相连的汉字" in await say(commands, "/search 猫")
    assert "没有找到「量子引力」" in await say(commands, "/search 量子引力")
