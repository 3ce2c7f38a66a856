"""parse_feed: feed bytes in, plain-text entries with canonical links and UTC times out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import FeedSettings
from pipeline.ids import entry_id
from pipeline.parse import ParsedFeed, parse_feed, plain_text

NOW = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)
KR36 = FeedSettings(
    id="kr36", name="36氪", url="https://36kr.com/feed", region="domestic", weight=1.5
)
OPENAI = FeedSettings(
    id="openai", name="OpenAI", url="https://openai.com/news/rss.xml", region="international"
)


def parse(
    body: str | bytes, feed: FeedSettings = KR36, *, location: str | None = None
) -> ParsedFeed:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return parse_feed(
        data, feed, content_type="application/xml", location=location or feed.url, now=NOW
    )


def rss(items: str, channel: str = "<title>36氪</title>") -> str:
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
    return f"{head}<channel>{channel}{items}</channel></rss>"


CHINESE_RSS = rss(
    """
    <item>
      <title>智谱发布 GLM-5：开源大模型再进一步</title>
      <link>https://36kr.com/p/3150000000000001?f=rss</link>
      <description><![CDATA[<p>智谱今日<b>正式发布</b>新一代模型。</p>
        <p>支持 128K 上下文。</p>]]></description>
      <pubDate>Mon, 02 Feb 2026 18:30:00 +0800</pubDate>
      <guid isPermaLink="false">36kr-3150000000000001</guid>
    </item>
    """
)


def test_chinese_rss2_entry_is_normalised() -> None:
    result = parse(CHINESE_RSS)
    assert result.error is None
    [entry] = result.entries
    assert entry.title == "智谱发布 GLM-5：开源大模型再进一步"
    assert entry.link == "https://36kr.com/p/3150000000000001"  # ?f=rss is tracking
    assert entry.id == entry_id(entry.link)
    assert entry.summary == "智谱今日正式发布新一代模型。 支持 128K 上下文。"
    assert entry.published_at == datetime(2026, 2, 2, 10, 30, tzinfo=UTC)
    assert entry.dated is True
    assert entry.lang == "zh"
    assert (entry.feed, entry.source, entry.region, entry.weight) == (
        "kr36",
        "36氪",
        "domestic",
        1.5,
    )


def test_atom_entry_uses_alternate_link_and_content() -> None:
    body = """<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom">
      <title>OpenAI News</title>
      <entry>
        <title type="html">Introducing &lt;em&gt;GPT-6&lt;/em&gt;</title>
        <link rel="enclosure" href="https://cdn.example.com/video.mp4"/>
        <link rel="alternate" href="https://openai.com/index/gpt-6/?utm_source=rss"/>
        <id>tag:openai.com,2026:gpt-6</id>
        <updated>2026-02-02T15:04:05Z</updated>
        <content type="html">&lt;p&gt;Our most capable model.&lt;/p&gt;</content>
      </entry>
    </feed>"""
    [entry] = parse(body, OPENAI).entries
    assert entry.title == "Introducing GPT-6"
    assert entry.link == "https://openai.com/index/gpt-6/"
    assert entry.summary == "Our most capable model."
    assert entry.published_at == datetime(2026, 2, 2, 15, 4, 5, tzinfo=UTC)
    assert entry.lang == "en"


def test_rss1_rdf_entries_are_read() -> None:
    body = """<?xml version="1.0"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
             xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://example.org/"><title>Example</title><link>https://example.org/</link></channel>
      <item rdf:about="https://example.org/a">
        <title>RDF item</title><link>https://example.org/a</link>
        <dc:date>2026-02-01T08:00:00+00:00</dc:date>
      </item>
    </rdf:RDF>"""
    [entry] = parse(body, OPENAI).entries
    assert (entry.title, entry.link) == ("RDF item", "https://example.org/a")
    assert entry.published_at == datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


def test_html_and_entities_in_titles_become_plain_text() -> None:
    body = rss(
        """
        <item><title>&lt;b&gt;AT&amp;amp;T&lt;/b&gt; &amp;amp; 百度 &amp;ldquo;文心&amp;rdquo;
          &lt;script&gt;x()&lt;/script&gt;</title>
        <link>https://example.com/1</link></item>
        <item><title>Why x &amp;lt; y   matters&#8230;</title><link>https://example.com/2</link></item>
        """
    )
    titles = [e.title for e in parse(body).entries]
    assert titles == ["AT&T & 百度 “文心”", "Why x < y matters…"]


def test_entry_without_date_is_marked_undated_at_now() -> None:
    body = rss("<item><title>无日期</title><link>https://example.com/n</link></item>")
    [entry] = parse(body).entries
    assert entry.dated is False
    assert entry.published_at == NOW


def test_date_more_than_a_day_ahead_is_treated_as_undated() -> None:
    future = (NOW + timedelta(days=3)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    soon = (NOW + timedelta(hours=6)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    body = rss(
        f"<item><title>未来</title><link>https://example.com/f</link><pubDate>{future}</pubDate></item>"
        f"<item><title>时区偏差</title><link>https://example.com/s</link><pubDate>{soon}</pubDate></item>"
    )
    far, near = parse(body).entries
    assert (far.dated, far.published_at) == (False, NOW)
    assert (near.dated, near.published_at) == (True, NOW + timedelta(hours=6))


def test_relative_links_resolve_against_the_feed_location() -> None:
    body = rss(
        "<item><title>相对链接</title><link>/news/42.html</link></item>"
        "<item><title>上一级</title><link>../b/7</link></item>"
        "<item><title>guid 在前</title><guid>abc-2</guid><link>/rel/2</link></item>"
    )
    entries = parse(body, location="https://www.jiqizhixin.com/rss/feed.xml").entries
    assert [e.link for e in entries] == [
        "https://www.jiqizhixin.com/news/42.html",
        "https://www.jiqizhixin.com/b/7",
        "https://www.jiqizhixin.com/rel/2",
    ]


def test_xml_base_applies_before_the_feed_location() -> None:
    body = """<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/"><title>t</title>
      <entry><title>absolute base</title><link href="post/1" xml:base="https://example.org/x/"/></entry>
      <entry xml:base="sub/"><title>relative base</title><link href="post/2"/></entry>
    </feed>"""
    entries = parse(body, OPENAI, location="https://openai.com/news/rss.xml").entries
    assert [e.link for e in entries] == [
        "https://example.org/x/post/1",
        "https://openai.com/blog/sub/post/2",
    ]


def test_entries_without_an_http_link_are_dropped_and_guid_permalink_is_used() -> None:
    body = rss(
        """
        <item><title>只有 guid</title><guid>https://example.com/guid-only</guid></item>
        <item><title>guid 与 link</title><guid>https://example.com/g</guid><link>https://example.com/l</link></item>
        <item><title>不是永久链接</title><guid isPermaLink="false">https://example.com/not</guid></item>
        <item><title>guid 不是网址</title><guid>36kr-3150000000000001</guid></item>
        <item><title>mailto</title><link>mailto:a@example.com</link></item>
        <item><title>javascript</title><link>javascript:void(0)</link></item>
        <item><title>无链接</title></item>
        """
    )
    links = [e.link for e in parse(body).entries]
    assert links == ["https://example.com/guid-only", "https://example.com/l"]


def test_untitled_entry_takes_its_summary_start_or_is_dropped() -> None:
    long_text = "今天" + "人工智能" * 40
    body = rss(
        f"<item><link>https://example.com/u</link><description>{long_text}</description></item>"
        "<item><link>https://example.com/empty</link></item>"
    )
    [entry] = parse(body).entries
    assert entry.title.startswith("今天人工智能")
    assert len(entry.title) == 80 and entry.title.endswith("…")
    assert entry.summary == long_text


def test_long_title_and_summary_are_capped() -> None:
    body = rss(
        f"<item><title>{'A' * 900}</title><link>https://e.com/x</link>"
        f"<description>{'b ' * 3000}</description></item>"
    )
    [entry] = parse(body).entries
    assert len(entry.title) == 300 and len(entry.summary) == 1000


def test_gb2312_feed_is_decoded() -> None:
    body = rss("<item><title>百度发布文心大模型</title><link>https://example.com/gb</link></item>")
    data = body.replace('encoding="utf-8"', 'encoding="gb2312"').encode("gb2312")
    result = parse_feed(
        data, KR36, content_type="text/xml; charset=gb2312", location=KR36.url, now=NOW
    )
    assert [e.title for e in result.entries] == ["百度发布文心大模型"]


def test_html_page_is_not_a_feed() -> None:
    result = parse("<!doctype html><html><body><h1>Login</h1><p>&nbsp;</body></html>")
    assert result.entries == []
    assert result.error is not None and result.error.startswith("not a feed: ")
    assert "\n" not in result.error


@pytest.mark.parametrize(
    "body", [b"", b"\x00\xff\xfe garbage", b"<rss><channel><item><title>x", b"{}"]
)
def test_garbage_never_raises(body: bytes) -> None:
    result = parse(body)
    assert result.entries == []
    assert result.error is not None and result.error.startswith("not a feed")


def test_broken_feed_that_still_yields_entries_is_fine() -> None:
    body = rss("<item><title>坏掉的 &nbsp; 实体</title><link>https://example.com/b</link></item>")
    result = parse(body)
    assert result.error is None
    assert [e.title for e in result.entries] == ["坏掉的 实体"]


def test_empty_wellformed_feed_is_not_an_error() -> None:
    assert parse(rss("")) == ParsedFeed([], None)


def test_plain_text_folds_blocks_and_drops_scripts() -> None:
    assert (
        plain_text("<p>一</p><p>二</p><br/>三<script>alert(1)</script><style>p{}</style>")
        == "一 二 三"
    )
    assert plain_text("&amp;lt;i&amp;gt;double&amp;lt;/i&amp;gt;") == "double"


MARKUP_BITS = st.sampled_from([*"<>/&;!?=\"' ab中", "lt", "gt", "amp", "script", "&#60;"])


@settings(max_examples=400, deadline=None)
@given(st.lists(MARKUP_BITS, max_size=40).map("".join))
def test_plain_text_never_leaves_a_tag(text: str) -> None:
    assert not re.search(r"<[a-zA-Z/!?][^<>]*>", plain_text(text))


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=400)
    | st.lists(
        st.sampled_from([*"<>/=\"' x&;", "rss", "item", "title", "link", "feed", "entry"]),
        max_size=80,
    )
    .map("".join)
    .map(str.encode)
)
def test_any_bytes_give_entries_or_a_one_line_error(body: bytes) -> None:
    result = parse_feed(body, KR36, content_type=None, location=KR36.url, now=NOW)
    assert result.error is None or "\n" not in result.error
    assert all(e.link.startswith(("http://", "https://")) for e in result.entries)
