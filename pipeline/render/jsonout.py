"""The digest JSON (`/api/digests/*`, `aidaily show --format json`), times in the digest's timezone.

Digests hold aware UTC datetimes; readers of the JSON want local ones, so
"2026-02-03T00:00:00Z" is written "2026-02-03T08:00:00+08:00" for Asia/Shanghai.
Named `jsonout` so it does not shadow the standard `json` module.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from pipeline.models import Digest, Item
from pipeline.render.view import digest_zone, local


def render_json(digest: Digest) -> str:
    """The digest as indented JSON: UTF-8 text (no \\u escapes), local ISO 8601 times."""
    return localized(digest).model_dump_json(indent=2)


def localized(digest: Digest) -> Digest:
    """A copy of the digest with every datetime in its timezone, to the second."""
    zone = digest_zone(digest)
    window = digest.window.model_copy(
        update={"start": _at(digest.window.start, zone), "end": _at(digest.window.end, zone)}
    )
    sections = digest.sections.model_copy(
        update={
            "domestic": [_item(it, zone) for it in digest.sections.domestic],
            "international": [_item(it, zone) for it in digest.sections.international],
        }
    )
    return digest.model_copy(
        update={
            "window": window,
            "generated_at": _at(digest.generated_at, zone),
            "sections": sections,
        }
    )


def _item(item: Item, zone: tzinfo) -> Item:
    return item.model_copy(update={"published_at": _at(item.published_at, zone)})


def _at(dt: datetime, zone: tzinfo) -> datetime:
    # Seconds are what the contract shows; sub-second digits only add noise for readers.
    return local(dt, zone).replace(microsecond=0)
