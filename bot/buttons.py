"""Buttons: which ones a Reply carries, and what a tap on one does, for every channel.

A tap is a command on a pinned digest. Callback data is `<kind>:<YYYY-MM-DD>[:<n>]`
(at most 64 bytes, Telegram's limit), e.g. `w:2026-02-03:15` is "/why 15 of the
3 February digest". `keyboard(reply)` decides the buttons once; Telegram renders
them as an inline keyboard, Feishu as card `action` elements, `aidaily chat` as
numbered choices. `tap(commands, ctx, data)` validates the data (it is user input:
a forged or stale one gets a short toast, never an error), pins the chat to that
date (`Store.set_shown`) and runs the command through `Commands.handle`.

How a channel shows a tap's answer (`Tap.mode`):

    edit    the view switches (f b c i): the tapped message becomes the new view
    send    why and more (w m p): a new message (in Feishu, in the card's thread)
    toast   votes (l d), and every refusal: a short line at the top of the screen
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from bot.commands import HANDLERS, ChatContext, Commands, Reply
from pipeline.models import Digest, iso_date
from pipeline.render.view import Listing, View, section_items

log = logging.getLogger(__name__)

MAX_DATA = 64  # bytes: Telegram's callback_data limit
ROW_NUMBERS = 6  # "❓N" buttons per row: six fit a 360-pixel phone screen
MAX_TOAST = 200  # characters: Telegram's answerCallbackQuery text limit
INVALID = "这个按钮无效。发送 /help 查看可用命令。"
STALE = "这条日报已过期。发送 /today 查看最新日报。"
Mode = Literal["edit", "send", "toast"]
T = TypeVar("T")


@dataclass(frozen=True)
class Kind:
    """One kind of button: its letter, the command it runs, and how its answer is shown."""

    code: str
    command: str
    mode: Mode
    takes_n: bool = False

    def line(self, day: str, n: int | None) -> str:
        """The command a tap runs (the date is pinned with set_shown first)."""
        if self.code == "f":
            return f"/date {day}"
        return f"/{self.command} {n}" if self.takes_n else f"/{self.command}"

    @property
    def available(self) -> bool:
        """Whether this build has the command (like, dislike and more come with their helpers)."""
        return self.command in HANDLERS


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("f", "date", "edit"),
        Kind("b", "brief", "edit"),
        Kind("c", "cn", "edit"),
        Kind("i", "intl", "edit"),
        Kind("w", "why", "send", takes_n=True),
        Kind("l", "like", "toast", takes_n=True),
        Kind("d", "dislike", "toast", takes_n=True),
        Kind("m", "more", "send"),
        Kind("p", "more", "send", takes_n=True),  # /more N: a page of the day's left-out stories
    )
}
# A press carried by a link (`https://t.me/<bot>?start=<payload>`): Telegram's start
# parameter allows only [A-Za-z0-9_-], so the data's ":" become "_".
START_RE = re.compile(r"[a-z]_[0-9]{4}-[0-9]{2}-[0-9]{2}(?:_[0-9]{1,4})?")
DATA_RE = re.compile(r"([a-z]):([0-9]{4}-[0-9]{2}-[0-9]{2})(?::([0-9]{1,4}))?")


@dataclass(frozen=True)
class Button:
    """One button: what it says and the callback data it sends back."""

    label: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]  # rows of buttons


@dataclass(frozen=True)
class Press:
    """Valid callback data, parsed: a kind, a date and maybe an item number."""

    kind: Kind
    day: str
    n: int | None = None
    sure: bool = False  # set by `check`: its answer cannot be a toast (see there)

    @property
    def data(self) -> str:
        return data(self.kind.code, self.day, self.n)


def data(code: str, day: str, n: int | None = None) -> str:
    """The callback data of a button: `w:2026-02-03:15`."""
    return f"{code}:{day}" if n is None else f"{code}:{day}:{n}"


def start_payload(raw: str) -> str:
    """Callback data as a deep link's start parameter: `w:2026-02-03:15` → `w_2026-02-03_15`."""
    return raw.replace(":", "_")


def from_start(payload: str) -> str | None:
    """A deep link's start parameter back to callback data, or None when it is not one."""
    return payload.replace("_", ":") if START_RE.fullmatch(payload) else None


def parse(raw: str) -> Press | None:
    """Callback data → Press, or None when it is not one we could have made (logged)."""
    why = _invalid(raw)
    if why is not None:
        log.info("button: refused callback data %r: %s", raw[:80], why)
        return None
    m = DATA_RE.fullmatch(raw)
    assert m is not None
    n = int(m.group(3)) if m.group(3) else None
    return Press(KINDS[m.group(1)], m.group(2), n)


def _invalid(raw: str) -> str | None:
    """What is wrong with callback data, or None when it is well formed."""
    if len(raw.encode()) > MAX_DATA:
        return "longer than 64 bytes"
    m = DATA_RE.fullmatch(raw)
    if m is None:
        return "not <kind>:<YYYY-MM-DD>[:<n>]"
    kind = KINDS.get(m.group(1))
    if kind is None or not kind.available:
        return f"unknown kind {m.group(1)!r}"
    if iso_date(m.group(2)) is None:
        return "not a date"
    if kind.takes_n != bool(m.group(3)):
        return "item number missing" if kind.takes_n else "unexpected item number"
    if kind.takes_n and int(m.group(3)) < 1:
        return "item number below 1"
    return None


# -- which buttons a Reply carries ---------------------------------------------------


def keyboard(reply: Reply) -> Keyboard:
    """The buttons under a Reply: a digest view gets view switches and its items' why
    (and 👍 / 👎 in brief), a why gets 👍 / 👎, a list its items' why; plain text none."""
    if reply.listing is not None:
        return _listing_rows(reply.listing)
    if reply.digest is None:
        return ()
    if reply.why is not None:
        return _vote_rows(reply.digest.date, reply.why.n)
    view = reply.view or View()
    rows = [_view_row(reply.digest.date, view)]
    numbers = shown_numbers(reply.digest, view)
    if view.brief and _votes():
        rows += [_item_row(reply.digest.date, n) for n in numbers]
    else:
        why = [Button(f"❓{n}", data("w", reply.digest.date, n)) for n in numbers]
        rows += [tuple(why[i : i + ROW_NUMBERS]) for i in range(0, len(why), ROW_NUMBERS)]
    if KINDS["m"].available:
        rows.append((Button("更多 ▸", data("m", reply.digest.date)),))
    return tuple(rows)


def _listing_rows(listing: Listing) -> Keyboard:
    """A list (/more, /search, /week): a why for each item, under its own digest's date."""
    per_row = ROW_NUMBERS - 2 if listing.dated else ROW_NUMBERS
    why = [
        Button(
            f"❓{x.day[5:]}·{x.item.n}" if listing.dated else f"❓{x.item.n}",
            data("w", x.day, x.item.n),
        )
        for group in listing.groups
        for x in group.items
    ]
    rows = [tuple(why[i : i + per_row]) for i in range(0, len(why), per_row)]
    if listing.next_page is not None and KINDS["p"].available:
        day, page = listing.next_page
        rows.append((Button(f"下一页（第 {page} 页）▸", data("p", day, page)),))
    return tuple(rows)


def shown_numbers(digest: Digest, view: View) -> list[int]:
    """The numbers of the items a view shows, in the order it shows them."""
    return [item.n for s in view.sections() for item in section_items(digest, s, view)]


def _view_row(day: str, view: View) -> tuple[Button, ...]:
    """国内 / 国际 / 精简 / 完整, the one shown now marked ✓."""
    current = {
        "c": view.section == "domestic" and not view.brief,
        "i": view.section == "international" and not view.brief,
        "b": view.brief,
        "f": view.section == "all" and not view.brief,
    }
    labels = {"c": "国内", "i": "国际", "b": "精简", "f": "完整"}
    return tuple(
        Button(("✓ " if current[code] else "") + label, data(code, day))
        for code, label in labels.items()
    )


def _votes() -> bool:
    return KINDS["l"].available and KINDS["d"].available


def _item_row(day: str, n: int) -> tuple[Button, ...]:
    return (Button(f"❓{n} 为什么", data("w", day, n)), *_vote_rows(day, n)[0])


def _vote_rows(day: str, n: int) -> Keyboard:
    if not _votes():
        return ()
    return ((Button(f"👍 {n}", data("l", day, n)), Button(f"👎 {n}", data("d", day, n))),)


# -- a tap ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tap:
    """What a tap answers: a toast, or a Reply to show in `mode` (edit or send)."""

    mode: Mode
    reply: Reply | None = None
    toast: str | None = None
    press: Press | None = None


async def tap(commands: Commands, ctx: ChatContext, raw: str) -> Tap:
    """Run one button press; never raises for bad callback data."""
    checked = await check(commands, ctx, raw)
    return checked if isinstance(checked, Tap) else await run(commands, ctx, checked)


async def check(commands: Commands, ctx: ChatContext, raw: str) -> Press | Tap:
    """The press, with the chat pinned to its digest (`Store.pin_shown`), if its data is
    valid and that digest still stored; else the toast to answer.

    A press that comes back `sure` needs no other answer: a channel may answer it
    now, before `run` (Telegram stops the button's spinner). That is a view switch,
    and a why of one of the digest's own items (any other number may be a left-out
    story's, or none: its command decides, and a refusal is a toast).
    """
    press = parse(raw)
    if press is None:
        _count(commands, ctx, "unknown", "invalid")
        return Tap("toast", toast=INVALID)
    if not await commands.store.pin_shown(ctx.channel, ctx.chat_id, press.day):
        log.info("button %s in %s:%s: no digest of that date", raw, ctx.channel, ctx.chat_id)
        _count(commands, ctx, press.kind.code, "stale")
        return Tap("toast", toast=STALE, press=press)
    _count(commands, ctx, press.kind.code, "ok")
    if press.kind.mode == "edit":
        return replace(press, sure=True)
    if press.kind.code == "w" and press.n is not None:
        digest = await commands.store.get_digest(press.day)  # parsed once per process
        return replace(press, sure=digest is not None and digest.item(press.n) is not None)
    return press


def _count(commands: Commands, ctx: ChatContext, kind: str, outcome: str) -> None:
    if commands.metrics is not None:
        commands.metrics.observe_press(ctx.channel, kind, outcome)


async def run(commands: Commands, ctx: ChatContext, press: Press) -> Tap:
    """Run the command of a checked press (its digest is what the chat was shown now)."""
    reply = await commands.handle(ctx, press.kind.line(press.day, press.n))
    if press.kind.mode == "toast" or (reply.digest is None and reply.listing is None):
        # A vote's answer, or a refusal such as "没有第 99 条": one short line.
        return Tap("toast", reply=reply, toast=toast_text(reply.text or ""), press=press)
    return Tap(press.kind.mode, reply=reply, press=press)


def toast_text(text: str) -> str:
    """A text as a toast: one line, at most MAX_TOAST characters."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_TOAST else line[: MAX_TOAST - 1] + "…"


CHOICES_HEAD = "── 按钮（输入编号即点按）──"


def render_choices(rows: Keyboard) -> str:
    """Buttons as `aidaily chat` shows them: numbered choices, one line per row."""
    lines, k = [CHOICES_HEAD], 0
    for row in rows:
        cells = []
        for button in row:
            k += 1
            cells.append(f"[{k}] {button.label}")
        lines.append("  ".join(cells))
    return "\n".join(lines)


def split_for_edit(parts: list[T]) -> tuple[T, list[T]]:
    """A view switch edits the tapped message into the first part and sends the rest.

    The keyboard always travels on the last part, so it stays under the newest message.
    """
    return parts[0], parts[1:]
