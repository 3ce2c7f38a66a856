"""The `aidaily` command.

Exit codes (README, "Commands"): 0 success; 1 a runtime failure; 2 bad usage or an
invalid config. Every failure prints one line on stderr naming what is wrong,
never a traceback (set AIDAILY_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from pipeline.config import RedisSettings, Settings, load_settings
from pipeline.errors import AidailyError
from pipeline.models import Digest, Item, PoolItem, Tally, iso_date
from pipeline.redact import SCRUB, secrets_of

if TYPE_CHECKING:  # imported when a command opens it: see `connect`
    from bot.buttons import Button
    from bot.commands import ChatContext, Commands
    from pipeline.store import Store

log = logging.getLogger("aidaily")

PushChannel = Literal["all", "telegram", "feishu"]
FORMATS = ("text", "markdown", "telegram", "feishu", "json")
SECTIONS = ("all", "domestic", "international")


class UsageError(AidailyError):
    exit_code = 2


class Terminated(AidailyError):
    exit_code = 128 + signal.SIGTERM  # what a shell reports for a process SIGTERM ended


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage in one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _date_arg(text: str) -> str:
    day = iso_date(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}")
    return day.isoformat()


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected an item number (1, 2, 3 …), got {text!r}")
    return int(text)


def _version() -> str:
    """The installed package's version (pyproject.toml), or "unknown" when run from a bare tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("aidaily")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    config_help = "config file (default ./config.yaml, then $AIDAILY_CONFIG)"
    parser = _Parser(prog="aidaily", description="AI news digest: build, show, push and serve.")
    parser.add_argument("--config", metavar="PATH", help=config_help)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    # Accepted after the command too; SUPPRESS keeps `aidaily --config F run` from being
    # overwritten by the subcommand's own (absent) --config.
    common = _Parser(add_help=False)
    common.add_argument("--config", metavar="PATH", help=config_help, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "run", parents=[common], help="fetch the feeds, curate, store and print the day's digest"
    )
    p.add_argument(
        "--date",
        type=_date_arg,
        help="report date YYYY-MM-DD (default: today in the configured timezone)",
    )
    p.add_argument("--json", metavar="PATH", help="also write the digest JSON to PATH")
    p.add_argument("--push", action="store_true", help="then deliver it to every target")

    p = sub.add_parser("show", parents=[common], help="render a stored digest as a channel would")
    p.add_argument(
        "--date", type=_date_arg, help="digest date (default: today's, else the latest stored)"
    )
    p.add_argument("--section", choices=SECTIONS, default="all")
    p.add_argument("--brief", action="store_true", help="精简版 only")
    p.add_argument(
        "--why", type=_positive, metavar="N", help="why item N was selected (the answer to /why N)"
    )
    p.add_argument("--format", choices=FORMATS, default="text")

    p = sub.add_parser(
        "push", parents=[common], help="deliver a stored digest now (safe to repeat)"
    )
    p.add_argument("--date", type=_date_arg, help="digest date (default: today)")
    p.add_argument("--channel", choices=("all", "telegram", "feishu"), default="all")

    sub.add_parser(
        "serve", parents=[common], help="the long-running service: schedule, bots, HTTP server"
    )
    sub.add_parser(
        "chat",
        parents=[common],
        help="the bot in the terminal: type the same commands as in Telegram",
    )
    sub.add_parser(
        "check",
        parents=[common],
        help="validate the config and reach Redis, the LLM, Telegram and Feishu",
    )
    return parser


# -- commands -------------------------------------------------------------------


async def connect(redis: RedisSettings) -> Store:
    """`pipeline.store.connect`, imported only here: worker processes re-import this
    module (multiprocessing re-runs `__main__` in each), and they have no use for redis."""
    from pipeline.store import connect as connect_

    return await connect_(redis)


async def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.render import View, render_json, render_text
    from pipeline.run import make_curator, run, run_line

    day = date.fromisoformat(args.date) if args.date else settings.today()
    store = await connect(settings.redis)
    try:
        curator = make_curator(settings, store)
        with _progress() as say:
            result = await run(settings, day, store, curator=curator, progress=say)
        digest = result.digest
        sys.stdout.write(render_text(digest, View(brief_count=settings.digest.brief)) + "\n")
        if args.json:
            _write(Path(args.json), render_json(digest))
        _err(run_line(digest))
        if digest.curator.kind == "llm" or settings.llm_enabled:
            from pipeline.curate.llm import cost_line

            _err(cost_line(digest.curator))
        if args.push:
            return await _push(settings, store, digest.date, "all")
        return 0
    finally:
        await store.close()


async def cmd_show(settings: Settings, args: argparse.Namespace) -> int:
    store = await connect(settings.redis)
    try:
        digest = await _find_digest(settings, store, args.date)
        # `--why N` answers for the day's left-out stories too, as /why N does, with its votes
        pool = await store.get_pool(digest.date) if args.why is not None else []
        item = _why_item(digest, pool, args.why)
        tally = await store.item_votes(digest.date, item.id) if item is not None else None
        sys.stdout.write(_render_show(settings, digest, args, pool, tally) + "\n")
        return 0
    finally:
        await store.close()


def _why_item(digest: Digest, pool: Sequence[PoolItem], n: int | None) -> Item | None:
    """Item `n` of the digest, or of the day's left-out stories (pool numbers follow)."""
    if n is None:
        return None
    return digest.item(n) or next((it for it in pool if it.n == n), None)


def _render_show(
    settings: Settings,
    digest: Digest,
    args: argparse.Namespace,
    pool: Sequence[PoolItem] = (),
    votes: Tally | None = None,
) -> str:
    """What `show` prints; with --why, `votes` are the item's (shown as /why shows them)."""
    from pipeline import render

    if args.why is not None:
        item = _why_item(digest, pool, args.why)
        if item is None:
            total = len(digest.items)
            left = f" (left out: {pool[0].n}–{pool[-1].n})" if pool else ""
            raise UsageError(
                f"--why: no item {args.why} in the digest of {digest.date}; "
                f"it has items 1–{total}{left}"
            )
        notes = render.WhyNotes(up=votes.up, down=votes.down) if votes is not None else None
        whys: dict[str, Callable[[Digest, Any, Any], Any]] = {
            "text": render.render_text_why,
            "markdown": render.render_markdown_why,
            "telegram": render.render_telegram_why,
            "feishu": render.render_feishu_why,
            "json": lambda _d, it, _n: it.model_dump_json(indent=2),
        }
        return _as_text(whys[args.format](digest, item, notes))
    view = render.View(section=args.section, brief=args.brief, brief_count=settings.digest.brief)
    views: dict[str, Callable[[Digest, Any], Any]] = {
        "text": render.render_text,
        "markdown": render.render_markdown,
        "telegram": render.render_telegram,
        "feishu": render.render_feishu,
        "json": lambda d, _v: render.render_json(d),
    }
    return _as_text(views[args.format](digest, view))


def _as_text(out: Any) -> str:
    """Renderers return a string, a list of messages, or a list of cards."""
    if isinstance(out, str):
        return out
    if out and isinstance(out[0], dict):
        return json.dumps(out, ensure_ascii=False, indent=2)
    return "\n\n".join(out)


async def _find_digest(settings: Settings, store: Store, day: str | None) -> Digest:
    if day:
        digest = await store.read_digest(day)  # a corrupted one: UnreadableDigest, one line
        if digest is None:
            raise AidailyError(f"no digest stored for {day}; run `aidaily run --date {day}` first")
        return digest
    digest = await store.get_digest(settings.today().isoformat()) or await store.latest_digest()
    if digest is None:
        raise AidailyError("no digest stored yet; run `aidaily run` first")
    return digest


async def cmd_push(settings: Settings, args: argparse.Namespace) -> int:
    store = await connect(settings.redis)
    try:
        day = args.date or settings.today().isoformat()
        if await store.get_digest(day) is None:
            raise AidailyError(f"no digest stored for {day}; run `aidaily run --date {day}` first")
        return await _push(settings, store, day, args.channel)
    finally:
        await store.close()


async def _push(settings: Settings, store: Store, day: str, channel: PushChannel) -> int:
    from bot.push import push

    if not settings.telegram_enabled and not settings.feishu_enabled:
        # Nothing was delivered: a cron job or the operator must hear it, not see success.
        raise AidailyError(
            "no channel configured: set TELEGRAM_BOT_TOKEN, FEISHU_APP_ID/FEISHU_APP_SECRET or FEISHU_WEBHOOK_URL"
        )
    report = await push(settings, store, day, channel=channel)
    _err(report.line())
    return 0 if report.ok else 1


async def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.service import serve

    await serve(settings)
    return 0


async def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.commands import ChatContext, Commands

    store = await connect(settings.redis)
    commands = Commands(store, settings)
    ctx = ChatContext(
        channel="console", chat_id="console", title="terminal", user_id="console", is_admin=True
    )
    interactive = sys.stdin.isatty()
    if interactive:
        print("aidaily chat — 输入 /help 查看命令，输入按钮编号即点按，Ctrl-D 退出。")
    session = _ChatSession(commands, ctx)
    try:
        while True:
            line = await asyncio.to_thread(_read_line, interactive)
            if line is None:
                return 0
            if line.strip():
                print(await session.answer(line.strip()), flush=True)
    finally:
        await store.close()


class _ChatSession:
    """`aidaily chat`: a command, or the number of a button under the last answer."""

    def __init__(self, commands: Commands, ctx: ChatContext) -> None:
        self.commands = commands
        self.ctx = ctx
        self.choices: list[Button] = []  # the buttons under the last answer, numbered from 1

    async def answer(self, line: str) -> str:
        from bot.buttons import keyboard, render_choices, tap
        from bot.commands import reply_to_text

        if line.isdigit() and self.choices:
            k = int(line)
            if not 1 <= k <= len(self.choices):
                return f"没有按钮 {k}：请输入 1 到 {len(self.choices)}，或一条命令（/help）。"
            pressed = await tap(self.commands, self.ctx, self.choices[k - 1].data)
            if pressed.reply is None or pressed.mode == "toast":
                return f"〔{pressed.toast}〕"  # a toast: the buttons above stay
            reply = pressed.reply
        else:
            reply = await self.commands.handle(self.ctx, line)
        rows = keyboard(reply)
        self.choices = [b for row in rows for b in row]
        text = reply_to_text(reply)
        return f"{text}\n\n{render_choices(rows)}" if rows else text


def _read_line(interactive: bool) -> str | None:
    try:
        return input("> ") if interactive else sys.stdin.readline() or None
    except EOFError:
        return None


async def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.check import WARN_ONLY, check_all, check_feeds

    results: list[tuple[str, bool, str]] = [
        ("config", True, f"{settings.config_path}: {len(settings.feeds)} feeds")
    ]
    services, feeds = await asyncio.gather(check_all(settings), check_feeds(settings))
    results.extend(services)
    for name, ok, text in [*results, *feeds]:
        # One feed failing is a warning, as in `run`; the "feeds" line and services can FAIL.
        # So is the paid-broadcast line: a warning about Stars, not a fault.
        status = "ok" if ok else "warn" if name in WARN_ONLY else "FAIL"
        print(SCRUB(f"{name:<9} {status:<4}  {text}"))
    # As in `run`, one failing feed is reported, not fatal: the "feeds" line decides.
    summary = [ok for name, ok, _ in feeds if name == "feeds"]
    return 0 if all(ok or name in WARN_ONLY for name, ok, _ in results) and all(summary) else 1


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "run": cmd_run,
    "show": cmd_show,
    "push": cmd_push,
    "serve": cmd_serve,
    "chat": cmd_chat,
    "check": cmd_check,
}


# -- plumbing -------------------------------------------------------------------


class _progress:
    """A rich status line on stderr when stdout is a terminal; silent otherwise."""

    def __enter__(self) -> Callable[[str], None]:
        self._status = None
        if sys.stdout.isatty() and sys.stderr.isatty():
            from rich.console import Console

            self._status = Console(stderr=True).status("starting")
            self._status.start()
            return lambda msg: self._status.update(msg) if self._status else None
        return lambda _msg: None

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise AidailyError(f"--json: cannot write {path}: {exc.strerror}") from None


def _err(line: str) -> None:
    print(SCRUB(line), file=sys.stderr, flush=True)


async def _stoppable(command: Coroutine[Any, Any, int]) -> int:
    """Run a one-shot command so that SIGTERM cancels it: its `finally` blocks then stop the
    embedded Redis and the worker processes, which the default action (die at once)
    would leave running."""
    task = asyncio.ensure_future(command)
    loop = asyncio.get_running_loop()
    stopped: list[bool] = []

    def on_sigterm() -> None:
        if not stopped:  # once: a second SIGTERM must not cut the clean-up short
            stopped.append(True)
            task.cancel()

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        return await task
    except asyncio.CancelledError:
        if stopped:
            raise Terminated("stopped by SIGTERM") from None
        raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def _setup_logging(command: str) -> None:
    """The service logs every event; one-shot commands print their own summary and log warnings."""
    from bot.logs import setup_logging

    level = os.environ.get("AIDAILY_LOG_LEVEL") or ("INFO" if command == "serve" else "WARNING")
    setup_logging(level)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    _setup_logging(args.command)
    # PTB 22's time periods as timedelta (the next major version's default); otherwise
    # every RetryAfter warns, from inside PTB, that its int form is deprecated.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        settings = load_settings(args.config)
        SCRUB.add(secrets_of(settings))
        command = COMMANDS[args.command](settings, args)
        # `serve` owns its signals; a one-shot command stops cleanly on SIGTERM.
        return asyncio.run(command if args.command == "serve" else _stoppable(command))
    except KeyboardInterrupt:
        return 130
    except AidailyError as exc:
        if os.environ.get("AIDAILY_DEBUG"):
            raise
        _err(f"aidaily {args.command}: {exc}")
        return exc.exit_code
    except Exception as exc:  # a bug, not bad input: still one line, with the trace in the log
        if os.environ.get("AIDAILY_DEBUG"):
            raise
        log.debug("unexpected error", exc_info=True)
        _err(
            f"aidaily {args.command}: unexpected {type(exc).__name__}: {exc} (AIDAILY_DEBUG=1 shows the traceback)"
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
