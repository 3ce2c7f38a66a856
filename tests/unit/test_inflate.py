"""Inflater: any split of the raw stream decodes to the same body, and the cap holds."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import pytest

from pipeline.errors import FetchError, FetchTooLarge
from pipeline.inflate import Inflater

BODY = (
    "<rss><channel><title>机器之心</title>" + "<item>AI</item>" * 500 + "</channel></rss>"
).encode()

CODINGS: list[tuple[str, Callable[[bytes], bytes]]] = [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b, wbits=-zlib.MAX_WBITS)),
    ("gzip, deflate", lambda b: zlib.compress(gzip.compress(b))),
    ("", lambda b: b),
]


@pytest.mark.parametrize(("header", "encode"), CODINGS)
@pytest.mark.parametrize("piece", [1, 7, 1 << 16])
def test_any_split_of_the_stream_decodes_to_the_body(
    header: str, encode: Callable[[bytes], bytes], piece: int
) -> None:
    raw = encode(BODY)
    inflater = Inflater(header, max_bytes=len(BODY))
    for i in range(0, len(raw), piece):
        inflater.feed(raw[i : i + piece])
    assert inflater.finish() == BODY


@pytest.mark.parametrize(("header", "encode"), CODINGS)
def test_one_byte_over_the_cap_fails(header: str, encode: Callable[[bytes], bytes]) -> None:
    inflater = Inflater(header, max_bytes=len(BODY) - 1)
    with pytest.raises(FetchTooLarge, match=f"^body over {len(BODY) - 1} bytes$"):
        inflater.feed(encode(BODY))
        inflater.finish()


def test_a_coding_we_cannot_undo_is_named() -> None:
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'zstd'"):
        Inflater("gzip, zstd", max_bytes=1000)
