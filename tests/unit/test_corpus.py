"""Every file of feedparser's own test corpus parses without an exception.

The corpus (~2,100 small feeds: well-formed, ill-formed, odd encodings, entity
and sanitiser cases) lives in /work/shared/corpus/feedparser-tests. Each entry
parse_feed produces must be usable by the rest of the pipeline as it stands.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from pipeline.config import FeedSettings
from pipeline.models import Entry
from pipeline.parse import parse_feed, to_entry
from tests.conftest import CORPUS

NOW = datetime(2026, 2, 3, tzinfo=UTC)
FEED = FeedSettings(
    id="corpus", name="corpus", url="https://corpus.example/feed", region="international"
)
TAG = re.compile(r"<[a-zA-Z/!?][^<>]*>")

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"feedparser test corpus not found at {CORPUS}; see BENCHMARKS.md"
)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "LICENSE")


def problems(entry: Entry, where: str) -> list[str]:
    found = []
    if not entry.link.startswith(("http://", "https://")):
        found.append(f"{where}: link {entry.link!r} is not http(s)")
    if entry.published_at.utcoffset() != UTC.utcoffset(None):
        found.append(f"{where}: published_at {entry.published_at!r} is not aware UTC")
    if not entry.title.strip():
        found.append(f"{where}: empty title")
    for name, text in (("title", entry.title), ("summary", entry.summary)):
        if TAG.search(text):
            found.append(f"{where}: markup left in {name}: {text[:80]!r}")
    return found


def test_every_corpus_file_parses_into_valid_entries() -> None:
    files = corpus_files()
    assert len(files) > 2000, f"corpus at {CORPUS} looks incomplete: {len(files)} files"
    found: list[str] = []
    produced = 0
    for path in files:
        location = f"https://corpus.example/{path.relative_to(CORPUS).as_posix()}"
        result = parse_feed(path.read_bytes(), FEED, content_type=None, location=location, now=NOW)
        assert result.error is None or "\n" not in result.error, path
        produced += len(result.entries)
        for entry in result.entries:
            found += problems(entry, path.name)
    assert not found, "\n".join(found[:20])
    assert produced > 0


def test_every_corpus_entry_text_is_plain_even_without_a_link() -> None:
    """Most corpus entries have no link (so parse_feed drops them); give each one a link
    so the title and summary cleaning runs over all of them, sanitiser cases included."""
    found: list[str] = []
    made = 0
    for path in corpus_files():
        parsed = feedparser.parse(
            io.BytesIO(path.read_bytes()),
            response_headers={
                "content-location": "https://corpus.example/",
                "content-type": "application/xml",
            },
            sanitize_html=False,
            resolve_relative_uris=False,
        )
        for i, raw in enumerate(parsed.entries):
            raw.setdefault("link", f"https://corpus.example/{path.stem}/{i}")
            entry = to_entry(raw, FEED, NOW)
            if entry is not None:
                made += 1
                found += problems(entry, path.name)
    assert not found, "\n".join(found[:20])
    assert made > 400
