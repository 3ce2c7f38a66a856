"""Invisible and disguising characters are stripped once, at parse time, for every output.

Issue 10 "Text": a right-to-left override, zero-width characters and raw control
characters (ESC, BEL) in a feed title reached the web page, /feed.xml and the JSON
API unchanged.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipeline.config import FeedSettings
from pipeline.parse import parse_feed
from pipeline.render import html as web
from pipeline.render import render_json
from pipeline.text import strip_invisible
from tests.factories import make_digest

NOW = datetime(2026, 2, 3, tzinfo=UTC)
FEED = FeedSettings(id="kr36", name="36氪", url="https://36kr.com/feed", region="domestic")
HIDDEN = ["\u202e", "\u202d", "\u2066", "\u200b", "\u200c", "\ufeff", "\u00ad", "\x1b", "\x07"]
# As XML allows them: numeric references for the C0 controls XML 1.0 forbids raw.
TITLE_XML = "智谱&#x202E;发布GLM-5&#x200B;模型&#x1B;[31m&#x7;&#xFEFF;"
SUMMARY_XML = "2月3日消息，&#x2066;智谱&#x2069;今日发布&#x200C;新模型&#xAD;。"


def feed_with(title: str, summary: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>{title}</title><link>https://36kr.com/p/1</link>"
        f"<description>{summary}</description>"
        "<pubDate>Tue, 03 Feb 2026 07:12:00 +0800</pubDate></item></channel></rss>"
    ).encode()


def test_parse_strips_them_from_title_and_summary() -> None:
    parsed = parse_feed(
        feed_with(TITLE_XML, SUMMARY_XML),
        FEED,
        content_type="application/rss+xml",
        location=FEED.url,
        now=NOW,
    )
    (entry,) = parsed.entries
    assert entry.title == "智谱发布GLM-5模型[31m"
    assert entry.summary == "2月3日消息，智谱今日发布新模型。"


def test_no_output_carries_them_once_parsed() -> None:
    parsed = parse_feed(
        feed_with(TITLE_XML, SUMMARY_XML),
        FEED,
        content_type="application/rss+xml",
        location=FEED.url,
        now=NOW,
    )
    (entry,) = parsed.entries
    digest = make_digest()
    first = digest.sections.domestic[0].model_copy(update={"title": entry.title})
    digest.sections.domestic[0] = first
    page = web.render_page(digest, [digest.date])
    rss = web.render_rss([digest], "http://127.0.0.1/").decode()
    api = json.dumps(json.loads(render_json(digest)), ensure_ascii=False)
    for out in (page, rss, api):
        assert entry.title in out
        assert not [ch for ch in HIDDEN if ch in out]


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("👩\u200d💻 程序员", "👩\u200d💻 程序员"),  # an emoji sequence keeps its joiner
        ("❤\ufe0f\u200d🔥", "❤\ufe0f\u200d🔥"),
        ("A\u200dB", "AB"),  # a joiner between letters hides nothing legitimate
        ("tag\U000e0041\U000e007f", "tag"),
        ("line\nbreak\ttab", "line\nbreak\ttab"),  # whitespace is the caller's to fold
        ("plain ASCII", "plain ASCII"),
    ],
)
def test_strip_invisible_keeps_what_is_meant(text: str, clean: str) -> None:
    assert strip_invisible(text) == clean


def test_the_models_text_is_held_to_the_same_rule() -> None:
    from pipeline.curate.llm.trust import clean_text

    assert clean_text("智谱\u202e发布\u200b新模型\x1b。", 100) == "智谱发布新模型。"
