"""The unit-test network guard (tests/unit/conftest.py) stops real connections, not local ones."""

from __future__ import annotations

import socket

import httpx
import pytest

from pipeline.config import FeedSettings, FetchSettings
from pipeline.fetch import fetch_all
from tests.unit.conftest import NetworkBlocked


def test_a_connect_off_this_machine_fails_at_once() -> None:
    with pytest.raises(NetworkBlocked, match=r"192\.0\.2\.1"):
        socket.create_connection(("192.0.2.1", 443), timeout=5)  # TEST-NET-1: never routed
    with pytest.raises(httpx.ConnectError):  # as a client library sees it
        httpx.get("https://192.0.2.1/", timeout=5)


def test_loopback_still_works() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


async def test_the_feed_fetcher_is_stopped_too() -> None:
    far = FeedSettings(id="far", name="far", url="http://192.0.2.1/feed", region="domestic")
    [result] = await fetch_all([far], FetchSettings(timeout_s=5), {})
    assert result.error_kind == "network"
    assert "unit tests cannot reach the network" in (result.error or "")
