"""Unit tests cannot reach the network: any socket connect outside loopback fails.

python-telegram-bot's test suite does the same with its `OfflineRequest`; here the
guard sits lower, on `socket.socket.connect`, so every client library (httpx,
requests, redis, openai) is covered. Unix sockets and 127.0.0.0/8 / ::1 are allowed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any

import pytest


class NetworkBlocked(ConnectionRefusedError):
    """A unit test tried to open a connection off this machine (an OSError, as clients expect)."""


def _loopback(family: int, address: Any) -> bool:
    if family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _guard(real: Callable[..., Any]) -> Callable[..., Any]:
    def connect(self: socket.socket, address: Any) -> Any:
        if not _loopback(self.family, address):
            raise NetworkBlocked(f"unit tests cannot reach the network (connect to {address!r})")
        return real(self, address)

    return connect


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guard(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guard(socket.socket.connect_ex))
