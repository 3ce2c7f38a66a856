"""`bot.buttons` rows as Feishu card buttons: `action` elements under the last card.

Card JSON 1.0, as the rest of the card (`pipeline/render/feishu.py`): each row is
an `action` element of `button`s in `flow` layout (they wrap on a narrow phone);
a button's `value` is `{"tap": <callback data>}`, which Feishu hands back in the
`card.action.trigger` callback (`event.action.value`). The view now shown is the
`primary` (blue) button. Custom-bot webhooks get no buttons: their cards cannot
call the app back.
"""

from __future__ import annotations

from typing import Any

from bot.buttons import Button, Keyboard, keyboard
from bot.commands import Reply, reply_to_feishu
from pipeline.models import Digest
from pipeline.render import View
from pipeline.render.feishu import CARD_LIMIT, card_size

Card = dict[str, Any]
VALUE_KEY = "tap"


def action_rows(rows: Keyboard) -> list[dict[str, Any]]:
    """One `action` element per row of buttons."""
    return [
        {"tag": "action", "layout": "flow", "actions": [_button(b) for b in row]} for row in rows
    ]


def _button(button: Button) -> dict[str, Any]:
    current = button.label.startswith("✓")
    return {
        "tag": "button",
        "text": {"tag": "plain_text", "content": button.label},
        "type": "primary" if current else "default",
        "value": {VALUE_KEY: button.data},
    }


def with_buttons(cards: list[Card], rows: Keyboard) -> list[Card]:
    """The cards with the buttons under the last one (in a card of their own if it is full)."""
    if not rows or not cards:
        return cards
    actions = action_rows(rows)
    last = {**cards[-1], "elements": [*cards[-1]["elements"], *actions]}
    if card_size(last) <= CARD_LIMIT:
        return [*cards[:-1], last]
    return [*cards, {"config": {"wide_screen_mode": True}, "elements": actions}]


def reply_cards(reply: Reply) -> list[Card]:
    """A Reply as app-bot cards, with its buttons."""
    return with_buttons(reply_to_feishu(reply), keyboard(reply))


def digest_cards(digest: Digest, view: View) -> list[Card]:
    """A digest view as an app-bot chat is pushed it: its cards, the buttons under the last."""
    return reply_cards(Reply(digest=digest, view=view))
