"""Canonical links and stable ids: computed once at the edge, trusted downstream."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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

    Scheme and host are lower-cased, the default port and the fragment dropped,
    tracking parameters removed; path and the remaining query keep their order.
    """
    if not url:
        return None
    url = url.strip()
    if any(ch in url for ch in "\r\n\t\x00 ") or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if not host or parts.username or parts.password:
        return None
    netloc = host if ":" not in host else f"[{host}]"
    if port and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k, v)]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


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
