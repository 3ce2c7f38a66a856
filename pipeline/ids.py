"""Canonical links and stable ids: computed once at the edge, trusted downstream."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

# Query parameters that only track the reader; removing them never changes the page.
TRACKING_PARAMS = frozenset(
    {
        "spm",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "ref_src",
        "ref_url",
        "scm",
        "share_token",
        "cmpid",
        "ocid",
        "srnd",
        "wt.mc_id",
        "cmp",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")

_DEFAULT_PORTS = {"http": 80, "https": 443}


# Names that are tracking only when they say "this came from a feed" (36氪's `?f=rss`).
FEED_MARKER_PARAMS = frozenset({"f", "from", "src", "source", "feature"})
FEED_MARKER_VALUES = frozenset({"rss", "feed", "atom", "rss2", "feedburner"})


def _is_tracking(name: str, value: str) -> bool:
    low = name.lower()
    if low in FEED_MARKER_PARAMS:
        return value.lower() in FEED_MARKER_VALUES
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonical_url(url: str | None) -> str | None:
    """The link as we store and show it, or None when it is not an http(s) URL.

    Scheme and host are lower-cased (an IDN host becomes its ASCII punycode form),
    the default port and the fragment dropped, tracking parameters removed. Path
    and query keep their order and their bytes: only characters that are not
    allowed in a URL (non-ASCII, spaces) are percent-encoded as UTF-8 and escapes
    upper-cased, so the unicode and the encoded spelling of a link are one link.
    """
    if not url:
        return None
    url = url.strip()
    if any(ch in url for ch in "\r\n\t\x00") or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or parts.username or parts.password:
        return None
    host = _ascii_host(parts.hostname)
    if host is None:
        return None
    netloc = host if ":" not in host else f"[{host}]"
    if port and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = _encode(parts.path) or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


# Characters left as they are in a path or query: RFC 3986 unreserved + sub-delims + ":@/?" + "%".
_SAFE = "-._~!$&'()*+,;=:@/?%"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_HOST = re.compile(r"^[a-z0-9_.-]+$|^[0-9a-f:.]+$")


def _encode(text: str) -> str:
    quoted = quote(text, safe=_SAFE, encoding="utf-8", errors="surrogatepass")
    return _ESCAPE.sub(lambda m: m.group(0).upper(), quoted)


def _ascii_host(hostname: str | None) -> str | None:
    """The lower-case ASCII form of a host, or None when it is not a usable host name."""
    host = (hostname or "").lower().rstrip(".")
    if not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if ".." in host or host.startswith(".") or not _HOST.match(host):
        return None
    return host


def _clean_query(query: str) -> str:
    """The query without tracking parameters; every other pair kept byte for byte."""
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if not _is_tracking(unquote_plus(name), unquote_plus(value)):
            kept.append(_encode(pair))
    return "&".join(kept)


def short_hash(*parts: str, length: int = 16) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


def entry_id(link: str) -> str:
    """A stable id of a story's canonical link: the same article always has the same id."""
    return short_hash(link)


def content_hash(title: str, summary: str) -> str:
    """Changes when the text a curator reads changes; keys the LLM cache."""
    return short_hash(title, summary, length=24)
