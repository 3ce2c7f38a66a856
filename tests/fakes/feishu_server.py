"""A fake Feishu Open API on 127.0.0.1 that speaks the real protocol.

Real HTTP (uvicorn in a thread of its own), so the real `lark-oapi` client and
our webhook code talk to it exactly as they would to open.feishu.cn:

    POST /open-apis/auth/v3/tenant_access_token/internal   counts calls; tokens expire
    POST /open-apis/im/v1/messages?receive_id_type=chat_id  bearer checked; uuid dedupe (1 h)
    POST /open-apis/im/v1/messages/{message_id}/reply       the same, for replies
    GET  /open-apis/bot/v3/info                             the bot's own open_id
    POST /open-apis/bot/v2/hook/{token}                     custom bot webhook: signature,
                                                            5/s and 100/min, body <= 20 KB
    POST /callback/ws/endpoint  +  WS /ws                   the long-connection handshake and
                                                            protobuf frames (`push_event`); a
                                                            callback's answer (a card action's
                                                            toast or card) is read back from the
                                                            client's ack frame (`ws_answers`)

Cards are checked as Feishu checks them before accepting a message (`card_problem`):
a button needs a plain_text label and an object `value`, an `action` element a list
of actions.

Failure modes are set on the instance (`fail_next`, `gone_chats`, `hook_fail_next`);
everything it saw is recorded (`messages`, `replies`, `hook_posts`, counters) for
tests to assert on. `wait_for(pred)` blocks (use it via `asyncio.to_thread`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from lark_oapi.ws.enum import FrameType, MessageType
from lark_oapi.ws.pb.pbbp2_pb2 import Frame
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

HOOK_MAX_BYTES = 20 * 1024
CARD_MAX_BYTES = 30 * 1024
UUID_WINDOW_S = 3600.0


@dataclass
class Posted:
    """One message the fake accepted (create or reply)."""

    message_id: str
    chat_id: str
    msg_type: str
    content: dict[str, Any]
    uuid: str | None
    reply_to: str | None = None
    at: float = field(default_factory=time.monotonic)


class Window:
    """Sliding windows over request times: `hit()` is False once any limit is exceeded."""

    def __init__(self, limits: list[tuple[int, float]]) -> None:
        self.limits = limits
        self.times: deque[float] = deque()

    def hit(self, now: float) -> bool:
        longest = max((w for _, w in self.limits), default=0.0)
        while self.times and self.times[0] <= now - longest:
            self.times.popleft()
        for count, width in self.limits:
            if sum(1 for t in self.times if t > now - width) >= count:
                return False
        self.times.append(now)
        return True


def hook_sign(timestamp: str, secret: str) -> str:
    """Feishu's custom-bot signature, computed independently of the code under test."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def card_problem(card: Any) -> str | None:
    """What Feishu would refuse in a card JSON 1.0 (its buttons), or None."""
    if not isinstance(card, dict) or not isinstance(card.get("elements"), list):
        return "card without elements"
    for element in card["elements"]:
        if element.get("tag") != "action":
            continue
        actions = element.get("actions")
        if not isinstance(actions, list) or not actions:
            return "action element without actions"
        for button in actions:
            text = button.get("text") or {}
            if button.get("tag") != "button" or text.get("tag") != "plain_text":
                return "button without a plain_text label"
            if not str(text.get("content") or "").strip():
                return "button with an empty label"
            if not isinstance(button.get("value", {}), dict):
                return "button value is not an object"
    return None


class FeishuFake:
    """The fake server and everything it recorded."""

    def __init__(
        self,
        *,
        app_id: str | None = None,
        app_secret: str = "fake-secret",
        token_ttl_s: int = 7200,
        app_limit: tuple[int, float] | None = None,
        chat_limit: tuple[int, float] | None = None,
        hook_secrets: dict[str, str | None] | None = None,
    ) -> None:
        # A fresh app id per fake: lark-oapi caches tenant tokens per app id, process-wide.
        self.app_id = app_id or f"cli_{uuid.uuid4().hex[:12]}"
        self.app_secret = app_secret
        self.token_ttl_s = token_ttl_s
        self.hook_secrets: dict[str, str | None] = dict(hook_secrets or {})
        self.bot_open_id = "ou_bot_aidaily"
        self.lock = threading.Condition()
        self.token_requests = 0
        self.tokens: dict[str, float] = {}
        self.messages: list[Posted] = []
        self.replies: list[Posted] = []
        self.uuids: dict[str, tuple[str, float]] = {}
        self.duplicates = 0  # requests whose uuid was already used: Feishu drops them
        self.requests: Counter[str] = Counter()
        self.errors: Counter[int] = Counter()  # error code -> times answered
        self.fail_next: deque[int] = deque()  # codes to answer to the next create calls
        self.gone_chats: dict[str, int] = {}  # chat id -> code answered for good
        self.hook_fail_next: deque[int] = deque()
        self.hook_posts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.hook_times: dict[str, list[float]] = defaultdict(list)
        self.hook_windows: dict[str, Window] = defaultdict(lambda: Window([(5, 1.0), (100, 60.0)]))
        self.app_window = Window([app_limit]) if app_limit else None
        self.chat_limit = chat_limit
        self.chat_windows: dict[str, Window] = {}
        self.ws_acks: list[dict[str, Any]] = []
        self.ws_answers: list[dict[str, Any]] = []  # decoded `data` of acks that carry one
        self._ws: WebSocket | None = None
        self._ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.port = 0

    # -- lifecycle ------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hook_url(self, token: str) -> str:
        return f"{self.url}/open-apis/bot/v2/hook/{token}"

    def start(self) -> FeishuFake:
        config = uvicorn.Config(
            self.app(),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            ws="websockets-sansio",
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="feishu-fake", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not (self._server.started and self._server.servers):
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake Feishu server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def _run(self) -> None:
        assert self._server is not None
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._server.serve())
        finally:
            self._loop.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FeishuFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for(self, pred: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until `pred()` holds (checked whenever the fake records something)."""
        with self.lock:
            return self.lock.wait_for(pred, timeout=timeout)

    # -- the app ----------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(
                    "/open-apis/auth/v3/tenant_access_token/internal", self._token, methods=["POST"]
                ),
                Route("/open-apis/im/v1/messages", self._create, methods=["POST"]),
                Route(
                    "/open-apis/im/v1/messages/{message_id}/reply", self._reply, methods=["POST"]
                ),
                Route("/open-apis/bot/v3/info", self._bot_info, methods=["GET"]),
                Route("/open-apis/bot/v2/hook/{token}", self._hook, methods=["POST"]),
                Route("/callback/ws/endpoint", self._ws_endpoint, methods=["POST"]),
                WebSocketRoute("/ws", self._ws_route),
            ]
        )

    def _error(
        self, code: int, msg: str, status: int = 400, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        log_id = f"fake-log-{next(self._ids)}"
        with self.lock:
            self.errors[code] += 1
            self.lock.notify_all()
        body = {"code": code, "msg": msg, "error": {"log_id": log_id}}
        return JSONResponse(
            body, status_code=status, headers={"X-Tt-Logid": log_id, **(headers or {})}
        )

    async def _token(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self.lock:
            self.token_requests += 1
        if body.get("app_id") != self.app_id or body.get("app_secret") != self.app_secret:
            return self._error(10014, "app secret invalid")
        token = f"t-{uuid.uuid4().hex}"
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_ttl_s
        return JSONResponse(
            {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": self.token_ttl_s}
        )

    def _authorized(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        with self.lock:
            expires = self.tokens.get(token)
        return expires is not None and expires > time.monotonic()

    async def _create(self, request: Request) -> JSONResponse:
        self.requests["create"] += 1
        if not self._authorized(request):
            return self._error(99991663, "Invalid access token for authorization.")
        if request.query_params.get("receive_id_type") != "chat_id":
            return self._error(99992402, "field validation failed: receive_id_type")
        body = await request.json()
        chat = str(body.get("receive_id", ""))
        refused = self._refusal(chat)
        if refused is not None:
            return refused
        return self._accept(chat, body, reply_to=None)

    async def _reply(self, request: Request) -> JSONResponse:
        self.requests["reply"] += 1
        if not self._authorized(request):
            return self._error(99991663, "Invalid access token for authorization.")
        body = await request.json()
        message_id = request.path_params["message_id"]
        return self._accept(f"chat-of-{message_id}", body, reply_to=message_id)

    def _refusal(self, chat: str) -> JSONResponse | None:
        now = time.monotonic()
        with self.lock:
            code = self.fail_next.popleft() if self.fail_next else None
        if code is not None:
            return self._coded(code)
        if chat in self.gone_chats:
            return self._coded(self.gone_chats[chat])
        if self.app_window is not None and not self.app_window.hit(now):
            return self._coded(99991400)
        if self.chat_limit is not None:
            window = self.chat_windows.setdefault(chat, Window([self.chat_limit]))
            if not window.hit(now):
                return self._coded(230020)
        return None

    def _coded(self, code: int) -> JSONResponse:
        if code == 99991400:
            return self._error(
                code, "request trigger frequency limit", 429, {"x-ogw-ratelimit-reset": "1"}
            )
        if code >= 500 and code < 600:
            return self._error(code, "internal error", code)
        messages = {
            230002: "Bot/User can NOT be out of the chat.",
            230020: "This operation triggers the frequency limit.",
            230001: "Your request contains an invalid request parameter.",
        }
        return self._error(code, messages.get(code, "refused"))

    def _accept(self, chat: str, body: dict[str, Any], reply_to: str | None) -> JSONResponse:
        content_text = str(body.get("content", ""))
        if len(content_text.encode()) > CARD_MAX_BYTES:
            return self._error(230025, "The message content is too long.")
        try:
            content = json.loads(content_text)
        except ValueError:
            return self._error(230001, "invalid message content: not JSON")
        problem = card_problem(content) if body.get("msg_type") == "interactive" else None
        if problem is not None:
            return self._error(
                230099, f"Failed to create card content, ext=ErrCode: 200621; {problem}"
            )
        key = body.get("uuid")
        with self.lock:
            seen = self.uuids.get(key) if key else None
            if seen is not None and time.monotonic() - seen[1] < UUID_WINDOW_S:
                self.duplicates += 1
                self.lock.notify_all()
                return self._ok(seen[0], chat)
            mid = f"om_{uuid.uuid4().hex[:16]}"
            posted = Posted(mid, chat, str(body.get("msg_type")), content, key, reply_to)
            (self.replies if reply_to else self.messages).append(posted)
            if key:
                self.uuids[key] = (mid, time.monotonic())
            self.lock.notify_all()
        return self._ok(mid, chat)

    def _ok(self, mid: str, chat: str) -> JSONResponse:
        data = {
            "message_id": mid,
            "chat_id": chat,
            "msg_type": "interactive",
            "create_time": str(int(time.time() * 1000)),
        }
        return JSONResponse(
            {"code": 0, "msg": "success", "data": data},
            headers={"X-Tt-Logid": f"fake-log-{next(self._ids)}"},
        )

    async def _bot_info(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return self._error(99991663, "Invalid access token for authorization.")
        return JSONResponse(
            {"code": 0, "msg": "ok", "bot": {"open_id": self.bot_open_id, "app_name": "AI日报"}}
        )

    # -- custom bot webhooks ----------------------------------------------------

    async def _hook(self, request: Request) -> JSONResponse:
        token = request.path_params["token"]
        raw = await request.body()
        now = time.monotonic()
        with self.lock:
            self.hook_times[token].append(now)
        if token not in self.hook_secrets:
            return self._hook_error(19001, "param invalid: incoming webhook access token invalid")
        if len(raw) > HOOK_MAX_BYTES:
            return self._hook_error(9499, "request body too large, limit 20KB")
        body = json.loads(raw)
        problem = self._hook_problem(token, body, now)
        if problem is not None:
            return problem
        with self.lock:
            self.hook_posts[token].append(body)
            self.lock.notify_all()
        return JSONResponse(
            {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}
        )

    def _hook_problem(self, token: str, body: dict[str, Any], now: float) -> JSONResponse | None:
        with self.lock:
            code = self.hook_fail_next.popleft() if self.hook_fail_next else None
        if code is not None:
            return self._hook_error(
                code, "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"
            )
        secret = self.hook_secrets[token]
        if secret is not None:
            ts = str(body.get("timestamp", ""))
            fresh = ts.isdigit() and abs(time.time() - int(ts)) < 3600
            if not fresh or not hmac.compare_digest(
                str(body.get("sign", "")), hook_sign(ts, secret)
            ):
                return self._hook_error(
                    19021, "sign match fail or timestamp is not within one hour from current time"
                )
        if not self.hook_windows[token].hit(now):
            return self._hook_error(
                11232, "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"
            )
        if body.get("msg_type") not in ("interactive", "text", "post"):
            return self._hook_error(9499, "Bad Request")
        return None

    def _hook_error(self, code: int, msg: str) -> JSONResponse:
        with self.lock:
            self.errors[code] += 1
            self.lock.notify_all()
        return JSONResponse({"code": code, "data": {}, "msg": msg})

    # -- long connection ----------------------------------------------------------

    async def _ws_endpoint(self, request: Request) -> JSONResponse:
        body = await request.json()
        if body.get("AppID") != self.app_id or body.get("AppSecret") != self.app_secret:
            return JSONResponse({"code": 514, "msg": "auth failed"})
        conf = {
            "ReconnectCount": -1,
            "ReconnectInterval": 120,
            "ReconnectNonce": 0,
            "PingInterval": 120,
        }
        url = f"ws://127.0.0.1:{self.port}/ws?device_id=dev-1&service_id=7"
        return JSONResponse({"code": 0, "msg": "ok", "data": {"URL": url, "ClientConfig": conf}})

    async def _ws_route(self, ws: WebSocket) -> None:
        await ws.accept()
        with self.lock:
            self._ws = ws
            self.lock.notify_all()
        try:
            while True:
                data = await ws.receive_bytes()
                self._record_ack(data)
        except WebSocketDisconnect:
            pass
        finally:
            with self.lock:
                self._ws = None
                self.lock.notify_all()

    def _record_ack(self, data: bytes) -> None:
        frame = Frame()
        frame.ParseFromString(data)
        if frame.method != FrameType.DATA.value:
            return
        ack = json.loads(frame.payload or b"{}")
        with self.lock:
            self.ws_acks.append(ack)
            if ack.get("data"):
                self.ws_answers.append(json.loads(base64.b64decode(ack["data"])))
            self.lock.notify_all()

    @property
    def ws_connected(self) -> bool:
        return self._ws is not None

    def push_event(self, payload: bytes) -> None:
        """Send one event to the connected long-connection client, as Feishu does."""
        frame = Frame()
        frame.SeqID = next(self._ids)
        frame.LogID = 0
        frame.service = 7
        frame.method = FrameType.DATA.value
        for key, value in {
            "type": MessageType.EVENT.value,
            "message_id": uuid.uuid4().hex,
            "trace_id": uuid.uuid4().hex,
            "sum": "1",
            "seq": "0",
        }.items():
            header = frame.headers.add()
            header.key, header.value = key, value
        frame.payload = payload
        ws, loop = self._ws, self._loop
        if ws is None or loop is None:
            raise RuntimeError("no long-connection client is connected")
        asyncio.run_coroutine_threadsafe(ws.send_bytes(frame.SerializeToString()), loop).result(5)
