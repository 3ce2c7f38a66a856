"""The push's own Bot API transport (`bot.telegram.request.PushRequest` on aiohttp, and the
push's `sendMessage` through `PushRequest.call`) against the fake Bot API: a chat gets
exactly what `Bot.send_message` on PTB's stock transport would have sent, and every
refusal raises the same python-telegram-bot error, so the push's retry and give-up
rules (`bot.telegram.errors.classify`) see no difference.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.buttons import keyboard
from bot.commands import Reply
from bot.telegram.bot import markup
from bot.telegram.push import TelegramChannel, push_bot
from bot.telegram.request import PushRequest
from pipeline.config import Settings
from pipeline.render import View
from pipeline.store import Store
from tests.factories import make_digest
from tests.fakes.telegram_server import TOKEN, FakeTelegram

HTML = "<b>AI 每日动态</b>\n1. 🔥 <a href='https://example.com/a?x=1&amp;y=2'>标题</a> “引号” &amp; emoji 🚀"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


def _settings(make_settings: Callable[..., Settings], tg: FakeTelegram, paid: bool) -> Settings:
    telegram = {"base_url": tg.base_url, "paid_broadcast": paid}
    return make_settings({"telegram": telegram}, {"TELEGRAM_BOT_TOKEN": TOKEN})


@pytest.mark.parametrize("paid", [False, True])
async def test_a_pushed_part_is_what_send_message_sends(
    tg: FakeTelegram, store: Store, make_settings: Callable[..., Settings], paid: bool
) -> None:
    settings = _settings(make_settings, tg, paid)
    buttons = markup(keyboard(Reply(digest=make_digest(), view=View())))
    async with Bot(TOKEN, base_url=tg.base_url) as stock:  # PTB's own HTTPXRequest
        await stock.send_message(
            chat_id=1,
            text=HTML,
            parse_mode="HTML",
            link_preview_options={"is_disabled": True},  # type: ignore[arg-type]
            reply_markup=buttons,
            allow_paid_broadcast=True if paid else None,
        )
    async with push_bot(settings) as bot:
        assert isinstance(bot.request, PushRequest)
        channel = TelegramChannel(settings, store, bot)
        await channel.send_part("2", "2026-02-03", 0, HTML)  # no keyboard on a first part
        await channel._sender("3").send(2, HTML, buttons)  # the last part's keyboard
    (want,), (plain,), (pushed,) = tg.to(1), tg.to(2), tg.to(3)
    fields = ("text", "parse_mode", "link_preview_disabled", "reply_to", "reply_markup", "paid")
    for name in fields:
        assert getattr(pushed, name) == getattr(want, name), name
    assert plain.reply_markup is None and plain.text == HTML and plain.paid == paid


def _fault(tg: FakeTelegram, kind: str, chat: int) -> None:
    f = tg.faults
    if kind == "retry_after":
        f.retry_after[chat] = [7, 7]
    elif kind == "blocked":
        f.blocked.add(chat)
    elif kind == "not_found":
        f.not_found.add(chat)
    elif kind == "migrated":
        f.migrated[chat] = -1000 + chat
    else:
        f.flaky[chat] = 2


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("retry_after", RetryAfter),
        ("blocked", Forbidden),
        ("not_found", BadRequest),
        ("migrated", ChatMigrated),
        ("flaky", NetworkError),
    ],
)
async def test_a_refusal_raises_what_send_message_raises(
    tg: FakeTelegram, kind: str, error: type[Exception]
) -> None:
    _fault(tg, kind, -5)
    async with Bot(TOKEN, base_url=tg.base_url) as stock:
        with pytest.raises(error) as by_ptb:
            await stock.send_message(chat_id=-5, text="x")
    request = PushRequest(4)
    await request.initialize()
    try:
        with pytest.raises(error) as by_push:
            await request.call(f"{tg.base_url}{TOKEN}/sendMessage", {"chat_id": -5, "text": "x"})
    finally:
        await request.shutdown()
    assert type(by_push.value) is type(by_ptb.value)
    assert str(by_push.value) == str(by_ptb.value)
    if isinstance(by_ptb.value, RetryAfter):
        assert by_push.value.retry_after == by_ptb.value.retry_after  # type: ignore[attr-defined]
    if isinstance(by_ptb.value, ChatMigrated):
        assert by_push.value.new_chat_id == by_ptb.value.new_chat_id  # type: ignore[attr-defined]


async def test_html_refused_falls_back_to_plain_text_on_the_push_path(
    tg: FakeTelegram, store: Store, make_settings: Callable[..., Settings]
) -> None:
    async with push_bot(_settings(make_settings, tg, False)) as bot:
        channel = TelegramChannel(_settings(make_settings, tg, False), store, bot)
        await channel.send_part("16", "2026-02-03", 0, "<b>未闭合的标签 &amp; 符号")
    (sent,) = tg.to(16)
    assert sent.parse_mode is None and sent.text == "未闭合的标签 & 符号"


@contextlib.asynccontextmanager
async def _silent_server() -> AsyncIterator[int]:
    """A server that takes connections and requests and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_server_that_never_answers_is_timed_out() -> None:
    async with _silent_server() as port:
        request = PushRequest(2, read_timeout=0.3, connect_timeout=2, write_timeout=2)
        await request.initialize()
        started = time.monotonic()
        try:
            with pytest.raises(TimedOut):
                await request.call(f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage", {"x": 1})
        finally:
            await request.shutdown()
        assert time.monotonic() - started < 5


async def test_a_call_may_set_its_own_read_timeout() -> None:
    async with _silent_server() as port:
        request = PushRequest(2, read_timeout=30)
        await request.initialize()
        try:
            with pytest.raises(TimedOut):
                url = f"http://127.0.0.1:{port}/bot{TOKEN}/getMe"
                await request.post(url, read_timeout=0.3)
        finally:
            await request.shutdown()


async def test_a_closed_port_is_a_network_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the call
    request = PushRequest(2)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.call(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", {})
    finally:
        await request.shutdown()
    assert not isinstance(raised.value, TimedOut)


async def test_a_shut_request_refuses_until_initialized_again(tg: FakeTelegram) -> None:
    request = PushRequest(2)
    await request.initialize()
    await request.shutdown()
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps what we raise
        await request.post(f"{tg.base_url}{TOKEN}/getMe")
    await request.initialize()
    try:
        me: Any = await request.post(f"{tg.base_url}{TOKEN}/getMe")
    finally:
        await request.shutdown()
    assert me["is_bot"] is True


async def test_a_file_goes_as_multipart_form_data() -> None:
    """The transport also carries files (PTB's `BaseRequest` contract), as a multipart form."""
    from telegram import InputFile
    from telegram.request import RequestData
    from telegram.request._requestparameter import RequestParameter

    got: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        got.append(head + await reader.readexactly(length))
        body = b'{"ok":true,"result":true}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = PushRequest(2)
    await request.initialize()
    try:
        data = RequestData(
            [
                RequestParameter.from_input("chat_id", 7),
                RequestParameter.from_input("document", InputFile(b"digest bytes", "d.txt")),
            ]
        )
        assert await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/sendDocument", data)
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()
    (sent,) = got
    assert b"multipart/form-data; boundary=" in sent
    assert b'name="chat_id"' in sent and b"\r\n\r\n7\r\n" in sent
    assert b'filename="d.txt"' in sent and b"digest bytes" in sent
