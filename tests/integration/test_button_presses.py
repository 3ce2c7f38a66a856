"""A press, channel-agnostic: `bot.buttons.tap` against a real Redis, as every channel calls it.

What each kind runs, that the chat is pinned to the press's digest, and that refused
presses are counted apart from answered ones in /metrics.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.buttons import INVALID, STALE, Button, keyboard, tap
from bot.commands import ChatContext, Commands
from bot.metrics import Metrics
from pipeline.config import Settings
from pipeline.render import View
from pipeline.store import Store
from tests.factories import make_digest, make_pool

DAY = "2026-02-03"
OLDER = "2026-02-02"


@pytest.fixture
async def commands(store: Store, make_settings: Callable[..., Settings]) -> Commands:
    await store.save_digest(make_digest(date=OLDER), [])
    await store.save_digest(make_digest(), [])
    return Commands(store, make_settings(), Metrics())


def ctx(chat: str = "c1") -> ChatContext:
    return ChatContext(channel="telegram", chat_id=chat, user_id="u1")


async def test_view_switches_show_that_view_of_the_pressed_digest(commands: Commands) -> None:
    for code, view in [
        ("f", View()),
        ("b", View(brief=True)),
        ("c", View(section="domestic")),
        ("i", View(section="international")),
    ]:
        pressed = await tap(commands, ctx(), f"{code}:{OLDER}")
        assert pressed.mode == "edit" and pressed.reply is not None
        assert pressed.reply.digest is not None and pressed.reply.digest.date == OLDER
        assert pressed.reply.view is not None
        assert (pressed.reply.view.section, pressed.reply.view.brief) == (view.section, view.brief)
    assert await commands.store.get_shown("telegram", "c1") == OLDER


async def test_a_why_press_answers_for_its_own_digest(commands: Commands) -> None:
    await commands.handle(ctx(), f"/date {DAY}")
    pressed = await tap(commands, ctx(), f"w:{OLDER}:3")
    assert pressed.mode == "send" and pressed.reply is not None
    assert pressed.reply.why is not None and pressed.reply.why.n == 3
    assert pressed.reply.digest is not None and pressed.reply.digest.date == OLDER
    # and /why N typed next means that digest too, as after /date
    typed = await commands.handle(ctx(), "/why 4")
    assert typed.digest is not None and typed.digest.date == OLDER


async def test_a_stale_press_changes_nothing_and_is_counted(commands: Commands) -> None:
    await commands.handle(ctx(), f"/date {DAY}")
    pressed = await tap(commands, ctx(), "c:2020-01-01")
    assert (pressed.mode, pressed.toast, pressed.reply) == ("toast", STALE, None)
    assert await commands.store.get_shown("telegram", "c1") == DAY
    forged = await tap(commands, ctx(), "c:20260203")
    assert (forged.mode, forged.toast) == ("toast", INVALID)
    assert commands.metrics is not None
    text = commands.metrics.render().decode()
    assert 'aidaily_button_presses_total{channel="telegram",kind="c",outcome="stale"} 1.0' in text
    assert (
        'aidaily_button_presses_total{channel="telegram",kind="unknown",outcome="invalid"} 1.0'
        in text
    )


async def test_a_more_page_carries_a_next_page_button_that_shows_the_next_page(
    commands: Commands,
) -> None:
    digest = make_digest()
    await commands.store.save_digest(digest, [], pool=make_pool(digest, per_section=12))

    first = await tap(commands, ctx(), f"m:{DAY}")
    assert first.reply is not None and first.reply.listing is not None
    rows = keyboard(first.reply)
    assert rows[-1] == (Button("下一页（第 2 页）▸", f"p:{DAY}:2"),)

    second = await tap(commands, ctx(), rows[-1][0].data)
    assert second.mode == "send" and second.reply is not None
    assert second.reply.listing is not None and "第 2/3 页" in second.reply.listing.title
    last = await tap(commands, ctx(), f"p:{DAY}:3")
    assert last.reply is not None and last.reply.listing is not None
    assert not any("下一页" in b.label for row in keyboard(last.reply) for b in row)
    beyond = await tap(commands, ctx(), f"p:{DAY}:9")  # forged: a page that does not exist
    assert beyond.mode == "toast" and beyond.toast and "没有第 9 页" in beyond.toast
