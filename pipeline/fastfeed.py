"""The fast read of an ordinary feed: the entries feedparser would give, or None.

feedparser is pure Python (~0.15 ms an entry); most feeds are well-formed RSS 2.0,
RSS 1.0 or Atom 1.0 that this reads in a tenth of that. `raw_entries` reads such a
body with ElementTree and returns, for each item, the fields `parse.to_entry` reads
(title, summary, content, link, links, guidislink, id, published_parsed,
updated_parsed) with exactly the values `feedparser.parse` would give them (with
sanitize_html and resolve_relative_uris off and no content-location). Anything it is
not sure of, it declines (None), and the caller runs feedparser.

What it reuses from feedparser, so both paths agree by construction: the choice of
encoding (`convert_to_utf8`: the same bytes reach expat), the date parser, the URI
fixer, the windows-1252 map, the namespace table and the element handlers' names.

What feedparser does to an element's text, and this does too: expat decodes entities
and CDATA; the text is stripped; link and permalink-guid text goes through
`_urljoin('', …)`; text that is UTF-8 mis-read as Latin-1 is repaired; C1 controls are
mapped as windows-1252; an RSS <link>'s "&amp;" and "&name;" become "&" and "&name".

It declines, among others: a DOCTYPE or any "<!" declaration (no entity can expand),
a body expat rejects, an encoding feedparser cannot settle, any `base` attribute
(xml:base) or "base=" (the caller then passes a content-location), a root other
than rss (of any version: that only names feedparser's `version`), rdf:RDF or an
Atom 1.0 feed, an item outside its channel/feed, an element
inside an item whose handler would touch the fields above and is not mapped here
(dc:title, media:description, itunes:summary, atom:link without href, …), markup
inside a text element (XHTML content), a second title/summary/content, attributes
on a mapped element other than the few mapped (type text/html, link rel/href/type,
guid isPermaLink), and namespace prefixes that would make feedparser name an
element differently than its namespace says.
"""

from __future__ import annotations

import contextlib
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from typing import Any

from feedparser.api import StrictFeedParser
from feedparser.datetimes import _parse_date
from feedparser.encodings import convert_to_utf8
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urifixer, _urljoin
from feedparser.util import FeedParserDict

ATOM = "http://www.w3.org/2005/Atom"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# feedparser's namespace table: a lower-cased URI -> the prefix it names elements with.
_KNOWN: dict[str, str] = {
    uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()
}
_STD_PREFIXES = frozenset(p.lower() for p in _KNOWN.values() if p)
_HANDLERS = frozenset(
    name[len(kind) :]
    for name in dir(StrictFeedParser)
    for kind in ("_start_", "_end_")
    if name.startswith(kind)
)
# The keys `to_entry` reads; an element of no handler is stored under its own name
# (through FeedParserDict's key map), so such a name must not land on one of these.
_READ_KEYS = frozenset(
    {"title", "summary", "content", "link", "links", "guidislink", "id"}
    | {"published_parsed", "updated_parsed"}
)
_KEYMAP: dict[str, Any] = FeedParserDict.keymap

_NO_ATTRS: frozenset[str] = frozenset()
_TEXT_TYPES = frozenset({"text", "html", "text/plain", "text/html"})
_LINK_ATTRS = frozenset({"rel", "type", "href", "hreflang", "title", "length"})
_HTML_TYPES = _FeedParserMixin.html_types
_PUBLISHED = frozenset({"pubdate", "published", "issued", "dcterms_issued"})
_UPDATED = frozenset({"updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"})
_OTHER_DATES = frozenset({"created", "dcterms_created", "expirationdate"})
_SUMMARY = frozenset({"description", "summary"})

# Elements with a feedparser handler that only writes fields `to_entry` never reads
# (read in feedparser/namespaces/*.py): allowed inside an item, as leaves, or as the
# containers below with such descendants.
_ITEM_IGNORED = frozenset(
    {
        "category", "keywords", "dc_subject", "tags",  # -> tags
        "author", "managingeditor", "dc_author", "dc_creator", "itunes_author",  # -> author
        "contributor", "dc_contributor", "name", "email", "uri", "url", "homepage",
        "webmaster", "dc_publisher",  # -> publisher
        "rights", "copyright", "dc_rights",  # -> rights
        "language", "dc_language",  # -> feedparser's lang: content[].language only
        "source",  # -> source (and title_depth, which only matters for a second title)
        "itunes_subtitle", "itunes_image", "itunes_explicit", "itunes_block",
        "itunes_keywords", "itunes_category", "itunes_name", "itunes_email",
        "media_group", "media_content", "media_thumbnail", "media_category",
        "media_credit", "media_rating", "media_restriction", "media_license",
        "media_player", "media_keywords",
        *_OTHER_DATES,  # -> created_parsed / expired_parsed (the date parser must not raise)
    }
)  # fmt: skip
_CONTAINERS = frozenset(
    {"author", "contributor", "media_group", "itunes_owner", "itunes_category"}
    | {"image", "textinput"}
)
# Feed-level elements with a handler that writes only feed-level data (or nothing
# that outlives the element); any other handler outside the items declines.
_FEED_OK = (
    _ITEM_IGNORED
    | _PUBLISHED
    | _UPDATED
    | _SUMMARY
    | {"title", "subtitle", "tagline", "info", "link", "id", "guid", "generator", "cloud"}
    | {"image", "textinput", "width", "height", "itunes_owner", "itunes_summary"}
    | {"dc_title", "dc_description", "media_title", "media_description", "enclosure"}
)

_BASE_ATTR = re.compile(rb"base\s*=", re.IGNORECASE)
_DECLARATION = re.compile(rb"<!(?![\[-])")  # <!DOCTYPE, <!ENTITY, …; not CDATA or comments
_C1 = re.compile("[\x80-\x9f]")
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")


class _Decline(Exception):
    """This body is for feedparser."""


def raw_entries(body: bytes, headers: dict[str, str]) -> list[dict[str, Any]] | None:
    """Each item's feedparser fields as `to_entry` reads them, or None to use feedparser.

    `headers` are the response headers feedparser would be given. Never raises."""
    try:
        return _read(body, headers)
    except Exception:  # _Decline, or anything unforeseen: feedparser decides
        return None


def decline_reason(body: bytes, headers: dict[str, str]) -> str | None:
    """Why `raw_entries` leaves this body to feedparser, or None when it reads it."""
    try:
        _read(body, headers)
    except _Decline as exc:
        return str(exc)
    except Exception as exc:
        return f"unforeseen: {exc!r}"
    return None


def _read(body: bytes, headers: dict[str, str]) -> list[dict[str, Any]]:
    if not body or set(headers) != {"content-type"}:
        raise _Decline("empty, or a content-location to resolve links against")
    result: dict[str, Any] = {}
    data = convert_to_utf8(dict(headers), body, result)
    if not result.get("encoding"):
        raise _Decline("no encoding decodes it: feedparser's loose parser")
    if _DECLARATION.search(data) or _BASE_ATTR.search(data):
        raise _Decline("a declaration, or an xml:base")
    events = ET.iterparse(io.BytesIO(data), events=("start-ns",))
    try:
        declared = [ns for _, ns in events]
    except ET.ParseError as exc:
        raise _Decline("not well-formed") from exc
    root = events.root  # type: ignore[attr-defined]  # set once iteration ends
    name = _Names(declared)
    container = _container(root, name)
    items = [child for child in container if name(child.tag) in ("item", "entry")]
    _check_structure(root, container, items, name)
    return [_entry(item, name) for item in items]


class _Names:
    """The name feedparser gives an element: "prefix_local" or "local", lower-cased.

    feedparser names an element in a known namespace by its standard prefix, and one
    in another namespace by the first prefix declared for it; `namespacemap` then maps
    declared prefixes of known namespaces back to standard ones. Declarations that
    would make those disagree with the namespace are declined."""

    def __init__(self, declared: Iterable[tuple[str, str]]) -> None:
        self.first_prefix: dict[str, str] = {}
        uri_of: dict[str, str] = {}
        # Declared prefixes of known namespaces that feedparser's namespacemap maps to
        # another prefix: an element whose (lower-cased) prefix is one of them is renamed.
        self.renamed: set[str] = set()
        for prefix, uri in declared:
            if not uri:
                continue  # xmlns="": feedparser ignores it too
            if "}" in uri or any(c.isspace() for c in uri):
                raise _Decline("a namespace with a space or a brace")  # SAX and ET split on those
            std = _KNOWN.get(_userland(uri.lower()))
            if std is not None:
                if prefix and prefix != std:
                    self.renamed.add(prefix)
                continue
            if not prefix:
                raise _Decline("an unknown default namespace")
            low = prefix.lower()
            if low in _STD_PREFIXES or any(h.startswith(low + "_") for h in _HANDLERS):
                raise _Decline(f"unknown namespace under a handled prefix {prefix}")
            if uri_of.setdefault(prefix, uri) != uri:
                raise _Decline(f"prefix {prefix} bound to two namespaces")
            self.first_prefix.setdefault(uri, low)
        self.cache: dict[str, str] = {}

    def __call__(self, tag: str) -> str:
        known = self.cache.get(tag)
        if known is not None:
            return known
        if tag[:1] == "{":
            uri, _, local = tag[1:].partition("}")
            prefix = _KNOWN.get(_userland(uri.lower()))
            if prefix is None:
                prefix = self.first_prefix.get(uri)
                if prefix is None:
                    raise _Decline(f"no prefix for {uri}")
            if prefix.lower() in self.renamed:
                raise _Decline(f"prefix {prefix} names two namespaces")
            name = f"{prefix}_{local}".lower() if prefix else local.lower()
        else:
            name = tag.lower()
        self.cache[tag] = name
        return name


def _userland(uri: str) -> str:
    return "http://backend.userland.com/rss" if "backend.userland.com/rss" in uri else uri


def _container(root: ET.Element, name: _Names) -> ET.Element:
    """The element whose children are the items: rss/channel, feed, or rdf:RDF."""
    if root.tag == "rss":  # any version: feedparser's version string changes no entry field
        channels = list(root)
        if len(channels) != 1 or channels[0].tag != "channel":
            raise _Decline("rss without exactly one channel")
        return channels[0]
    if root.tag in (f"{{{ATOM}}}feed", f"{{{RDF}}}RDF"):
        return root
    raise _Decline(f"root {root.tag}")


def _check_structure(
    root: ET.Element, container: ET.Element, items: list[ET.Element], name: _Names
) -> None:
    """Every item is where feedparser and we both see it; the rest writes no entry field."""
    if sum(1 for el in root.iter() if name(el.tag) in ("item", "entry")) != len(items):
        raise _Decline("an item outside the channel")
    if container is not root and set(container.attrib):
        raise _Decline("channel attributes")  # lastmod= and href= are read as dates and links
    entries = {id(item) for item in items}
    for child in container:
        if id(child) in entries:
            continue
        if container.tag == f"{{{RDF}}}RDF" and name(child.tag) == "channel":
            if set(child.attrib) - {f"{{{RDF}}}about"}:
                raise _Decline("channel attributes")
            for grandchild in child:
                _check_inert(grandchild, name, _FEED_OK)
        else:
            _check_inert(child, name, _FEED_OK)


def _check_inert(top: ET.Element, name: _Names, allowed: frozenset[str]) -> None:
    """`top` and its descendants write nothing `to_entry` reads, and cannot raise."""
    stack = [top]
    while stack:
        el = stack.pop()
        n = name(el.tag)
        children = list(el)
        if n in _HANDLERS:
            if n not in allowed:
                raise _Decline(f"element {n}")
            if children and n not in _CONTAINERS:
                raise _Decline(f"markup inside {n}")
            if n in _PUBLISHED or n in _UPDATED or n in _OTHER_DATES:
                _parse_date(_text(el))  # feedparser parses it too: a raise is its failure
        elif _KEYMAP.get(n, n) in _READ_KEYS or (
            isinstance(_KEYMAP.get(n), list) and set(_KEYMAP[n]) & _READ_KEYS
        ):
            raise _Decline(f"element {n} lands on a read key")
        stack.extend(children)


def _text(el: ET.Element, uri: bool = False) -> str:
    """An element's text as feedparser's `pop` leaves it (sanitising and URI resolution off)."""
    out = (el.text or "").strip()
    if uri and out:
        fixable = _urifixer.match(out)
        if fixable is not None and fixable.group(2):  # else _urljoin("", out) is out
            out = _urljoin("", out)
    if out.isascii():  # neither repair below changes ASCII
        return out
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):  # UTF-8 read as Latin-1
        out = out.encode("iso-8859-1").decode("utf-8")
    if _C1.search(out):
        out = out.translate(_cp1252)
    return out


def _attrs(el: ET.Element, allowed: frozenset[str]) -> dict[str, str]:
    """The attributes as feedparser's strict parser normalises them; others decline."""
    if not el.attrib:
        return {}
    attrs = {
        k.lower(): (v.lower() if k.lower() in ("rel", "type") else v) for k, v in el.attrib.items()
    }
    if len(attrs) != len(el.attrib) or not attrs.keys() <= allowed:
        raise _Decline(f"attributes {sorted(el.attrib)}")
    return attrs


def _entry(item: ET.Element, name: _Names) -> dict[str, Any]:
    raw = _item_attributes(item, name)
    texts: dict[str, list[str]] = {"title": [], "summary": [], "content": []}
    for child in item:
        n = name(child.tag)
        handle = _ITEM_FIELDS.get(n)
        if handle is None:
            _check_inert(child, name, _ITEM_IGNORED)
        elif len(child):
            raise _Decline(f"markup inside {n}")  # feedparser would rebuild it as markup
        else:
            kind = handle(raw, child)
            if kind in texts:
                texts[kind].append(raw["title"] if kind == "title" else _text(child))
    if any(len(found) > 1 for found in texts.values()):
        raise _Decline("a second title, summary or content")  # feedparser's rules get subtle
    # feedparser: a description/summary is the summary; content (text or html) is copied
    # into the summary only when there is none, whichever of them comes first.
    for content in texts["content"]:
        raw["content"] = [{"value": content}]
        raw["summary"] = content
    for summary in texts["summary"]:
        raw["summary"] = summary
    return raw


def _item_attributes(item: ET.Element, name: _Names) -> dict[str, Any]:
    """An RSS 1.0 item's rdf:about is its id; feedparser reads other attributes as fields."""
    if not item.attrib:
        return {}
    about = f"{{{RDF}}}about"
    if set(item.attrib) != {about} or "rdf" in name.renamed:  # feedparser looks up "rdf:about"
        raise _Decline("item attributes")
    return {"id": item.attrib[about]}


def _title(raw: dict[str, Any], el: ET.Element) -> str:
    attrs = _attrs(el, frozenset({"type"}))
    if attrs and attrs["type"] not in _TEXT_TYPES:
        raise _Decline("title type")
    raw["title"] = _text(el)
    return "title"


def _text_body(raw: dict[str, Any], el: ET.Element) -> str:
    attrs = _attrs(el, frozenset({"type"}))
    if attrs and attrs["type"] not in _TEXT_TYPES:
        raise _Decline("content type")
    return "summary"


def _content(raw: dict[str, Any], el: ET.Element) -> str:
    _text_body(raw, el)
    return "content"


def _link(raw: dict[str, Any], el: ET.Element) -> str:
    attrs = _attrs(el, _LINK_ATTRS)
    attrs.setdefault("rel", "alternate")
    attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
    links = raw.setdefault("links", [])
    if "href" in attrs:  # Atom: the link is the attribute; RSS: the text
        attrs["href"] = _urljoin("", attrs["href"])
        links.append(attrs)
        if (
            attrs["rel"] == "alternate"
            and _FeedParserMixin.map_content_type(attrs["type"]) in _HTML_TYPES
        ):
            raw["link"] = attrs["href"]
        return "link"
    links.append(attrs)
    output = _text(el, uri=True)
    if "&" in output:
        output = _LINK_ENTITY.sub(r"&\g<1>", output.replace("&amp;", "&"))
    raw["link"] = output
    if output:
        attrs["href"] = output
    return "link"


def _guid(raw: dict[str, Any], el: ET.Element) -> str:
    attrs = _attrs(el, frozenset({"ispermalink"}))
    permalink = attrs.get("ispermalink", "true") == "true"
    value = _text(el, uri=permalink)
    raw["id"] = value
    raw.setdefault("guidislink", permalink and "link" not in raw)
    if permalink:
        raw.setdefault("link", value)
    return "id"


def _enclosure(raw: dict[str, Any], el: ET.Element) -> str:
    if any(k[:1] == "{" for k in el.attrib):
        raise _Decline("namespaced enclosure attributes")  # feedparser drops their prefix
    attrs: dict[str, str] = _FeedParserMixin._enforce_href(
        {k.lower(): v for k, v in el.attrib.items()}
    )
    attrs["rel"] = "enclosure"
    raw.setdefault("links", []).append(attrs)  # to_entry skips it, but it is a link
    return "enclosure"


def _date(key: str) -> Callable[[dict[str, Any], ET.Element], str]:
    def handle(raw: dict[str, Any], el: ET.Element) -> str:
        _attrs(el, _NO_ATTRS)
        raw[key] = _parse_date(_text(el))
        return key

    return handle


_ITEM_FIELDS: dict[str, Callable[[dict[str, Any], ET.Element], str]] = {
    "title": _title,
    "link": _link,
    "description": _text_body,
    "summary": _text_body,
    "content": _content,
    "content_encoded": _content,
    "guid": _guid,
    "id": _guid,
    "enclosure": _enclosure,
    **dict.fromkeys(_PUBLISHED, _date("published_parsed")),
    **dict.fromkeys(_UPDATED, _date("updated_parsed")),
}
