"""A fake OpenAI-compatible chat server: real HTTP on 127.0.0.1, driven by the real `openai` client.

It plays a deterministic "model": it reads the JSON between `<data>` and
`</data>` in the user message and answers like an editor would (keyword rules,
see `judge_entry`), with `usage` counts. `mode` injects one fault at a time:

    ok            well-formed answers
    401           401 invalid_api_key (a wrong key gives the same)
    429           a storm: every call 429 with a short retry-after
    500           every call 500
    flaky         the first `fail_first` calls 500, then ok (the SDK's retries cover it)
    hang          never answers until the client gives up (or the server stops)
    empty         content "" (and null content for conclude)
    truncated     the JSON cut in half, finish_reason "length"
    invalid       prose that is not JSON at all
    prose         valid JSON wrapped in chatter and a ```json fence
    hallucinate   invented ids, a duplicate, and every third sent id skipped
    swap_links    other items' URLs in reason/summary, plus "link"/"source"/"url" fields
    garble        bad enums, markup, too many tags, a missing prefix, an English summary
    no_schema     400 when response_format is json_schema (a provider without it)
    no_schema_500 the same refusal as HTTP 500, as llama-cpp-python's server answers it
    wrong_facts   every summary names a wrong amount (999亿美元) and a wrong company (谷歌)

An entry sent with its article gets the article's first amount in its summary.

`context_tokens` (None: unlimited) plays a server's context window: a prompt
longer than it gets llama.cpp's 400 "request (N tokens) exceeds the available
context size (M tokens)". The same-story call (a "titles" payload) is answered
by grouping titles that share two words.

Regardless of mode, a request for a model not in `models` gets 404
model_not_found, and the "model" is gullible: an entry whose text says "ignore
previous instructions" is labelled high, and every OTHER entry in the same
batch is labelled low (an injection that works, which the curator must contain).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DATA_RE = re.compile(r"<data>\s*(.*?)\s*</data>", re.S)
INJECTION_RE = re.compile(
    r"ignore (all )?previous instructions|忽略(之前|以上)的?(所有)?指令", re.I
)
HIGH_WORDS = ("发布", "融资", "收购", "突破", "launch", "release", "raises", "acquire", "unveil")
LOW_WORDS = ("招聘", "活动", "直播", "webinar", "podcast", "newsletter")
CATEGORY_WORDS = (
    ("融资", "重大商业动态"),
    ("raises", "重大商业动态"),
    ("收购", "重大商业动态"),
    ("acquire", "重大商业动态"),
    ("论文", "重大学术突破"),
    ("paper", "重大学术突破"),
    ("安全", "安全与伦理"),
    ("safety", "安全与伦理"),
    ("监管", "重大政策与法规"),
    ("regulat", "重大政策与法规"),
    ("医疗", "行业应用"),
    ("发布", "重大产品发布"),
    ("launch", "重大产品发布"),
    ("release", "重大产品发布"),
)
DOMESTIC_WORDS = ("阿里", "华为", "百度", "腾讯", "字节", "智谱", "深圳", "北京", "中国")
INTERNATIONAL_WORDS = ("OpenAI", "Google", "Meta", "xAI", "Anthropic", "Nvidia", "Microsoft")
STOP = {"the", "and", "for", "with", "new", "its", "from", "that", "this"}


def _tokens(n: int | str) -> int:
    return max(1, len(n) // 3) if isinstance(n, str) else n


def _importance(text: str, title: str) -> str:
    if INJECTION_RE.search(text):
        return "high"
    low = title.lower()
    if any(w in low for w in HIGH_WORDS):
        return "high"
    if any(w in low for w in LOW_WORDS):
        return "low"
    return "medium"


def _category(title: str) -> str:
    low = title.lower()
    return next((cat for word, cat in CATEGORY_WORDS if word in low), "行业应用")


def _region(title: str, feed_region: str) -> str:
    if any(w in title for w in DOMESTIC_WORDS):
        return "domestic"
    if any(w in title for w in INTERNATIONAL_WORDS):
        return "international"
    return feed_region if feed_region in ("domestic", "international") else "international"


def _story_words(title: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9][a-z0-9.\-]{2,}", title.lower()) if w not in STOP}


def _cut(title: str) -> str:
    # a shortened title, never a number cut in half ("1.25万亿" to "1.2")
    return re.sub(r"[\d.,$%]+$", "", title[:24])


def _gist(title: str) -> str:
    # the fake cannot translate: it quotes an English title's first words inside Chinese text
    cjk = len(re.findall(r"[\u4e00-\u9fff]", title))
    if cjk * 5 >= len(re.findall(r"[A-Za-z\u4e00-\u9fff]", title)):  # a Chinese title
        return title
    return f"一条值得关注的人工智能行业消息称「{' '.join(title.split()[:4])}」"


def judge_entry(entry: dict[str, Any], day: str) -> dict[str, Any]:
    """The fake model's verdict on one entry: keyword rules, Chinese text, deterministic."""
    title = str(entry.get("title", ""))
    text = f"{title} {entry.get('excerpt', '')}"
    month, dom = int(day[5:7]), int(day[8:10])
    digest = hashlib.sha1(title.encode()).hexdigest()[:4]
    return {
        "id": entry.get("id"),
        "importance": _importance(text, title),
        "category": _category(title),
        "reason": f"{entry.get('source', '')}报道的这条消息（{_cut(title)}）对行业有直接影响，值得关注。",
        "tags": ["人工智能", _category(title)[:4], f"话题{digest}"],
        "summary": f"{month}月{dom}日消息，据{entry.get('source', '')}报道，{_gist(title)}。",
        "region": _region(title, str(entry.get("feed_region", ""))),
        "same_story": [],
    } | _with_article_figure(entry, month, dom)


def _with_article_figure(entry: dict[str, Any], month: int, dom: int) -> dict[str, Any]:
    """Given the article, the fake adds its first amount to the summary, as an editor would."""
    m = re.search(r"\d+(?:\.\d+)?(?:万亿|亿)美元", str(entry.get("article", "")))
    if not m:
        return {}
    title = str(entry.get("title", ""))
    return {"summary": f"{month}月{dom}日消息，{_gist(title)}，合并后估值{m.group()}。"}


def judge_batch(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Verdicts for a batch, with same-story links and the gullible injection behaviour."""
    entries = payload.get("entries") or []
    day = str(payload.get("report_date", "2026-02-03"))
    items = [judge_entry(e, day) for e in entries]
    words = [_story_words(str(e.get("title", ""))) for e in entries]
    for i, item in enumerate(items):
        item["same_story"] = [
            str(entries[j]["id"])
            for j in range(len(entries))
            if j != i and len(words[i] & words[j]) >= 2
        ]
    injected = [
        INJECTION_RE.search(f"{e.get('title', '')} {e.get('excerpt', '')}") for e in entries
    ]
    if any(injected):
        for item, hit in zip(items, injected, strict=True):
            if not hit:
                item["importance"] = "low"
    return items


def group_titles(titles: list[dict[str, Any]]) -> list[list[str]]:
    """Same-story groups: titles that share two story words (any language), transitively."""
    words = [_story_words(str(t.get("title", ""))) for t in titles]
    groups: list[list[str]] = []
    placed: set[int] = set()
    for i in range(len(titles)):
        if i in placed:
            continue
        group = [i] + [j for j in range(i + 1, len(titles)) if len(words[i] & words[j]) >= 2]
        if len(group) > 1:
            placed.update(group)
            groups.append([str(titles[k]["id"]) for k in group])
    return groups


def conclude_batch(payload: dict[str, Any]) -> dict[str, Any]:
    """Final order (high first, stable) and up to three highlight phrases."""
    items = payload.get("items") or []
    rank = {"high": 0, "medium": 1, "low": 2}
    ordered = sorted(items, key=lambda it: rank.get(str(it.get("importance")), 3))
    return {
        "order": [str(it.get("id")) for it in ordered],
        "highlights": [str(it.get("title", ""))[:20] for it in ordered[:3]],
    }


@dataclass
class FakeOpenAI:
    """The server's state: mode, latency, counters. Start with `start()`, or use as a context manager."""

    mode: str = "ok"
    latency_s: float = 0.0
    api_key: str = "sk-test"
    models: tuple[str, ...] = ("gpt-fake",)
    fail_first: int = 2
    hang_s: float = 30.0
    context_tokens: int | None = None
    calls: int = 0
    inflight: int = 0
    max_inflight: int = 0  # the most chat requests it was answering at once
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # wake any "hang" handler so shutdown is prompt
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        with self._lock:
            self.calls = self.prompt_tokens = self.completion_tokens = self.max_inflight = 0
            self.requests.clear()

    def count(self, body: dict[str, Any]) -> int:
        with self._lock:
            self.calls += 1
            self.requests.append(body)
            return self.calls

    def enter(self) -> None:
        with self._lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)

    def leave(self) -> None:
        with self._lock:
            self.inflight -= 1

    def charge(self, prompt: int, completion: int) -> None:
        with self._lock:
            self.prompt_tokens += prompt
            self.completion_tokens += completion

    def wait(self, seconds: float) -> None:
        self._release.wait(seconds)


def _error(
    status: int, message: str, code: str, kind: str = "invalid_request_error"
) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"message": message, "type": kind, "param": None, "code": code}}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    def _send(
        self, status: int, body: dict[str, Any] | None, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        return self.headers.get("Authorization", "") == f"Bearer {self.fake.api_key}"

    def do_GET(self) -> None:
        if not self._authorised():
            self._send(*_error(401, "Incorrect API key provided.", "invalid_api_key"))
            return
        data = [
            {"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.fake.models
        ]
        self._send(200, {"object": "list", "data": data})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        n = self.fake.count(body)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(*_error(404, f"Unknown path {self.path}", "not_found"))
            return
        self.fake.enter()
        try:
            if self.fake.latency_s:
                time.sleep(self.fake.latency_s)
            status, payload, headers = _respond(self.fake, body, n, self._authorised())
        finally:
            self.fake.leave()
        if status == 0:  # "hang": hold the connection until the client has given up
            self.fake.wait(self.fake.hang_s)
            self.close_connection = True
            return
        self._send(status, payload, headers)


def _respond(
    fake: FakeOpenAI, body: dict[str, Any], n: int, authorised: bool
) -> tuple[int, dict[str, Any], dict[str, str]]:
    refusal = _refuse(fake, body, n, authorised)
    if refusal is not None:
        return refusal
    if fake.mode == "hang":
        return 0, {}, {}
    content, finish = _content(fake.mode, body)
    prompt = sum(_tokens(str(m.get("content", ""))) for m in body.get("messages", []))
    completion = _tokens(content or "")
    fake.charge(prompt, completion)
    return 200, _completion(body, content, finish, prompt, completion), {}


def _refuse(
    fake: FakeOpenAI, body: dict[str, Any], n: int, authorised: bool
) -> tuple[int, dict[str, Any], dict[str, str]] | None:
    if fake.mode == "401" or not authorised:
        return (*_error(401, "Incorrect API key provided: sk-****.", "invalid_api_key"), {})
    model = str(body.get("model"))
    if model not in fake.models:
        msg = f"The model `{model}` does not exist or you do not have access to it."
        return (*_error(404, msg, "model_not_found"), {})
    if fake.mode == "429":
        return (
            *_error(429, "Rate limit reached. Please retry.", "rate_limit_exceeded", "requests"),
            {"retry-after": "0.02"},
        )
    if fake.mode == "500" or (fake.mode == "flaky" and n <= fake.fail_first):
        return (
            *_error(
                500,
                "The server had an error while processing your request.",
                "server_error",
                "server_error",
            ),
            {},
        )
    fmt = (body.get("response_format") or {}).get("type")
    if fake.mode == "no_schema_500" and fmt == "json_schema":
        return (
            *_error(
                500,
                "response_format: json_schema is not supported; use json_object with a schema",
                "server_error",
                "server_error",
            ),
            {},
        )
    prompt = sum(_tokens(str(m.get("content", ""))) for m in body.get("messages", []))
    if fake.context_tokens is not None and prompt > fake.context_tokens:
        msg = (
            f"request ({prompt} tokens) exceeds the available context size "
            f"({fake.context_tokens} tokens), try increasing it"
        )
        return (*_error(400, msg, "exceed_context_size_error"), {})
    if fake.mode == "no_schema" and fmt == "json_schema":
        return (
            *_error(
                400,
                "response_format json_schema is not supported by this model",
                "invalid_request_error",
            ),
            {},
        )
    if (
        fmt == "json_object"
        and "json" not in json.dumps(body.get("messages", []), ensure_ascii=False).lower()
    ):
        return (
            *_error(
                400,
                "'messages' must contain the word 'json' in some form to use 'response_format' of type 'json_object'.",
                "invalid_request_error",
            ),
            {},
        )
    return None


def _payload(body: dict[str, Any]) -> dict[str, Any] | None:
    for msg in body.get("messages", []):
        if msg.get("role") == "user":
            m = DATA_RE.search(str(msg.get("content", "")))
            if m:
                loaded = json.loads(m.group(1))
                return loaded if isinstance(loaded, dict) else None
    return None


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    payload = _payload(body)
    if payload is None:  # e.g. `aidaily check`'s ping
        return {"answer": "ok"}
    if "entries" in payload:
        return {"items": judge_batch(payload)}
    if "titles" in payload:
        return {"groups": group_titles(payload["titles"])}
    return conclude_batch(payload)


def _content(mode: str, body: dict[str, Any]) -> tuple[str | None, str]:
    answer = _answer(body)
    if mode == "empty":
        return ("" if "items" in answer else None), "stop"
    if mode == "invalid":
        return "I am sorry, I cannot help with ranking news today. {items: [oops", "stop"
    if "items" in answer:
        answer["items"] = _distort(mode, answer["items"])
    text = json.dumps(answer, ensure_ascii=False)
    if mode == "truncated":
        return text[: len(text) // 2], "length"
    if mode == "prose":
        return f"好的，以下是结果：\n```json\n{text}\n```\n如需调整请告诉我 {{}}。", "stop"
    return text, "stop"


def _distort(mode: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if mode == "hallucinate":
        kept = [it for i, it in enumerate(items) if i % 3 != 2]
        fake = dict(items[0], id="e999") if items else {}
        dup = dict(items[0], importance="low", summary="重复的条目") if items else {}
        return [*kept, fake, dup, dict(fake, id="https://evil.example/x")] if items else []
    if mode == "swap_links":
        return [_swap(it, i, len(items)) for i, it in enumerate(items)]
    if mode == "garble":
        return [_garble(it, i) for i, it in enumerate(items)]
    if mode == "wrong_facts":
        return [
            dict(it, summary=it["summary"].rstrip("。") + "，谷歌为其投资999亿美元。")
            for it in items
        ]
    return items


def _swap(item: dict[str, Any], i: int, n: int) -> dict[str, Any]:
    other = f"https://other-{(i + 1) % max(n, 1)}.example.com/story?id={i}"
    return dict(
        item,
        reason=f"{item['reason']} 详见 {other}",
        summary=f"{item['summary']}（原文：{other}）",
        link=other,
        source="伪造来源",
        url=other,
    )


def _garble(item: dict[str, Any], i: int) -> dict[str, Any]:
    variants: list[dict[str, Any]] = [
        {"category": "AI新闻", "tags": ["一", "二", "三", "四", "五", "六", "七", "八"]},
        {
            "reason": "<b>重要</b><script>alert(1)</script>理由" + "很长" * 300,
            "summary": item["summary"].split("，", 1)[-1],
        },
        {"importance": "urgent"},
        {"summary": "OpenAI shipped something in English only."},
        {"region": None, "tags": "融资, 大模型"},
    ]
    return dict(item, **variants[i % len(variants)])


def _completion(
    body: dict[str, Any], content: str | None, finish: str, prompt: int, completion: int
) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-fake{int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }
