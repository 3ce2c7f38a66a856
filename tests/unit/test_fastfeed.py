"""The fast read (pipeline/fastfeed.py) gives what feedparser gives, wherever it reads at all.

Each body is checked twice over: the ParsedFeed `parse_feed` returns must equal
`parse_with_feedparser`'s, and, when the fast read accepts the body, each raw entry's
fields that `to_entry` reads must equal feedparser's. Acceptance counts are asserted
too: a fast read that declined everything would pass the equality checks alone.

Bodies: feedparser's own test corpus (~2,100 well-formed, ill-formed and hostile
feeds), the pipeline benchmark's generated feeds, the example and acceptance feeds,
generated feeds mixing every item element the fast read maps, ignores or declines,
and one body per reason to decline.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.pipeline import feed_body
from pipeline.config import FeedSettings
from pipeline.fastfeed import decline_reason, raw_entries
from pipeline.parse import (
    feedparser_headers,
    parse_feed,
    parse_raw,
    parse_with_feedparser,
)
from tests.acceptance.feeds import FEEDS
from tests.conftest import CORPUS, EXAMPLES

NOW = datetime(2026, 2, 3, 12, tzinfo=UTC)
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED = FeedSettings(id="f", name="f", url="https://feed.example/rss", region="international")
LOCATION = "https://feed.example/rss"


def view(raw: Any) -> dict[str, Any]:
    """The fields of a raw entry that `to_entry` reads, as it reads them."""
    permalink = bool(raw.get("guidislink"))
    return {
        "title": raw.get("title"),
        "summary": raw.get("summary"),
        "content": [c.get("value") for c in raw.get("content") or []],
        "link": raw.get("link"),
        "links": [(x.get("rel", "alternate"), x.get("href")) for x in raw.get("links") or []],
        "guidislink": permalink,
        "id": raw.get("id") if permalink else None,
        # dict.get: FeedParserDict.get("updated_parsed") falls back to published_parsed
        # with a DeprecationWarning; to_entry reads published_parsed first anyway.
        "published_parsed": dict.get(raw, "published_parsed"),
        "updated_parsed": dict.get(raw, "updated_parsed"),
    }


def agree(body: bytes, content_type: str | None = None, location: str = LOCATION) -> str:
    """Assert both paths agree on `body`: "fast" (the fast read gave the result),
    "read" (it read the body but found no entry to give), or "declined"."""
    kwargs: dict[str, Any] = {"content_type": content_type, "location": location, "now": NOW}
    assert parse_feed(body, FEED, **kwargs) == parse_with_feedparser(body, FEED, **kwargs)
    raws = raw_entries(body, feedparser_headers(body, content_type, location))
    if raws is None:
        return "declined"
    parsed = parse_raw(body, content_type=content_type, location=location)
    assert [view(r) for r in raws] == [view(r) for r in parsed.entries]
    made = parse_feed(body, FEED, **kwargs).entries
    return "fast" if made else "read"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no feedparser corpus at {CORPUS}")
def test_the_corpus_read_fast_equals_feedparser() -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "LICENSE")
    assert len(files) > 2000
    outcomes: dict[str, int] = {"fast": 0, "read": 0, "declined": 0}
    for path in files:
        location = f"https://corpus.example/{path.relative_to(CORPUS).as_posix()}"
        outcomes[agree(path.read_bytes(), location=location)] += 1
    # Most corpus feeds test one element of an entry with no link, so only 4 give an Entry
    # (and take the fast path); the raw fields of all 820 bodies read still had to match.
    assert outcomes["fast"] + outcomes["read"] >= 800, outcomes
    assert outcomes["fast"] >= 4, outcomes


def test_the_benchmark_feeds_take_the_fast_path() -> None:
    rng = random.Random(7)
    for n in range(12):
        body = feed_body(n, 50, NOW, rng)
        assert agree(body, "application/rss+xml", f"https://news{n}.example.com/feed") == "fast"


def test_the_example_and_acceptance_feeds_take_the_fast_path() -> None:
    outcomes = {
        path.name: agree(path.read_bytes(), "application/rss+xml")
        for path in sorted((EXAMPLES / "feeds").glob("*.xml"))
    }
    outcomes |= {fid: agree(body.encode("utf-8")) for fid, (_n, _r, body) in FEEDS.items()}
    declined = {name for name, outcome in outcomes.items() if outcome != "fast"}
    # pingwest.xml and the acceptance "broken" feed are truncated on purpose.
    assert declined == {"pingwest.xml", "broken"}, outcomes


# Generated feeds: items mixing mapped elements (with tricky text, URLs, dates and
# attributes), ignored ones and declined ones, in RSS 2.0, RSS 1.0 and Atom.
TEXTS = [
    "Hello", "  spaced  out  ", "a &amp; b", "&lt;b&gt;bold&lt;/b&gt; x", "",
    "<![CDATA[<p>cdata & co</p>]]>", "caf\u00c3\u00a9", "smart &#147;q&#148; &#150;",
    "中文标题", "x<!-- c -->y", "a&amp;amp;b", "tab\tnew\nline", "\u00e9t\u00e9", "\u0080\u009f",
]  # fmt: skip
URLS = [
    "https://ex.com/a?x=1&amp;y=2", "http:////ex.com/b", "/relative", "ex.com/c", " https://ex.com/d ",
    "https://ex.com/e&amp;amp;f", "https://ex.com/g&amp;copy;h", "", "javascript:alert(1)",
    "tag:ex.com,2026:1", "https://例え.jp/x", "HTTPS://EX.COM/UP",
]  # fmt: skip
DATES = [
    "Mon, 02 Feb 2026 18:30:00 +0800", "2026-02-01T08:00:00Z", "2026-02-01", "garbage", "",
    "Tue, 3 Feb 2026 9:5:1 GMT", "2026-02-10T00:00:00+00:00", "2026-01-31 12:00:00 +0800",
]  # fmt: skip
NAMESPACES = (
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:x="http://unknown.example/"'
)
IGNORED = [
    "<category>AI</category>", '<category domain="x">b</category>', "<dc:creator>Me</dc:creator>",
    "<author>a@b.c (A)</author>", "<comments>https://ex.com/c</comments>", "<x:foo>bar</x:foo>",
    '<x:bar a="1"/>', "<media:thumbnail url='https://ex.com/i.png'/>",
    "<source url='https://s.example/'>S</source>", "<author><name>N</name></author>",
    "<media:group><media:content url='https://ex.com/v'/></media:group>", "<x:w><x:i>z</x:i></x:w>",
]  # fmt: skip
DECLINED = [
    "<dc:title>T</dc:title>", "<media:title>M</media:title>", "<itunes:summary>S</itunes:summary>",
    "<media:description>D</media:description>", "<abstract>a</abstract>", "<links>z</links>",
    "<date_parsed>q</date_parsed>", "<x:w><title>inner</title></x:w>", '<title xml:lang="en">t</title>',
    "<description><p>xhtml</p></description>", '<content src="https://ex.com/s"/>',
    "<media:group><media:title>G</media:title></media:group>",
]  # fmt: skip
TYPES = ['', ' type="html"', ' type="text"', ' type="HTML"', ' type="xhtml"', ' type="image/png"', ' mode="base64"']  # fmt: skip


def typed(r: random.Random) -> str:
    return r.choice(TYPES) if r.random() < 0.15 else ""


def item_child(r: random.Random, atom: bool) -> str:
    k = r.randrange(30) if r.random() < 0.8 else r.randrange(34)
    if k < 4:
        return f"<title{typed(r)}>{r.choice(TEXTS)}</title>"
    if k < 8:
        return f"<link>{r.choice(URLS)}</link>"
    if k < 11:
        rel = r.choice(["", ' rel="alternate"', ' rel="Alternate"', ' rel="self"', ' rel=""'])
        kind = r.choice(["", ' type="text/html"', ' type="html"', ' type="audio/mpeg"'])
        href = r.choice([f' href="{r.choice(URLS)}"', f' url="{r.choice(URLS)}"', ""])
        return f"<{'link' if atom else 'atom:link'}{rel}{kind}{href}/>"
    if k < 14:
        return f"<description{typed(r)}>{r.choice(TEXTS)}</description>"
    if k < 16:
        return f"<summary{typed(r)}>{r.choice(TEXTS)}</summary>"
    if k < 18:
        return f"<content:encoded>{r.choice(TEXTS)}</content:encoded>"
    if k < 20:
        return f"<content{typed(r)}>{r.choice(TEXTS)}</content>"
    if k < 23:
        permalink = r.choice(
            ["", ' isPermaLink="false"', ' isPermaLink="true"', ' isPermaLink="True"']
        )
        tag = r.choice(["guid", "id"])
        return f"<{tag}{permalink}>{r.choice(URLS + TEXTS)}</{tag}>"
    if k < 27:
        tag = r.choice(
            [
                *("pubDate", "published", "updated", "dc:date", "dcterms:modified", "issued"),
                *("dcterms:issued", "modified", "lastBuildDate", "dcterms:created", "created"),
            ]
        )
        return f"<{tag}>{r.choice(DATES)}</{tag}>"
    if k < 28:
        return f'<enclosure url="{r.choice(URLS)}" type="audio/mpeg" length="1"/>'
    if k < 30:
        return r.choice(IGNORED)
    return r.choice(DECLINED)


def generated_feed(r: random.Random) -> bytes:
    kind = r.choice(["rss", "atom", "rdf"])
    items = []
    for _ in range(r.randint(1, 4)):
        children = "".join(item_child(r, kind == "atom") for _ in range(r.randint(0, 7)))
        tag = {"rss": "item", "atom": "entry", "rdf": f'item rdf:about="{r.choice(URLS)}"'}[kind]
        items.append(f"<{tag}>{children}</{tag.split()[0]}>")
    channel = r.choice(
        [
            "<title>T</title><link>https://f.example/</link><description>d</description>",
            "<pubDate>garbage</pubDate><image><url>https://f.example/i</url><title>i</title></image>",
            "<content:encoded>c</content:encoded>",
            "<description>d</description><description>e</description>",
        ]
    )
    head = r.choice(['<?xml version="1.0" encoding="utf-8"?>', "", '<?xml version="1.0"?>\n'])
    rdf = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"'
    body = {
        "rss": f'<rss version="2.0" {NAMESPACES}><channel>{channel}{"".join(items)}</channel></rss>',
        "atom": f'<feed xmlns="http://www.w3.org/2005/Atom" {NAMESPACES}>{channel}{"".join(items)}</feed>',
        "rdf": f'<rdf:RDF {rdf} {NAMESPACES}><channel rdf:about="https://f.example/">{channel}</channel>'
        f"{''.join(items)}</rdf:RDF>",
    }[kind]
    return (head + body).encode("utf-8")


def test_generated_feeds_read_fast_equal_feedparser() -> None:
    rng = random.Random(20260203)
    outcomes: dict[str, int] = {"fast": 0, "read": 0, "declined": 0}
    for _ in range(1500):
        outcomes[agree(generated_feed(rng), "application/xml", "https://f.example/")] += 1
    assert outcomes["fast"] >= 100 and outcomes["read"] >= 200, outcomes
    assert outcomes["declined"] >= 300, outcomes  # the decline rules were exercised too


# Namespaces and encodings: feedparser names an element by its namespace's standard
# prefix, or by the first prefix declared for an unknown one, then maps declared
# prefixes back; and it picks the encoding from BOM, declaration and HTTP charset.
NS_URIS = [
    "http://purl.org/dc/elements/1.1/", "HTTP://PURL.ORG/DC/ELEMENTS/1.1/",
    "http://purl.org/rss/1.0/modules/content/", "http://www.w3.org/2005/Atom",
    "http://search.yahoo.com/mrss/", "http://purl.org/dc/terms/", "http://purl.org/rss/1.0/",
    "http://backend.userland.com/rss2", "http://unknown.example/a", "http://unknown.example/b",
]  # fmt: skip
NS_PREFIXES = ["dc", "Dc", "content", "atom", "media", "dcterms", "a", "foo", "published", "rss"]
NS_LOCALS = ["date", "encoded", "link", "title", "description", "creator", "parsed", "summary"]
ENCODINGS = ["utf-8", "utf-16", "gb2312", "latin-1", "cp1252", "shift_jis", "utf-8-sig", "big5"]
CONTENT_TYPES = [
    None, "text/xml", "text/xml; charset=utf-8", "application/rss+xml; charset=gb2312",
    "text/html", "text/plain; charset=latin-1", 'application/atom+xml; charset="utf-16"',
]  # fmt: skip


def namespaced_feed(r: random.Random) -> tuple[bytes, str | None]:
    declared = {r.choice(NS_PREFIXES): r.choice(NS_URIS) for _ in range(r.randint(0, 4))}
    children = []
    for _ in range(r.randint(1, 5)):
        if declared and r.random() < 0.6:
            tag = f"{r.choice(list(declared))}:{r.choice(NS_LOCALS)}"
            value = r.choice(["2026-02-01T00:00:00Z", "https://ex.com/z", "t"])
            children.append(f"<{tag}>{value}</{tag}>")
        else:
            children.append(r.choice(["<title>T é 中</title>", "<guid>https://ex.com/g</guid>"]))
    xmlns = " ".join(f'xmlns:{p}="{u}"' for p, u in declared.items())
    inner = f' xmlns:{r.choice(NS_PREFIXES)}="{r.choice(NS_URIS)}"' if r.random() < 0.3 else ""
    body = "".join(children)
    doc = r.choice(
        [
            f'<rss version="2.0" {xmlns}><channel><item{inner}>{body}<link>https://ex.com/l</link></item></channel></rss>',
            f'<feed xmlns="{ATOM_NS}" {xmlns}><entry{inner}>{body}<link href="https://ex.com/l"/></entry></feed>',
        ]
    )
    encoding = r.choice(ENCODINGS)
    head = r.choice(["", f'<?xml version="1.0" encoding="{r.choice(ENCODINGS)}"?>'])
    return (head + doc).encode(encoding, "xmlcharrefreplace"), r.choice(CONTENT_TYPES)


def test_namespaces_and_encodings_read_fast_equal_feedparser() -> None:
    rng = random.Random(7)
    outcomes: dict[str, int] = {"fast": 0, "read": 0, "declined": 0}
    for _ in range(800):
        body, content_type = namespaced_feed(rng)
        outcomes[agree(body, content_type)] += 1
    assert outcomes["fast"] >= 150 and outcomes["read"] >= 100, outcomes
    assert outcomes["declined"] >= 250, outcomes  # many random declarations are declined


def rss(items: str, head: str = '<?xml version="1.0" encoding="utf-8"?>', attrs: str = "") -> str:
    return f'{head}<rss version="2.0"{attrs}><channel><title>t</title>{items}</channel></rss>'


ITEM = "<item><title>A title</title><link>https://ex.com/a</link><pubDate>Mon, 02 Feb 2026 18:30:00 +0800</pubDate></item>"
ATOM = '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry>{}</entry></feed>'
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + ']><rss version="2.0"><channel><item><title>&i;</title><link>https://ex.com/</link></item></channel></rss>'
)

# (the case, body, content type, why the fast read declines it: None when it reads it but
# finds no entry, which leaves the error message to feedparser)
DECLINES = [
    ("xml:base", rss(ITEM.replace("<item>", '<item xml:base="https://other.example/">')), None, 'content-location'),
    ("a base attribute", rss(ITEM.replace("<link>", '<link base = "https://o.example/">')), None, 'xml:base'),
    ("a DOCTYPE", rss(ITEM, '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "x.dtd">'), None, 'a declaration'),
    ("entity expansion", LAUGHS, None, 'a declaration'),
    ("not well-formed", rss(ITEM).replace("</channel>", ""), None, 'not well-formed'),
    ("a truncated body", rss(ITEM)[:-20], None, 'not well-formed'),
    ("XHTML in a description", rss(ITEM.replace("</item>", "<description><p>x</p></description></item>")), None, 'markup inside description'),
    ("Atom xhtml content", ATOM.format('<title>T</title><link href="https://ex.com/x"/><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">x</div></content>'), None, 'markup inside content'),
    ("Atom content by reference", ATOM.format('<title>T</title><link href="https://ex.com/x"/><content src="https://ex.com/c"/>'), None, 'attributes'),
    ("base64 content", ATOM.format('<title>T</title><link href="https://ex.com/x"/><content type="image/png">aGk=</content>'), None, 'content type'),
    ("dc:title", rss(ITEM.replace("</item>", "<dc:title>B</dc:title></item>"), attrs=' xmlns:dc="http://purl.org/dc/elements/1.1/"'), None, 'element dc_title'),
    ("media:description", rss(ITEM.replace("</item>", "<media:description>B</media:description></item>"), attrs=' xmlns:media="http://search.yahoo.com/mrss/"'), None, 'element media_description'),
    ("a second description", rss(ITEM.replace("</item>", "<description>a</description><description>b</description></item>")), None, 'a second'),
    ("a second title", rss(ITEM.replace("</item>", "<title>Again</title></item>")), None, 'a second'),
    ("an item outside the channel", rss(ITEM) .replace("</rss>", f"{ITEM}</rss>"), None, 'exactly one channel'),
    ("an item inside an item", rss(ITEM.replace("</item>", f"{ITEM}</item>")), None, 'an item outside the channel'),
    ("content:encoded under a foreign namespace", rss(ITEM.replace("</item>", "<content:encoded>x</content:encoded></item>"), attrs=' xmlns:content="http://wrong.example/"'), None, 'handled prefix content'),
    ("a known prefix for another known namespace", rss(ITEM.replace("</item>", "<m:thumbnail url='https://ex.com/i'/></item>"), attrs=' xmlns:media="http://purl.org/dc/elements/1.1/" xmlns:m="http://search.yahoo.com/mrss/"'), None, 'names two namespaces'),
    ("an unknown default namespace", rss(ITEM).replace("<channel>", '<channel xmlns="http://x.example/">'), None, 'unknown default namespace'),
    ("Atom 0.3", '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title>T</title><link rel="alternate" type="text/html" href="https://ex.com/a"/></entry></feed>', None, 'root'),
    ("an item with attributes", rss(ITEM.replace("<item>", '<item href="https://ex.com/b">')), None, 'item attributes'),
    ("a link given as url=", ATOM.format('<title>T</title><link url="https://ex.com/u" href="https://ex.com/h"/>'), None, 'attributes'),
    ("no entry with a link", rss("<item><title>no link</title></item>"), None, None),
]  # fmt: skip

# (what is read, body, content type): odd but exactly mapped, so the fast path reads them.
READS = [
    ("GB2312 declared", rss(ITEM.replace("A title", "人工智能"), '<?xml version="1.0" encoding="gb2312"?>').encode("gb2312"), None),
    ("GB2312 from the HTTP charset", rss(ITEM.replace("A title", "人工智能"), "").encode("gb18030"), "text/xml; charset=gb2312"),
    ("UTF-16 with a BOM", rss(ITEM, '<?xml version="1.0" encoding="utf-16"?>').encode("utf-16"), None),
    ("Latin-1 bytes declared UTF-8", rss(ITEM.replace("A title", "café")).encode("latin-1"), None),
    ("served as text/html", rss(ITEM), "text/html"),
    ("mojibake and C1 controls", rss(ITEM.replace("A title", "caf\u00c3\u00a9 &#150; &#147;x&#148;")), None),
    ("isPermaLink True is not true", rss("<item><title>g</title><guid isPermaLink=\"True\">https://ex.com/g</guid><link>https://ex.com/l</link></item>"), None),
    ("a permalink guid before the link", rss("<item><title>g</title><guid>https://ex.com/g</guid><link>/rel</link></item>"), None),
    ("content before the description", rss(ITEM.replace("</item>", "<content:encoded>c</content:encoded><description>d</description></item>"), attrs=' xmlns:content="http://purl.org/rss/1.0/modules/content/"'), None),
    ("an Atom link in an RSS item", rss("<item><title>t</title><atom:link rel=\"Alternate\" href=\"https://ex.com/at\"/></item>", attrs=' xmlns:atom="http://www.w3.org/2005/Atom"'), None),
    ("dates: last one wins", rss(ITEM.replace("</item>", "<pubDate>2026-02-01T00:00:00Z</pubDate><dc:date>bad</dc:date></item>"), attrs=' xmlns:dc="http://purl.org/dc/elements/1.1/"'), None),
    ("ampersands in a link", rss("<item><title>t</title><link>https://ex.com/?a=1&amp;amp;b=2&amp;copy=3</link></item>"), None),
    ("RSS 1.0", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://ex.com/"><title>t</title><items><rdf:Seq><rdf:li rdf:resource="https://ex.com/a"/></rdf:Seq></items></channel><item rdf:about="https://ex.com/a"><title>R</title><link>https://ex.com/a</link></item></rdf:RDF>', None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "body", "content_type", "why"), DECLINES, ids=[d[0] for d in DECLINES]
)
def test_a_body_the_fast_read_declines_still_parses_as_before(
    case: str, body: str, content_type: str | None, why: str | None
) -> None:
    data = body.encode("utf-8")
    reason = decline_reason(data, feedparser_headers(data, content_type, LOCATION))
    assert (reason is None) if why is None else (why in (reason or "")), (case, reason)
    assert agree(data, content_type) == ("read" if why is None else "declined")


@pytest.mark.parametrize(("what", "body", "content_type"), READS, ids=[r[0] for r in READS])
def test_odd_but_mapped_bodies_are_read_fast_and_equal(
    what: str, body: bytes | str, content_type: str | None
) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    assert agree(data, content_type) == "fast", what


def test_entity_expansion_is_declined_before_any_parse() -> None:
    started = time.process_time()
    body = LAUGHS.encode("utf-8")
    assert raw_entries(body, feedparser_headers(body, None, LOCATION)) is None
    assert time.process_time() - started < 0.05


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([None, "text/xml", "text/html; charset=gb2312"]))
def test_the_fast_read_never_raises_on_any_bytes(tail: bytes, content_type: str | None) -> None:
    body = rss(ITEM).encode("utf-8")[:60] + tail
    raw_entries(body, feedparser_headers(body, content_type, LOCATION))
    agree(body, content_type)
