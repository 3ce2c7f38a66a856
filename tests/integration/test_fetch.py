"""fetch_all against a real local HTTP server with one fault per route."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import aclosing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.config import FeedSettings, FetchSettings
from pipeline.fetch import FetchResult, fetch_all, fetch_each
from pipeline.parse import parse_feed
from pipeline.store import FeedState
from tests.fakes.feed_server import ETAG, LAST_MODIFIED, RSS, FeedServer, gzip_bomb

DEADLINE = 1.5
CFG = FetchSettings(timeout_s=DEADLINE, max_bytes=64 * 1024, concurrency=8, max_redirects=3)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer(big_bytes=300_000) as srv:
        yield srv


def feed(fid: str, url: str) -> FeedSettings:
    return FeedSettings(id=fid, name=fid, url=url, region="domestic")


def by_id(results: list[FetchResult]) -> dict[str, FetchResult]:
    return {r.feed.id: r for r in results}


async def test_every_fault_is_one_line_and_the_run_keeps_its_deadline(
    server: FeedServer, tmp_path: Path
) -> None:
    local = tmp_path / "local.xml"
    local.write_text(RSS, encoding="utf-8")
    feeds = [
        feed("rss", server.url + "/rss"),
        feed("slow", server.url + "/slow"),
        feed("error", server.url + "/500"),
        feed("malformed", server.url + "/malformed"),
        feed("big", server.url + "/big"),
        feed("declared", server.url + "/big-declared"),
        feed("loop", server.url + "/loop"),
        feed("moved", server.url + "/moved"),
        feed("file", local.as_uri()),
        feed("nofile", (tmp_path / "missing.xml").as_uri()),
        feed("refused", "http://127.0.0.1:9/feed"),
    ]
    started = time.monotonic()
    listed = await fetch_all(feeds, CFG, {})
    took = time.monotonic() - started

    assert took < 2 * DEADLINE, f"fetch_all took {took:.2f}s with a {DEADLINE}s deadline"
    assert [r.feed.id for r in listed] == [f.id for f in feeds]  # results in the order of feeds
    results = by_id(listed)
    errors = {fid: r.error for fid, r in results.items()}
    assert errors["rss"] is None and errors["file"] is None and errors["moved"] is None
    assert errors["malformed"] is None  # the fetch worked; parsing reports it
    assert errors["slow"] == "timed out after 1.5 s"
    assert errors["error"] == "HTTP 500 Internal Server Error"
    assert errors["big"] == errors["declared"] == "body over 65536 bytes"
    assert errors["loop"] == "too many redirects (more than 3; a redirect loop?)"
    assert errors["nofile"] == f"file not found: {tmp_path / 'missing.xml'}"
    assert (errors["refused"] or "").startswith("cannot connect")
    for fid, r in results.items():
        assert r.ok is (r.error is None), fid
        assert r.error is None or "\n" not in r.error, fid
        assert r.elapsed_ms >= 0
    assert results["slow"].elapsed_ms >= DEADLINE * 1000 * 0.9
    assert results["error"].status == 500
    assert results["moved"].final_url == server.url + "/rss"


async def test_trickling_server_is_cut_off_and_stops_with_the_test(server: FeedServer) -> None:
    [result] = await fetch_all([feed("slow", server.url + "/slow")], CFG, {})
    assert result.error == "timed out after 1.5 s"
    assert server.trickle_started.is_set()
    server.stop()
    assert server.trickles_running == 0


async def test_fetched_bodies_parse_with_their_final_url(server: FeedServer) -> None:
    now = datetime(2026, 2, 3, tzinfo=UTC)
    results = by_id(
        await fetch_all(
            [feed("rss", server.url + "/rss"), feed("bad", server.url + "/malformed")], CFG, {}
        )
    )
    good, bad = results["rss"], results["bad"]
    assert good.body is not None and bad.body is not None
    parsed = parse_feed(
        good.body, good.feed, content_type=good.content_type, location=good.final_url, now=now
    )
    assert [e.link for e in parsed.entries] == [
        "https://www.jiqizhixin.com/articles/1",
        server.url + "/articles/2",  # relative link resolved against where the feed came from
    ]
    broken = parse_feed(
        bad.body, bad.feed, content_type=bad.content_type, location=bad.final_url, now=now
    )
    assert broken.entries == [] and (broken.error or "").startswith("not a feed: ")


async def test_request_says_who_we_are_and_what_we_accept(server: FeedServer) -> None:
    await fetch_all([feed("rss", server.url + "/rss")], CFG, {})
    headers = {k.lower(): v for k, v in server.headers["/rss"].items()}
    assert headers["user-agent"] == CFG.user_agent
    assert (
        "application/rss+xml" in headers["accept"] and "application/atom+xml" in headers["accept"]
    )
    assert "if-none-match" not in headers  # no state, no conditional request


async def test_conditional_get_returns_not_modified(server: FeedServer) -> None:
    etag_feed = feed("etag", server.url + "/etag")
    [first] = await fetch_all([etag_feed], CFG, {})
    assert (first.ok, first.not_modified, first.etag, first.last_modified) == (
        True,
        False,
        ETAG,
        LAST_MODIFIED,
    )
    assert server.conditional == 0

    state = FeedState(etag=first.etag, last_modified=first.last_modified)
    [second] = await fetch_all([etag_feed], CFG, {"etag": state})
    assert (second.ok, second.not_modified, second.status, second.body) == (True, True, 304, None)
    assert second.etag == ETAG and second.error is None

    [by_date] = await fetch_all([etag_feed], CFG, {"etag": FeedState(last_modified=LAST_MODIFIED)})
    assert by_date.not_modified is True
    [stale] = await fetch_all([etag_feed], CFG, {"etag": FeedState(etag='"old"')})
    assert stale.not_modified is False and stale.body
    assert (server.conditional, server.not_modified) == (3, 2)


async def test_concurrency_is_bounded_and_the_deadline_starts_with_each_feeds_turn() -> None:
    # 6 feeds of 0.3 s through 2 slots take ~0.9 s, longer than the 0.7 s deadline:
    # a deadline counted from the start of fetch_all would fail the last ones.
    cfg = FetchSettings(timeout_s=0.7, concurrency=2)
    with FeedServer(delay_s=0.3) as srv:
        feeds = [feed(f"d{i}", f"{srv.url}/delay/{i}") for i in range(6)]
        results = await fetch_all(feeds, cfg, {})
        assert srv.max_in_flight == 2
    assert [r.error for r in results] == [None] * 6


async def test_fetch_each_yields_results_as_they_arrive() -> None:
    cfg = FetchSettings(timeout_s=5, concurrency=4)
    with FeedServer(delay_s=0.5) as srv:
        feeds = [feed("late", f"{srv.url}/delay/late"), feed("early", f"{srv.url}/rss")]
        order = [r.feed.id async for r in fetch_each(feeds, cfg, {})]
        assert order == ["early", "late"]
        # A caller that stops after the first result leaves nothing running behind it.
        async with aclosing(fetch_each(feeds, cfg, {})) as results:
            async for first in results:
                assert first.feed.id == "early"
                break
        assert asyncio.all_tasks() == {asyncio.current_task()}


BOMB_BYTES = 64 << 20  # 64 MiB once decoded, ~64 KB on the wire


@pytest.mark.parametrize(
    ("coding", "header"),
    [("gzip", "gzip"), ("deflate", "deflate"), ("raw-deflate", "deflate")],
)
async def test_a_compression_bomb_stops_at_max_bytes_of_decoded_body(
    server: FeedServer, coding: str, header: str
) -> None:
    url = server.add("/bomb", gzip_bomb(BOMB_BYTES, coding), headers={"Content-Encoding": header})
    tracemalloc.start()
    try:
        [result] = await fetch_all([feed("bomb", url)], CFG, {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Decoding a whole network chunk at once held tens of MB; the cap is 64 KB.
    assert peak < 4 << 20, f"fetching a bomb with a 64 KB cap took {peak >> 20} MB"
    assert (result.ok, result.error) == (False, "body over 65536 bytes")


@pytest.mark.parametrize(
    ("header", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b, wbits=-zlib.MAX_WBITS)),
        ("gzip, deflate", lambda b: zlib.compress(gzip.compress(b))),
        ("identity", lambda b: b),
    ],
)
async def test_a_compressed_feed_within_the_cap_arrives_decoded(
    server: FeedServer, header: str, encode: Callable[[bytes], bytes]
) -> None:
    body = RSS.encode("utf-8") * 40  # ~30 KB decoded, under the 64 KB cap
    url = server.add("/packed", encode(body), headers={"Content-Encoding": header})
    [result] = await fetch_all([feed("packed", url)], CFG, {})
    assert (result.error, result.body) == (None, body)
    sent = {k.lower(): v for k, v in server.headers["/packed"].items()}
    assert sent["accept-encoding"] == "gzip, deflate"  # only what we can decode within the cap


async def test_a_coding_we_did_not_ask_for_fails_the_feed_in_one_line(server: FeedServer) -> None:
    url = server.add("/br", b"\x8b\x02\x80<rss/>\x03", headers={"Content-Encoding": "br"})
    [result] = await fetch_all([feed("br", url)], CFG, {})
    assert result.ok is False
    assert result.error == "unsupported Content-Encoding 'br' (we ask for gzip, deflate only)"


async def test_a_corrupt_compressed_body_fails_the_feed_in_one_line(server: FeedServer) -> None:
    url = server.add("/broken", b"\x1f\x8b" + b"junk" * 50, headers={"Content-Encoding": "gzip"})
    [result] = await fetch_all([feed("broken", url)], CFG, {})
    assert result.ok is False
    assert (result.error or "").startswith("cannot decode the compressed body: ")


async def test_max_redirects_redirects_are_followed_and_one_more_is_a_loop(
    server: FeedServer,
) -> None:
    for n in range(1, 5):
        server.add(f"/hop{n}", b"", status=302, headers={"Location": f"/hop{n + 1}"})
    server.add("/hop5", RSS.encode("utf-8"))
    three, four = await fetch_all(
        [feed("three", server.url + "/hop2"), feed("four", server.url + "/hop1")], CFG, {}
    )
    assert (three.error, three.final_url) == (None, server.url + "/hop5")
    assert (four.error, four.error_kind) == (
        "too many redirects (more than 3; a redirect loop?)",
        "redirects",
    )
    none = CFG.model_copy(update={"max_redirects": 0})
    [moved] = await fetch_all([feed("moved", server.url + "/moved")], none, {})
    assert moved.error == "too many redirects (more than 0; a redirect loop?)"


async def _one_reply(reply: bytes) -> tuple[asyncio.Server, str, list[bytes]]:
    """A raw server that reads one request head, answers `reply` and hangs up."""
    heads: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(reply)
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    return srv, f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}", heads


@pytest.mark.parametrize(
    "reply",
    [
        b"",  # hangs up without an answer
        b"HELLO\r\n\r\n",  # not HTTP
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",  # a body cut short
    ],
)
async def test_a_broken_answer_is_a_network_failure_in_one_line(reply: bytes) -> None:
    srv, url, _ = await _one_reply(reply)
    async with srv:
        [result] = await fetch_all([feed("broken", url + "/feed")], CFG, {})
    assert (result.ok, result.error_kind) == (False, "network")
    assert result.error and "\n" not in result.error and "127.0.0.1" not in result.error


async def test_the_proxy_in_the_environment_is_used_unless_no_proxy_says_otherwise(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\n<rss/>"
    proxy, proxy_url, heads = await _one_reply(answer)
    async with proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        [far, near] = await fetch_all(
            [feed("far", "http://feeds.example/rss"), feed("near", server.url + "/rss")], CFG, {}
        )
    assert (far.error, far.body) == (None, b"<rss/>")
    assert [h.split(b"\r\n", 1)[0] for h in heads] == [b"GET http://feeds.example/rss HTTP/1.1"]
    assert near.error is None and near.body == RSS.encode("utf-8")  # straight to the host


async def test_open_connections_stay_within_concurrency_over_many_hosts() -> None:
    # One feed on each of 12 hosts (keep-alive servers), 3 at a time: a host's connection
    # is not left open once its feeds are done, so sockets do not grow with the hosts.
    open_now, most = 0, 0

    async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n<rss/>")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            open_now -= 1
            writer.close()

    hosts = [await asyncio.start_server(keep_alive, "127.0.0.1", 0) for _ in range(12)]
    urls = [f"http://127.0.0.1:{h.sockets[0].getsockname()[1]}/rss" for h in hosts]
    cfg = FetchSettings(timeout_s=5, concurrency=3)
    results = await fetch_all([feed(f"h{n}", u) for n, u in enumerate(urls)], cfg, {})
    for h in hosts:
        h.close()
    assert [r.body for r in results] == [b"<rss/>"] * 12
    assert most <= 3 + 1, f"{most} connections open at once for 3 in flight"
