"""Checks shared by the renderer tests: is this valid Telegram HTML, is this Feishu text escaped."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

TELEGRAM_TAGS = {"b", "i", "a", "code", "pre", "blockquote", "u", "s", "tg-spoiler"}
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_OUR_TAG = re.compile(r'</?(?:b|i|a|code|pre|blockquote|u|s|tg-spoiler)(?: href="[^"<>]*")?>')


class TelegramHTML(HTMLParser):
    """Parses one message the way Telegram would refuse it: unknown tags, bad nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.hrefs: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.errors.append(f"tag <{tag}> not allowed")
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"self-closing <{tag}/>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.errors.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.errors.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.errors.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.errors.append("unknown declaration")

    @property
    def text(self) -> str:
        return "".join(self.parts)


def check_telegram_html(message: str) -> TelegramHTML:
    """Parse `message`, asserting Telegram would accept it; returns the parser for more checks."""
    parser = TelegramHTML()
    parser.feed(message)
    parser.close()
    assert not parser.errors, parser.errors
    assert not parser.stack, f"unclosed {parser.stack}"
    # Outside our own tags no raw < or > may remain, and every & starts an entity.
    rest = _ENTITY.sub("", _OUR_TAG.sub("", message))
    assert "<" not in rest and ">" not in rest and "&" not in rest
    for href in parser.hrefs:
        assert href.lower().startswith(("http://", "https://")), href
    return parser


FEISHU_SPECIAL = set("<>*_~`[]()\\")
_FS_LINK = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*)\)")
_FS_MARKUP = re.compile(r"\*\*\d+\.\*\*|\*\*【[^*]*】\*\*|\*\*今日总结\*\*")


def feishu_links(content: str) -> list[str]:
    """The URLs of every [text](url) in a Feishu markdown content."""
    return [m.group(2) for m in _FS_LINK.finditer(content)]


def check_feishu_escaped(content: str) -> str:
    """Assert that, our own markup aside, `content` holds only escaped text; return it decoded."""
    for url in feishu_links(content):
        assert url.lower().startswith(("http://", "https://")), url
    rest = _FS_MARKUP.sub("", _FS_LINK.sub(r"\1", content))
    rest = _ENTITY.sub("", rest)
    assert not FEISHU_SPECIAL & set(rest), sorted(FEISHU_SPECIAL & set(rest))
    assert "&" not in rest
    return html.unescape(content)
