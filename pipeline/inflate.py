"""Undo a response's Content-Encoding a piece at a time, never past a cap on DECODED bytes.

An HTTP client's own decoder (httpx's; older aiohttp's, which `pipeline.fetch` turns
off) inflates a whole network chunk in one call: 64 KB of a gzip bomb
is 64 MB decoded before a size check can see it, and a 1 MB bomb is 1 GiB. Here every
zlib call is asked for at most `PIECE` bytes (`max_length`; the rest of its
input waits in `unconsumed_tail`), so memory stays within the cap plus a piece
per coding however the body was compressed, and the body fails as soon as it
is over the cap.

Only what `ACCEPT_ENCODING` asks for is decoded (gzip, deflate, identity, and
chains of them, as RFC 9110 allows); anything else is a clear error, never
bytes handed to the parser as if they were XML.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from typing import Protocol

from pipeline.errors import FetchError, FetchTooLarge

ACCEPT_ENCODING = "gzip, deflate"
PIECE = 64 * 1024  # decoded bytes per zlib call


class _Coding(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...
    def flush(self) -> Iterator[bytes]: ...


class Inflater:
    """Feed raw chunks in, get the decoded body out; raises `FetchTooLarge` past `max_bytes`."""

    def __init__(self, content_encoding: str | None, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._body = bytearray()
        # Content-Encoding lists codings in the order they were applied: undo the last first.
        self._codings = [_coding(c) for c in reversed(_names(content_encoding))]

    def feed(self, raw: bytes) -> None:
        """Decode one raw chunk onto the body."""
        for piece in _through(self._codings, raw):
            self._take(piece)

    def finish(self) -> bytes:
        """The whole decoded body, once the raw stream has ended."""
        for i, coding in enumerate(self._codings):
            for held in coding.flush():
                for piece in _through(self._codings[i + 1 :], held):
                    self._take(piece)
        return bytes(self._body)

    def _take(self, piece: bytes) -> None:
        if len(self._body) + len(piece) > self.max_bytes:
            raise FetchTooLarge(f"body over {self.max_bytes} bytes")
        self._body += piece


def _through(codings: Sequence[_Coding], data: bytes) -> Iterator[bytes]:
    """`data` decoded by each coding in turn, lazily: each holds at most one piece."""
    if not codings:
        if data:
            yield data
        return
    for piece in codings[0].decode(data):
        yield from _through(codings[1:], piece)


def _names(header: str | None) -> list[str]:
    names = [c.strip().lower() for c in (header or "").split(",")]
    return [c for c in names if c and c != "identity"]


def _coding(name: str) -> _Coding:
    if name in ("gzip", "x-gzip"):
        return _Zlib(zlib.MAX_WBITS | 16)
    if name == "deflate":
        return _Deflate()
    raise FetchError(f"unsupported Content-Encoding {name!r} (we ask for {ACCEPT_ENCODING} only)")


class _Zlib:
    """One zlib stream, at most PIECE decoded bytes per call whatever the ratio."""

    def __init__(self, wbits: int) -> None:
        self._zlib = zlib.decompressobj(wbits)

    def decode(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._zlib.decompress(data, PIECE)
            except zlib.error as exc:
                raise FetchError(f"cannot decode the compressed body: {exc}") from None
            data = self._zlib.unconsumed_tail
            if out:
                yield out
            # A full piece may leave output inside zlib though all input is taken: ask again.
            if not data and len(out) < PIECE:
                return

    def flush(self) -> Iterator[bytes]:
        yield from self.decode(b"")
        if rest := self._zlib.flush():  # at most what the last call held back: small
            yield rest


class _Deflate:
    """ "deflate" should be zlib-wrapped, but many servers send raw deflate: tell them apart
    by the first two bytes, as browsers and httpx do (a zlib header is CM 8, divisible by 31)."""

    def __init__(self) -> None:
        self._stream: _Zlib | None = None
        self._head = b""  # the first bytes, until there are two to sniff

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._stream is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            self._stream = _Zlib(zlib.MAX_WBITS if _zlib_header(data) else -zlib.MAX_WBITS)
        yield from self._stream.decode(data)

    def flush(self) -> Iterator[bytes]:
        if self._stream is None and self._head:  # a one-byte body: raw deflate, if anything
            self._stream = _Zlib(-zlib.MAX_WBITS)
            yield from self._stream.decode(self._head)
        if self._stream is not None:
            yield from self._stream.flush()


def _zlib_header(data: bytes) -> bool:
    return data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
