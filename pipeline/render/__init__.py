"""Renderers of a Digest: plain text, Markdown, Telegram HTML, Feishu cards, JSON.

Each takes the digest and a `View` (which sections, full or brief, a note) and
returns what its channel sends; none does I/O.
"""

from pipeline.render.feishu import (
    feishu_plain,
    render_feishu,
    render_feishu_listing,
    render_feishu_why,
)
from pipeline.render.jsonout import render_json
from pipeline.render.markdown import render_markdown, render_markdown_why
from pipeline.render.telegram import (
    render_telegram,
    render_telegram_listing,
    render_telegram_why,
    telegram_plain,
)
from pipeline.render.text import render_text, render_text_listing, render_text_why
from pipeline.render.view import Listing, Pulled, View, WhyNotes

__all__ = [
    "Listing",
    "Pulled",
    "View",
    "WhyNotes",
    "feishu_plain",
    "render_feishu",
    "render_feishu_listing",
    "render_feishu_why",
    "render_json",
    "render_markdown",
    "render_markdown_why",
    "render_telegram",
    "render_telegram_listing",
    "render_telegram_why",
    "render_text",
    "render_text_listing",
    "render_text_why",
    "telegram_plain",
]
