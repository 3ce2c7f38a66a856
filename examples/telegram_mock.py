"""A phone-width picture of a Telegram digest message with its buttons (docs/telegram_buttons.png).

    .venv/bin/aidaily run --config examples/demo.yaml --date 2026-02-03 --json /tmp/demo.json
    .venv/bin/python examples/telegram_mock.py /tmp/demo.json docs/telegram_buttons.png

The message is the bot's own answer to /brief (`TelegramBot.rendered`: the HTML it
sends and its inline keyboard), laid out as Telegram's Android client draws a
message and its keyboard on a 390-pixel-wide screen, and photographed with
headless Chromium (/usr/bin/chromium, driven by playwright; emoji need
fonts-noto-color-emoji, Chinese fonts-noto-cjk). Telegram's HTML subset (b, i, a) is HTML,
so the text is shown as sent.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path

from playwright.sync_api import sync_playwright

from bot.commands import Reply
from bot.telegram.bot import TelegramBot
from pipeline.config import parse_settings
from pipeline.models import Digest
from pipeline.render import View

WIDTH = 390
CHROMIUM = "/usr/bin/chromium"

PAGE = """<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; background: #0e1621 linear-gradient(#17212b, #0e1621); width: {w}px;
  font: 15px/1.35 "Noto Sans CJK SC", "Noto Sans", sans-serif; color: #f5f5f5; }}
.bar {{ background: #17212b; padding: 12px 16px; font-weight: 600; border-bottom: 1px solid #0b1119; }}
.bar small {{ display: block; font-weight: 400; color: #6d7f8f; font-size: 13px; }}
.chat {{ padding: 10px 8px 14px; }}
.msg {{ background: #182533; border-radius: 12px 12px 12px 4px; padding: 8px 11px;
  white-space: pre-wrap; word-wrap: break-word; }}
.msg a {{ color: #6ab3f3; text-decoration: none; }}
.kb {{ margin-top: 3px; }}
.row {{ display: flex; gap: 3px; margin-top: 3px; }}
.btn {{ flex: 1; background: rgba(24,37,51,.85); border-radius: 6px; padding: 9px 2px;
  text-align: center; font-size: 14px; color: #fff; white-space: nowrap; overflow: hidden; }}
</style>
<div class="bar">AI每日动态<small>bot</small></div>
<div class="chat"><div class="msg">{text}</div><div class="kb">{keyboard}</div></div>
"""


def page(digest: Digest) -> str:
    bot = TelegramBot(parse_settings({}, {"TELEGRAM_BOT_TOKEN": "0:mock"}), store=None)  # type: ignore[arg-type]
    (text, *_), markup = bot.rendered(Reply(digest=digest, view=View(brief=True, brief_count=5)))
    rows = markup.inline_keyboard if markup is not None else ()
    keyboard = "".join(
        '<div class="row">'
        + "".join(f'<div class="btn">{escape(b.text)}</div>' for b in row)
        + "</div>"
        for row in rows
    )
    return PAGE.format(w=WIDTH, text=text, keyboard=keyboard)


def main() -> None:
    digest_json, out = Path(sys.argv[1]), Path(sys.argv[2])
    digest = Digest.model_validate_json(digest_json.read_text("utf-8"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": WIDTH, "height": 600}, device_scale_factor=1.5)
        tab.set_content(page(digest))
        tab.screenshot(path=str(out), full_page=True)
        browser.close()
    print(out)


if __name__ == "__main__":
    main()
