"""The deployment files, checked by reading them (Docker cannot run here).

What would break a `docker compose up` or a systemd start: a COPY of a file that
is not there, a CMD that is not a console script, a health check on the wrong
path, a compose file without the env file or Redis persistence, an env example
that forgets a variable of CONTRACT.md, a container config listening on 127.0.0.1.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "CONTRACT.md"


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def instructions(name: str) -> list[str]:
    return [args for word, args in dockerfile() if word == name]


def test_every_file_the_dockerfile_copies_exists() -> None:
    copies = instructions("COPY")
    assert copies
    for args in copies:
        *sources, _dest = shlex.split(args)
        for src in sources:
            assert (ROOT / src).exists(), f"Dockerfile copies {src}, which is not in the repo"


def test_the_image_is_slim_python_311_non_root_with_runtime_deps_only() -> None:
    assert instructions("FROM") == ["python:3.11-slim"]
    assert instructions("USER") and instructions("USER")[-1] not in ("root", "0")
    runs = " ".join(instructions("RUN"))
    assert "pip install ." in runs and "[dev]" not in runs


def test_cmd_is_a_console_script_declared_in_pyproject() -> None:
    cmd = instructions("CMD")[-1]
    argv = yaml.safe_load(cmd)  # exec form: a JSON array
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert argv == ["aidaily", "serve"]
    assert argv[0] in scripts
    module, _, func = scripts[argv[0]].partition(":")
    assert (ROOT / (module.replace(".", "/") + ".py")).exists() and func


def test_healthcheck_asks_healthz_without_curl_and_the_port_is_exposed() -> None:
    check = instructions("HEALTHCHECK")[-1]
    assert "/healthz" in check and "python" in check and "curl" not in check
    assert instructions("EXPOSE") == ["8080"]
    assert any("/app/data" in v for v in instructions("VOLUME"))


def test_the_container_config_listens_on_all_interfaces_and_matches_the_starter() -> None:
    copies = [shlex.split(a) for a in instructions("COPY")]
    config_src = next(src for *srcs, dest in copies for src in srcs if dest == "/app/config.yaml")
    docker_cfg = yaml.safe_load((ROOT / config_src).read_text(encoding="utf-8"))
    starter = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))

    assert docker_cfg["server"]["host"] == "0.0.0.0"
    docker_cfg["server"]["host"] = starter["server"]["host"]
    assert docker_cfg == starter, "deploy/config.docker.yaml drifted from config.yaml"


def test_compose_reads_env_file_and_runs_redis_with_aof_on_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    app = next(s for s in services.values() if s.get("build"))
    redis = services["redis"]

    assert app["env_file"] in (".env", [".env"])
    assert app["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert "--appendonly" in redis["command"] and "yes" in redis["command"]
    volume = redis["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def contract_env_vars() -> set[str]:
    if not CONTRACT.exists():
        pytest.skip(f"{CONTRACT} is not here (the shared contract sits beside the repo)")
    text = CONTRACT.read_text(encoding="utf-8")
    names = set(re.findall(r"`\$?([A-Z][A-Z0-9]*_[A-Z0-9_]+)`", text))
    names |= set(re.findall(r"\$([A-Z][A-Z0-9]*_[A-Z0-9_]+)", text))
    return names


def test_env_example_lists_every_variable_of_the_contract() -> None:
    wanted = contract_env_vars()
    listed = set(
        re.findall(
            r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M
        )
    )

    assert {
        "REDIS_URL",
        "TELEGRAM_BOT_TOKEN",
        "FEISHU_WEBHOOK_SECRET",
        "AIDAILY_HTTP_PORT",
    } <= wanted
    assert wanted - listed == set()


def test_the_systemd_unit_runs_serve_and_stops_with_sigterm() -> None:
    unit = (ROOT / "deploy" / "aidaily.service").read_text(encoding="utf-8")

    assert re.search(r"^ExecStart=\S*/aidaily serve\b", unit, re.M)
    assert re.search(r"^KillSignal=SIGTERM$", unit, re.M)
    assert re.search(r"^EnvironmentFile=", unit, re.M)
    assert int(re.search(r"^TimeoutStopSec=(\d+)", unit, re.M).group(1)) > 10  # type: ignore[union-attr]
