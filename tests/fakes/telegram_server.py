"""A fake Telegram Bot API server: real HTTP on 127.0.0.1, spoken to by python-telegram-bot.

It implements what the bot sends — `POST /bot{token}/{method}` with form or JSON
bodies: getMe, deleteWebhook, setWebhook, getUpdates (long polling with offsets),
sendMessage (recorded per chat; HTML checked as Telegram does; `allow_paid_broadcast`
kept), setMyCommands,
getChatMember, getChat; any other method answers ok. Buttons: `tap()` queues a
`callback_query` update for a button of a message it sent (or forged data);
editMessageText edits a sent message (400 "message is not modified" when nothing
changes, as Telegram answers); answerCallbackQuery is accepted once per query
(a second answer is Telegram's 400 "query is too old … or query ID is invalid");
inline keyboards are checked as Telegram does (callback data 1-64 bytes, at most
8 buttons a row and 100 in all: BUTTON_DATA_INVALID / too many buttons). Channels (`add_channel`) are known by id and "@username", with the
bot's membership in each (administrator that may post, or not, or not a member). Faults are switched on per
chat: 429 with `retry_after`, 403 blocked, group migrated, chat not found, flaky
5xx; `enforce_rate` answers 429 past 30 messages/s overall or 1/s per chat (20/min
per group), counting what it refused. Use it as an async context manager:

    async with FakeTelegram() as tg:
        bot = Bot(tg.token, base_url=tg.base_url)
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "123456:TEST-token"
BOT_ID = 123456
BOT_USERNAME = "AidailyBot"
MAX_LEN = 4096
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "tg-emoji", "code", "pre", "blockquote",
}  # fmt: skip
_TOKEN_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)>|&(?:#\d+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);|[<&]"
)


def check_html(text: str) -> str | None:
    """Telegram's complaint about `text` in HTML parse mode, or None when it parses."""
    stack: list[str] = []
    for m in _TOKEN_RE.finditer(text):
        token = m.group(0)
        if token in ("<", "&"):
            return f"Bad Request: can't parse entities: unexpected {token!r} at byte offset {m.start()}"
        if m.group(2) is None:
            continue  # an entity
        closing, tag = m.group(1) == "/", m.group(2).lower()
        if tag not in ALLOWED_TAGS:
            return f'Bad Request: can\'t parse entities: unsupported start tag "{tag}" at byte offset {m.start()}'
        if not closing:
            stack.append(tag)
        elif not stack or stack.pop() != tag:
            return f"Bad Request: can't parse entities: can't find end tag corresponding to start tag \"{tag}\""
    if stack:
        return f"Bad Request: can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
    return None


def visible_length(text: str, html: bool) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text after parsing entities."""
    if html:
        text = unescape(re.sub(r"<[^<>]+>", "", text))
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Sent:
    chat_id: int
    text: str
    parse_mode: str | None
    link_preview_disabled: bool
    reply_to: int | None
    at: float
    message_id: int = 0
    reply_markup: dict[str, Any] | None = None
    paid: bool = False  # sent with allow_paid_broadcast


@dataclass
class Edit:
    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    at: float


@dataclass
class Answer:
    query_id: str
    text: str | None
    at: float  # monotonic, as `tapped_at`


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class Faults:
    """Per-chat misbehaviour. Counters count down as faults are served."""

    retry_after: dict[int, list[int]] = field(
        default_factory=dict
    )  # chat -> retry_after values to answer
    blocked: set[int] = field(default_factory=set)
    not_found: set[int] = field(default_factory=set)
    migrated: dict[int, int] = field(default_factory=dict)  # old chat id -> new one
    flaky: dict[int, int] = field(default_factory=dict)  # chat -> how many 502s before it works
    global_retry_after: list[int] = field(default_factory=list)  # for the next sends to any chat
    delay_s: float = 0.0  # added to every sendMessage answer (a slow network)
    # Past this many messages, sendMessage is held unanswered and never delivered until
    # `release_held()` (then answered 502): a sender killed meanwhile had nothing delivered.
    hold_after: int | None = None


class FakeTelegram:
    """The fake server and everything it saw."""

    def __init__(self, token: str = TOKEN, *, enforce_rate: bool = False) -> None:
        self.token = token
        self.enforce_rate = enforce_rate
        self.overall_per_s = 30
        self.chat_per_s = 1
        self.group_per_min = 20
        self.faults = Faults()
        self.sent: list[Sent] = []
        self.requests: Counter[str] = Counter()
        self.paid_per_s = 1000  # with allow_paid_broadcast (enforce_rate)
        self.refused_429 = 0
        self.channels: dict[int, dict[str, Any]] = {}  # channel id -> username, title, bot rights
        self.admins: dict[int, set[int]] = defaultdict(
            set
        )  # chat -> user ids that are administrators
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # the bot's messages as shown now
        self.edits: list[Edit] = []
        self.answers: list[Answer] = []
        self.tapped_at: dict[str, float] = {}  # query id -> when the tap was queued (monotonic)
        self.handed_at: dict[str, float] = {}  # query id -> when getUpdates gave it to the bot
        self.refused_answers = 0  # answerCallbackQuery refused: already answered, or unknown
        self._queries = 0
        self._answered_event = asyncio.Event()
        self._updates: list[dict[str, Any]] = []
        self._next_update = 1
        self._next_message = 1
        self._new_update = asyncio.Event()
        self._sent_event = asyncio.Event()
        self._released = asyncio.Event()
        self.held = 0  # sendMessage requests being held (Faults.hold_after)
        self._recent: deque[float] = deque()
        self._last_to: dict[int, deque[float]] = defaultdict(deque)
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    # -- life cycle ---------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The `telegram.base_url` to configure: the token is appended by the client."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def __aenter__(self) -> FakeTelegram:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["POST", "GET"])]
        )
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None and self._task is not None
        self._server.should_exit = True
        self._new_update.set()  # wake long polls so the server can drain
        await self._task

    # -- what the tests drive -----------------------------------------------

    def add_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = {"update_id": self._next_update, **update}
        self._next_update += 1
        self._updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def command(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        title: str = "",
    ) -> int:
        """A user sends `text` (a command) in a chat; returns the message id."""
        user_id = user_id if user_id is not None else abs(chat_id)
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "用户"
        else:
            chat["title"] = title or "群聊"
        message_id = self._message_id()
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": "用户"},
            "text": text,
        }
        head = text.split()[0] if text.split() else ""
        if head.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(head)}]
        self.add_update({"message": message})
        return message_id

    def tap(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> str:
        """A user presses a button carrying `data` under a message; returns the query id.

        The message is the one the bot sent (with its keyboard); a message it never
        sent is shown as Telegram shows an old one it cannot give (date 0).
        """
        user_id = user_id if user_id is not None else abs(chat_id)
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "用户"
        else:
            chat["title"] = "群聊"
        message = self.messages.get((chat_id, message_id))
        shown = dict(message, chat=chat) if message else None
        self._queries += 1
        query_id = f"{BOT_ID}{self._queries:08d}"
        self.tapped_at[query_id] = time.monotonic()
        self.add_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": {"id": user_id, "is_bot": False, "first_name": "用户"},
                    "message": shown or {"chat": chat, "message_id": message_id, "date": 0},
                    "chat_instance": f"ci{abs(chat_id)}",
                    "data": data,
                }
            }
        )
        return query_id

    def keyboard(self, chat_id: int, message_id: int) -> list[list[dict[str, Any]]]:
        """The inline keyboard a message shows now ([] if none)."""
        message = self.messages.get((chat_id, message_id)) or {}
        return list((message.get("reply_markup") or {}).get("inline_keyboard") or [])

    def answered(self, query_id: str) -> list[Answer]:
        return [a for a in self.answers if a.query_id == query_id]

    async def wait_answered(self, query_id: str, timeout: float = 10) -> Answer:
        """Wait until a callback query is answered; its (first) answer."""

        async def until() -> Answer:
            while True:
                got = self.answered(query_id)
                if got:
                    return got[0]
                self._answered_event.clear()
                await self._answered_event.wait()

        return await asyncio.wait_for(until(), timeout)

    def add_channel(
        self,
        chat_id: int,
        username: str | None = None,
        *,
        title: str = "AI 日报",
        status: str = "administrator",
        can_post: bool = True,
    ) -> None:
        """A channel, with the bot's status there ("administrator", "member", "left")."""
        self.channels[chat_id] = {
            "username": username,
            "title": title,
            "status": status,
            "can_post": can_post,
        }

    def to(self, chat_id: int) -> list[Sent]:
        """Messages sent to one chat, in order."""
        return [s for s in self.sent if s.chat_id == chat_id]

    def texts(self, chat_id: int) -> list[str]:
        return [s.text for s in self.to(chat_id)]

    @property
    def duplicates(self) -> int:
        """Messages that repeat an earlier (chat, text) exactly."""
        counts = Counter((s.chat_id, s.text) for s in self.sent)
        return sum(n - 1 for n in counts.values() if n > 1)

    async def wait_sent(
        self, count: int, chat_id: int | None = None, timeout: float = 10
    ) -> list[Sent]:
        """Wait until at least `count` messages were sent (to `chat_id`, if given)."""

        async def until() -> list[Sent]:
            while True:
                got = self.to(chat_id) if chat_id is not None else self.sent
                if len(got) >= count:
                    return got
                self._sent_event.clear()
                await self._sent_event.wait()

        return await asyncio.wait_for(until(), timeout)

    def release_held(self) -> None:
        """Stop holding sends: the held ones fail (502, nothing delivered), new ones go through."""
        self.faults.hold_after = None
        self._released.set()

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    @property
    def queued(self) -> list[dict[str, Any]]:
        """The updates not yet confirmed by the bot, as Telegram would deliver them."""
        return list(self._updates)

    # -- HTTP ---------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        method = request.path_params["method"]
        self.requests[method] += 1
        params = await _params(request)
        handler = getattr(self, f"_api_{method}", None)
        try:
            result = await handler(params) if handler else True
        except ApiError as err:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": err.status,
                "description": err.description,
            }
            if err.parameters:
                body["parameters"] = err.parameters
            return JSONResponse(body, err.status)
        return JSONResponse({"ok": True, "result": result})

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "AI每日动态",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = dict(params)
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = list(params.get("commands") or [])
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:
            # Telegram forgets every update below the offset: they are confirmed.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while not self._updates and not (self._server and self._server.should_exit):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), left)
            except TimeoutError:
                break
        handed = self._updates[:limit]
        now = time.monotonic()
        for update in handed:
            query = update.get("callback_query")
            if query is not None:
                self.handed_at.setdefault(query["id"], now)
        return handed

    def _chat_id(self, value: Any) -> int:
        """A numeric chat id, or a channel's "@username" as Telegram resolves it."""
        text = str(value)
        if text.startswith("@"):
            for chat_id, info in self.channels.items():
                if info["username"] and f"@{info['username']}".lower() == text.lower():
                    return chat_id
            raise ApiError(400, "Bad Request: chat not found")
        return int(text)

    async def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params["chat_id"])
        if chat_id in self.channels:
            info = self.channels[chat_id]
            if info["status"] == "left":
                raise ApiError(400, "Bad Request: chat not found")
            chat = {"id": chat_id, "type": "channel", "title": info["title"]}
            if info["username"]:
                chat["username"] = info["username"]
            return {**chat, "accent_color_id": 0, "max_reaction_count": 11}
        kind = "private" if chat_id > 0 else "supergroup"
        return {
            "id": chat_id,
            "type": kind,
            "title": "群聊",
            "accent_color_id": 0,
            "max_reaction_count": 11,
        }

    async def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = self._chat_id(params["chat_id"]), int(params["user_id"])
        user = {"id": user_id, "is_bot": False, "first_name": "用户"}
        channel = self.channels.get(chat_id)
        if channel is not None and user_id == BOT_ID:
            user = {"id": BOT_ID, "is_bot": True, "first_name": "AI每日动态"}
            if channel["status"] != "administrator":
                return {"status": channel["status"], "user": user}
            return {
                "status": "administrator",
                "user": user,
                **dict.fromkeys(_ADMIN_RIGHTS, False),
                "can_manage_chat": True,
                "can_post_messages": channel["can_post"],
                "can_edit_messages": channel["can_post"],
            }
        if user_id not in self.admins.get(chat_id, set()):
            return {"status": "member", "user": user}
        return {
            "status": "administrator",
            "user": user,
            **{r: r == "can_manage_chat" for r in _ADMIN_RIGHTS},
        }

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.faults.delay_s:
            await asyncio.sleep(self.faults.delay_s)
        hold = self.faults.hold_after
        if hold is not None and len(self.sent) >= hold:
            self.held += 1
            await self._released.wait()
            raise ApiError(502, "Bad Gateway")
        chat_id = self._chat_id(params["chat_id"])
        paid = str(params.get("allow_paid_broadcast", "")).lower() in ("true", "1")
        self._check_faults(chat_id)
        self._check_channel(chat_id)
        self._check_rate(chat_id, paid)
        text = str(params.get("text") or "")
        parse_mode = params.get("parse_mode")
        html = str(parse_mode or "").upper() == "HTML"
        if html and (problem := check_html(text)):
            raise ApiError(400, problem)
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if visible_length(text, html) > MAX_LEN:
            raise ApiError(400, "Bad Request: message is too long")
        markup = _check_markup(params.get("reply_markup"))
        preview = params.get("link_preview_options") or {}
        reply = params.get("reply_parameters") or {}
        reply_to = reply.get("message_id") or params.get("reply_to_message_id")
        now = time.monotonic()
        message_id = self._message_id()
        self.sent.append(
            Sent(
                chat_id,
                text,
                parse_mode,
                bool(preview.get("is_disabled")),
                reply_to,
                now,
                message_id,
                markup,
                paid,
            )
        )
        self._recent.append(now)
        self._last_to[chat_id].append(now)
        self._sent_event.set()
        kind = "channel" if chat_id in self.channels else "private" if chat_id > 0 else "supergroup"
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": kind},
            "from": {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "AI每日动态",
                "username": BOT_USERNAME,
            },
            "text": unescape(re.sub(r"<[^<>]+>", "", text)) if html else text,
            **({"reply_markup": markup} if markup else {}),
        }
        self.messages[(chat_id, message_id)] = {**message, "html": text}
        return {k: v for k, v in message.items()}

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        current = self.messages.get((chat_id, message_id))
        if current is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        text = str(params.get("text") or "")
        html = str(params.get("parse_mode") or "").upper() == "HTML"
        if html and (problem := check_html(text)):
            raise ApiError(400, problem)
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if visible_length(text, html) > MAX_LEN:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = _check_markup(params.get("reply_markup"))
        if text == current["html"] and markup == current.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        self.edits.append(Edit(chat_id, message_id, text, markup, time.monotonic()))
        current.pop("reply_markup", None)
        current.update(
            text=unescape(re.sub(r"<[^<>]+>", "", text)) if html else text,
            html=text,
            edit_date=int(time.time()),
            **({"reply_markup": markup} if markup else {}),
        )
        self._sent_event.set()
        return {k: v for k, v in current.items() if k != "html"}

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        text = params.get("text")
        if query_id not in self.tapped_at or self.answered(query_id):
            self.refused_answers += 1
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answers.append(Answer(query_id, text, time.monotonic()))
        self._answered_event.set()
        return True

    # -- faults and limits --------------------------------------------------

    def _check_faults(self, chat_id: int) -> None:
        f = self.faults
        if f.global_retry_after:
            raise self._too_many(f.global_retry_after.pop(0))
        if f.retry_after.get(chat_id):
            raise self._too_many(f.retry_after[chat_id].pop(0))
        if chat_id in f.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in f.not_found:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in f.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": f.migrated[chat_id]},
            )
        if f.flaky.get(chat_id):
            f.flaky[chat_id] -= 1
            raise ApiError(502, "Bad Gateway")

    def _check_channel(self, chat_id: int) -> None:
        channel = self.channels.get(chat_id)
        if channel is None or channel["status"] == "creator":
            return
        if channel["status"] != "administrator":
            raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
        if not channel["can_post"]:
            raise ApiError(400, "Bad Request: need administrator rights in the channel chat")

    def _check_rate(self, chat_id: int, paid: bool = False) -> None:
        if not self.enforce_rate:
            return
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= (self.paid_per_s if paid else self.overall_per_s):
            raise self._too_many(1)
        last = self._last_to[chat_id]
        window, cap = (60.0, self.group_per_min) if chat_id < 0 else (1.0, self.chat_per_s)
        while last and now - last[0] >= window:
            last.popleft()
        if len(last) >= cap:
            raise self._too_many(1)

    def _too_many(self, retry_after: int) -> ApiError:
        self.refused_429 += 1
        return ApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )

    def _message_id(self) -> int:
        self._next_message += 1
        return self._next_message


def _check_markup(markup: Any) -> dict[str, Any] | None:
    """An inline keyboard as Telegram checks it; raises ApiError as Telegram answers."""
    if not markup:
        return None
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if sum(len(r) for r in rows) > 100:
        raise ApiError(400, "Bad Request: too many buttons")
    for row in rows:
        if not isinstance(row, list) or len(row) > 8:
            raise ApiError(400, "Bad Request: too many buttons in a row")
        for button in row:
            data, url = button.get("callback_data"), button.get("url")
            if not button.get("text") or (data is not None and not 1 <= len(data.encode()) <= 64):
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if (data is None) == (url is None):  # one action a button: a callback or a link
                raise ApiError(400, "Bad Request: can't parse inline keyboard button")
            if url is not None and not re.match(r"(https?|tg)://\S+$", url):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
    return dict(markup)


async def _params(request: Request) -> dict[str, Any]:
    """The method's parameters from a JSON body, a form, or the query string.

    python-telegram-bot sends forms whose complex values are JSON strings.
    """
    params: dict[str, Any] = dict(request.query_params)
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        body = await request.body()
        params.update(json.loads(body) if body else {})
        return params
    if kind.startswith("application/x-www-form-urlencoded"):
        # Parsed by hand: starlette's form parser needs python-multipart.
        for key, value in parse_qsl((await request.body()).decode(), keep_blank_values=True):
            params[key] = json.loads(value) if key in _JSON_FIELDS else value
    return params


_ADMIN_RIGHTS = (
    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
    "can_manage_video_chats", "can_restrict_members", "can_promote_members", "can_change_info",
    "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
)  # fmt: skip

_JSON_FIELDS = {
    "link_preview_options", "reply_parameters", "reply_markup", "commands", "entities",
    "allowed_updates", "scope",
}  # fmt: skip
