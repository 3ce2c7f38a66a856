"""Feishu events in, command answers out: `@bot /today` in a group, `/why 3` in a private chat.

Two ways in, one way through (`FeishuEvents.dispatch`):

- `handle_http(body, headers)` for `POST /feishu/events`: answers the
  `url_verification` challenge (plain or encrypted), rejects a wrong verification
  token (schema 2.0 `header.token`, 1.0 `token`) or, when FEISHU_ENCRYPT_KEY is
  set, a wrong `X-Lark-Signature` with a 4xx and no reply, decrypts
  `{"encrypt": ...}` bodies, and answers 200 at once (Feishu wants an answer within
  3 s) while the message is handled in a task.
- `start_ws(loop)` / `stop_ws()`: the SDK's long connection (`lark.ws.Client`).
  Its `start()` blocks and drives a loop of its own (lark-oapi 1.7.5 keeps it in
  the module global `lark_oapi.ws.client.loop`, captured at import), so it runs
  in a thread with a fresh loop; each message is handed to the main loop.

`dispatch` answers an `event_id` at most once (`Store.first_event`, 48 h), takes
text messages from private chats and from groups where the bot is @-mentioned,
strips the mention keys (`@_user_1`), asks `Commands.handle`, and replies to
the message with cards (`im.v1.message.reply`), their buttons under the last.

A button press is a `card.action.trigger` callback (schema 2.0), through the same
two doors (lark-oapi's dispatcher for the long connection, `handle_http` for
`POST /feishu/events` and `POST /feishu/card`, token and signature checked alike).
`card_action` answers each event id once, within Feishu's 3 s, with what the
callback response can carry: a toast (votes, refusals) or the updated card (a
view switch, in place). Why and more are replied in the card's thread, as is the
rest of a view too long for one card.
"""

from __future__ import annotations

import asyncio
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import re
import threading
from collections.abc import Coroutine, Mapping
from typing import Any

import lark_oapi as lark
import lark_oapi.ws.client as lark_ws_client
from lark_oapi.api.im.v1 import P2ImMessageReceiveV1
from lark_oapi.core.utils import AESCipher
from lark_oapi.event.callback.model.p2_card_action_trigger import (
    P2CardActionTrigger,
    P2CardActionTriggerResponse,
)

from bot.buttons import INVALID, split_for_edit, tap
from bot.commands import ChatContext, Commands
from bot.feishu import guard as feishu_guard
from bot.feishu.buttons import VALUE_KEY, Card, reply_cards
from bot.feishu.client import FeishuApp, message_uuid
from bot.http_guard import Refused, load_object
from pipeline.config import Settings
from pipeline.errors import DeliveryError
from pipeline.store import Store

log = logging.getLogger(__name__)

MESSAGE_EVENT = "im.message.receive_v1"
CARD_EVENT = "card.action.trigger"
CARD_ANSWER_S = 2.5  # Feishu waits 3 s for a card callback's answer
SORRY = "出错了，请稍后再试"
MENTION_KEY_RE = re.compile(r"@_user_\d+")
# The loop lark-oapi's ws module made at import. We point the module at a loop of our
# own while the long connection runs and put this one back after; holding it here
# keeps it from being collected unclosed in between.
_SDK_LOOP = lark_ws_client.loop


class Rejected(Exception):
    """An event request that fails a check: answered with `status` and no reply."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def decrypt(encrypt_key: str, encrypted: str) -> dict[str, Any]:
    """Open an `{"encrypt": ...}` body: AES-256-CBC, key sha256(encrypt_key), IV first 16 bytes."""
    try:
        plain = AESCipher(encrypt_key).decrypt_str(encrypted)
        data = json.loads(plain)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Rejected(400, "cannot decrypt the event: check FEISHU_ENCRYPT_KEY") from None
    if not isinstance(data, dict):
        raise Rejected(400, "decrypted event is not a JSON object")
    return data


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """`X-Lark-Signature`: sha256 hex of timestamp + nonce + encrypt_key + raw body."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def event_token(payload: Mapping[str, Any]) -> str | None:
    """The verification token an event carries (schema 2.0 header, or 1.0 top level)."""
    header = payload.get("header")
    if isinstance(header, dict) and "token" in header:
        return str(header["token"])
    token = payload.get("token")
    return str(token) if token is not None else None


def strip_mentions(text: str, keys: list[str]) -> str:
    """The command text without the mention placeholders (`@_user_1`) Feishu puts in it."""
    for key in sorted(keys, key=len, reverse=True):  # @_user_12 before @_user_1
        text = text.replace(key, " ")
    return " ".join(MENTION_KEY_RE.sub(" ", text).split())


class FeishuEvents:
    """Feishu's message events → `Commands` → replies. One per process."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        app: FeishuApp | None = None,
        commands: Commands | None = None,
    ) -> None:
        self.settings = settings
        self.cfg = settings.feishu
        self.store = store
        self.commands = commands or Commands(store, settings)
        self._app = app
        self._bot_id: str | None = None
        self._bot_id_known = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._main_loop: asyncio.AbstractEventLoop | None = None
        self._ws_thread: threading.Thread | None = None
        self._ws_loop: asyncio.AbstractEventLoop | None = None
        self._ws_stopping = threading.Event()
        self.dispatcher = (
            lark.EventDispatcherHandler.builder(
                self.cfg.encrypt_key or "", self.cfg.verification_token or ""
            )
            .register_p2_im_message_receive_v1(self._from_sdk)
            .register_p2_card_action_trigger(self._card_from_sdk)
            .build()
        )

    @property
    def app(self) -> FeishuApp:
        if self._app is None:
            self._app = FeishuApp(self.cfg)
        return self._app

    # -- HTTP callback ------------------------------------------------------------

    async def handle_http(
        self, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, dict[str, Any]]:
        """Answer one `POST /feishu/events`: (status, JSON body). Never raises for bad input."""
        try:
            payload = self._open(body, {k.lower(): v for k, v in headers.items()})
            if payload.get("type") == "url_verification":
                return 200, {"challenge": str(payload.get("challenge", ""))}
            header = payload.get("header")
            kind = header.get("event_type") if isinstance(header, dict) else None
            if kind == CARD_EVENT:
                return 200, await self.card_action(feishu_guard.card_event(payload))
            if kind != MESSAGE_EVENT:
                return 200, {"msg": "ignored"}
            event = feishu_guard.message_event(payload)
        except (Rejected, Refused) as exc:
            log.warning("feishu event rejected (%d): %s", exc.status, exc)
            return exc.status, {"msg": str(exc)}
        self._spawn(self.dispatch(event))
        return 200, {"msg": "ok"}

    def _open(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """Parse, decrypt and authenticate one callback body; raises Rejected or Refused."""
        key = self.cfg.encrypt_key
        signed = bool(key and headers.get("x-lark-signature"))
        if signed and key:  # the signature covers the raw body: check it before parsing
            self._check_signature(key, body, headers)
        outer = load_object(body)  # depth-capped: `[` x 100000 is a 400, not a RecursionError
        payload = outer
        if "encrypt" in outer:
            if not key:
                raise Rejected(400, "encrypted event, but FEISHU_ENCRYPT_KEY is not set")
            payload = decrypt(key, str(outer["encrypt"]))
        self._check_token(payload)
        # Feishu signs events, not the challenge, when an encrypt key is set.
        if key and not signed and payload.get("type") != "url_verification":
            self._check_signature(key, body, headers)
        return payload

    def _check_token(self, payload: Mapping[str, Any]) -> None:
        expected = self.cfg.verification_token
        if not expected:
            if not self.cfg.encrypt_key:
                raise Rejected(
                    403, "FEISHU_VERIFICATION_TOKEN is not set: refusing unauthenticated events"
                )
            return
        token = event_token(payload)
        if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
            raise Rejected(403, "wrong verification token (check FEISHU_VERIFICATION_TOKEN)")

    def _check_signature(self, key: str, body: bytes, headers: Mapping[str, str]) -> None:
        ts = headers.get("x-lark-request-timestamp")
        nonce = headers.get("x-lark-request-nonce")
        sig = headers.get("x-lark-signature")
        if not (ts and nonce and sig):
            raise Rejected(401, "missing X-Lark-Signature headers (FEISHU_ENCRYPT_KEY is set)")
        if not hmac.compare_digest(sig, signature(ts, nonce, key, body)):
            raise Rejected(401, "wrong X-Lark-Signature (check FEISHU_ENCRYPT_KEY)")
        feishu_guard.check_fresh(ts)  # a right signature of long ago is a replay

    # -- one message ------------------------------------------------------------

    async def dispatch(self, event: P2ImMessageReceiveV1) -> None:
        """Answer one message event, once per event_id; failures are logged, never raised."""
        event_id = event.header.event_id if event.header is not None else None
        key = feishu_guard.answer_key(event)  # the event id, else the message id
        try:
            if key and not await self.store.first_event("feishu", key):
                log.info("feishu event %s: already answered", key)
                return
            await self._answer(event, event_id or "")
        except DeliveryError as exc:
            log.warning("feishu event %s: reply failed: %s", event_id, exc)
        except Exception:
            log.exception("feishu event %s: could not be answered", event_id)

    async def _answer(self, event: P2ImMessageReceiveV1, event_id: str) -> None:
        data = event.event
        msg = data.message if data is not None else None
        if msg is None or msg.message_type != "text" or not msg.message_id or not msg.chat_id:
            return
        mentions = msg.mentions or []
        group = msg.chat_type != "p2p"
        if group and not await self._mentions_bot(mentions):
            return
        text = strip_mentions(_text_of(msg.content), [m.key for m in mentions if m.key])
        sender = data.sender.sender_id if data is not None and data.sender is not None else None
        user = sender.open_id if sender is not None else None
        admin = bool(user and user in self.settings.feishu.admins)
        ctx = ChatContext(
            channel="feishu",
            chat_id=msg.chat_id,
            chat_type="group" if group else "private",
            user_id=user,
            is_admin=admin,
            # Feishu tells no group roles in the event: feishu.admins may change a group's settings
            can_change_settings=admin or not group,
        )
        reply = await self.commands.handle(ctx, text)
        await self._reply_cards(msg.message_id, reply_cards(reply), event_id)

    async def _reply_cards(
        self, message_id: str, cards: list[Card], event_id: str, first: int = 0
    ) -> None:
        for i, card in enumerate(cards, first):
            await self.app.reply_card(message_id, card, message_uuid(event_id, message_id, i))

    # -- one button press -----------------------------------------------------------

    async def card_action(self, event: P2CardActionTrigger) -> dict[str, Any]:
        """Answer one button press (the callback response body); never raises."""
        event_id = event.header.event_id if event.header is not None else None
        key = event_id or (f"card:{event.event.token}" if event.event and event.event.token else "")
        try:
            if key and not await self.store.first_event("feishu", key):
                log.info("feishu card action %s: already answered", key)
                return {}
            return await self._press(event, key)
        except Exception:
            log.exception("feishu card action %s: could not be answered", key)
            return _toast(SORRY, "error")

    async def _press(self, event: P2CardActionTrigger, key: str) -> dict[str, Any]:
        data = event.event
        assert data is not None  # feishu_guard.card_event and the SDK model see to it
        value = data.action.value if data.action is not None else None
        raw = value.get(VALUE_KEY) if isinstance(value, dict) else None
        where = data.context
        chat = where.open_chat_id if where is not None else None
        message = where.open_message_id if where is not None else None
        if not isinstance(raw, str) or not chat:
            log.info("feishu card action %s: not one of our buttons: %r", key, value)
            return _toast(INVALID, "warning")
        user = data.operator.open_id if data.operator is not None else None
        ctx = ChatContext(
            channel="feishu",
            chat_id=chat,
            user_id=user,
            is_admin=bool(user and user in self.settings.feishu.admins),
        )
        result = await tap(self.commands, ctx, raw)
        if result.mode == "toast" or result.reply is None:
            return _toast(result.toast or INVALID, "info")
        cards = reply_cards(result.reply)
        if result.mode == "edit" and message:
            if await self.store.swap_tapped("feishu", chat, message, raw) == raw:
                return {}  # a double tap: the card already shows it
            first, rest = split_for_edit(cards)
            if rest:
                self._spawn(self._thread(message, rest, key, first=1))
            return {"card": {"type": "raw", "data": first}}
        self._spawn(self._thread(message, cards, key) if message else self._post(chat, cards, key))
        return {}

    async def _post(self, chat: str, cards: list[Card], key: str) -> None:
        """A press whose card Feishu did not name: the answer goes to the chat."""
        try:
            for i, card in enumerate(cards):
                await self.app.send_card(chat, card, message_uuid(key, chat, i))
        except DeliveryError as exc:
            log.warning("feishu card action %s: send failed: %s", key, exc)

    async def _thread(self, message_id: str, cards: list[Card], key: str, first: int = 0) -> None:
        """Reply in the card's thread, in the background (the callback answers within 3 s)."""
        try:
            await self._reply_cards(message_id, cards, key, first)
        except DeliveryError as exc:
            log.warning("feishu card action %s: reply failed: %s", key, exc)

    async def _mentions_bot(self, mentions: list[Any]) -> bool:
        """In a group, answer only when the bot itself is @-mentioned."""
        if not mentions:
            return False
        if not self._bot_id_known:
            self._bot_id = await self.app.bot_open_id()
            self._bot_id_known = self._bot_id is not None
        if (
            self._bot_id is None
        ):  # unknown: any mention will do, Feishu only sends us @-bot messages by default
            return True
        return any(m.id is not None and m.id.open_id == self._bot_id for m in mentions)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait (bounded) for the messages being answered: call before shutting down."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    # -- long connection ----------------------------------------------------------

    def _from_sdk(self, event: P2ImMessageReceiveV1) -> None:
        """Called by the SDK's dispatcher (in the ws thread): hand the event to the main loop."""
        loop = self._main_loop
        if loop is None or loop.is_closed():
            log.warning("feishu ws: event received while the bot is not running; dropped")
            return
        loop.call_soon_threadsafe(self._spawn, self.dispatch(event))

    def _card_from_sdk(self, event: P2CardActionTrigger) -> P2CardActionTriggerResponse:
        """Called by the SDK's dispatcher (in the ws thread): the main loop answers the press."""
        loop = self._main_loop
        if loop is None or loop.is_closed():
            log.warning("feishu ws: button pressed while the bot is not running")
            return P2CardActionTriggerResponse(_toast(SORRY, "error"))
        future = asyncio.run_coroutine_threadsafe(self.card_action(event), loop)
        try:
            answer = future.result(timeout=CARD_ANSWER_S)
        except TimeoutError:
            log.warning("feishu ws: a button press took over %.1f s; answered empty", CARD_ANSWER_S)
            answer = {}
        return P2CardActionTriggerResponse(answer)

    def start_ws(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the long connection in a thread of its own; messages are answered on `loop`."""
        if not self.settings.feishu_app_enabled:
            raise ValueError("the Feishu long connection needs FEISHU_APP_ID and FEISHU_APP_SECRET")
        if self._ws_thread is not None and self._ws_thread.is_alive():
            return
        self._main_loop = loop
        self._ws_stopping.clear()
        self._ws_thread = threading.Thread(target=self._run_ws, name="feishu-ws", daemon=True)
        self._ws_thread.start()

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Use `loop` for messages handed over by the SDK dispatcher (start_ws does this too)."""
        self._main_loop = loop

    def _run_ws(self) -> None:
        ws_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(ws_loop)
        # lark-oapi 1.7.5 runs start() on this module global; point it at our thread's loop.
        lark_ws_client.loop = ws_loop
        client = lark.ws.Client(
            str(self.cfg.app_id),
            str(self.cfg.app_secret),
            event_handler=self.dispatcher,
            domain=self.cfg.domain.rstrip("/"),
            log_level=lark.LogLevel.WARNING,
        )
        self._ws_loop = ws_loop
        try:
            if not self._ws_stopping.is_set():
                client.start()
        except asyncio.CancelledError:
            pass  # stop_ws cancelled it
        except Exception as exc:
            log.error("feishu ws: long connection failed: %s", exc)
        finally:
            _close_ws(ws_loop, client)
            self._ws_loop = None
            lark_ws_client.loop = _SDK_LOOP

    def stop_ws(self, timeout: float = 5.0) -> None:
        """Close the long connection and wait (bounded) for its thread. Blocking: from async
        code call it as `await asyncio.to_thread(events.stop_ws)`."""
        self._ws_stopping.set()
        loop, thread = self._ws_loop, self._ws_thread
        if loop is not None:
            # RuntimeError: the loop closed meanwhile, so the thread is ending anyway.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_cancel_all, loop)
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning(
                    "feishu ws: the long-connection thread did not stop within %.0fs", timeout
                )

    async def aclose(self, timeout: float = 10.0) -> None:
        """Stop the long connection and finish the answers in flight."""
        await asyncio.to_thread(self.stop_ws)
        await self.drain(timeout)


def _toast(text: str, kind: str) -> dict[str, Any]:
    """A callback answer that shows one short line (kind: info, success, warning, error)."""
    return {"toast": {"type": kind, "content": text}}


def _text_of(content: str | None) -> str:
    try:
        data = json.loads(content or "{}")
    except ValueError:
        return ""
    return str(data.get("text", "")) if isinstance(data, dict) else ""


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()


def _close_ws(loop: asyncio.AbstractEventLoop, client: Any) -> None:
    """Close the websocket and the thread's loop without leaving tasks or sockets behind."""
    try:
        _cancel_all(loop)
        pending = asyncio.all_tasks(loop)
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        # lark-oapi 1.7.5 has no public close; _disconnect closes the socket cleanly.
        loop.run_until_complete(client._disconnect())
        loop.run_until_complete(loop.shutdown_asyncgens())
    except Exception as exc:
        log.warning("feishu ws: unclean shutdown: %s", exc)
    finally:
        loop.close()
