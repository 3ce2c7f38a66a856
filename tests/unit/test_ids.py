"""Canonical links: one article, one link, one id, however a feed spells it."""

from __future__ import annotations

import pytest

from pipeline.ids import canonical_url, entry_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"),
        (
            "https://www.163.com/dy/article/X.html?spm=a2c4e.11153940&p=2",
            "https://www.163.com/dy/article/X.html?p=2",
        ),
        ("https://example.com/post?fbclid=IwAR0abc", "https://example.com/post"),
        ("https://36kr.com/p/3150000000000000?f=rss", "https://36kr.com/p/3150000000000000"),
        ("https://example.com/p#comments", "https://example.com/p"),
        ("HTTPS://Example.COM/Path/To", "https://example.com/Path/To"),
        ("https://example.com:443/p", "https://example.com/p"),
        ("http://example.com:80/p", "http://example.com/p"),
        ("http://example.com:8080/p", "http://example.com:8080/p"),
        ("https://example.com", "https://example.com/"),
        ("  https://example.com/p  ", "https://example.com/p"),
    ],
)
def test_tracking_case_port_and_fragment_are_normalised(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "mailto:news@example.com",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "/relative/path",
        "",
        None,
        "https://",
        "https://user:pw@example.com/",
        "http://exa mple.com/",
        "https://a..b/",
        "https://example.com:99999/",
        "https://example.com/\nx",
    ],
)
def test_links_that_are_not_http_urls_are_rejected(raw: str | None) -> None:
    assert canonical_url(raw) is None


def test_meaningful_query_is_kept_byte_for_byte() -> None:
    # Re-encoding would change what the server sees: "?123" must not become "?123=".
    assert canonical_url("https://example.com/?123") == "https://example.com/?123"
    assert (
        canonical_url("https://example.com/s?q=a%20b&x=1;y")
        == "https://example.com/s?q=a%20b&x=1;y"
    )
    assert canonical_url("https://example.com/s?b=2&a=1") == "https://example.com/s?b=2&a=1"


def test_feed_marker_values_only_drop_when_they_say_feed() -> None:
    assert canonical_url("https://example.com/p?from=rss") == "https://example.com/p"
    assert canonical_url("https://example.com/p?from=home") == "https://example.com/p?from=home"


def test_unicode_and_encoded_spellings_are_one_link() -> None:
    unicode_form = canonical_url("https://例子.中国/新闻/人工智能?q=大模型")
    encoded_form = canonical_url(
        "https://xn--fsqu00a.xn--fiqs8s/%e6%96%b0%e9%97%bb/%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD"
        "?q=%E5%A4%A7%E6%A8%A1%E5%9E%8B"
    )
    assert unicode_form == encoded_form
    assert unicode_form is not None and unicode_form.isascii()
    assert entry_id(unicode_form) == entry_id(encoded_form or "")


def test_ipv6_host_keeps_its_brackets() -> None:
    assert canonical_url("http://[::1]:80/feed") == "http://[::1]/feed"


def test_entry_id_is_stable_and_distinct() -> None:
    a = canonical_url("https://example.com/a?utm_source=x")
    assert a is not None
    assert entry_id(a) == entry_id("https://example.com/a")
    assert entry_id(a) != entry_id("https://example.com/b")
