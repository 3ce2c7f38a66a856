"""Whatever the feeds say, Telegram gets valid HTML and Feishu gets escaped cards within limits."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.models import Digest, Item, Mention
from pipeline.render import View, render_feishu, render_telegram, render_telegram_why
from pipeline.render.feishu import card_size
from pipeline.render.telegram import LIMIT, utf16_len
from pipeline.render.view import one_line
from tests.factories import make_digest, make_item
from tests.unit.render_checks import check_feishu_escaped, check_telegram_html, feishu_links

HOSTILE = st.sampled_from(
    ["<", ">", "&", '"', "'", "<b>", "</a>", "&amp;", "&#x27;", "*", "_", "~", "`", "[", "](", ")",
     "\\", "<at id=all></at>", "🔥", "👨‍👩‍👧", "\U0001f9ea", "𠮷", "\n", "\u202e", "javascript:"]
)  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(HOSTILE, st.text(max_size=8)), max_size=30).map("".join),
    # Longer than a message on its own; built by repetition to keep examples cheap.
    st.builds(
        lambda s, k: s * k,
        st.one_of(HOSTILE, st.text(min_size=1, max_size=6)),
        st.integers(400, 3000),
    ),
)
LINK = st.one_of(
    st.just("javascript:alert(1)"),
    st.just("data:text/html,<b>x</b>"),
    st.text(max_size=30),
    st.builds(lambda s: "https://example.com/" + s, st.text(max_size=40)),
)


@st.composite
def items(draw: st.DrawFn, n: int) -> Item:
    return make_item(
        n=n,
        title=draw(TEXT),
        summary=draw(TEXT),
        category=draw(st.text(max_size=20)),
        reason=draw(TEXT),
        tags=draw(st.lists(TEXT, max_size=4)),
        source=draw(TEXT),
        link=draw(LINK),
        importance=draw(st.sampled_from(["high", "medium", "low"])),
        also_reported_by=draw(
            st.lists(
                st.builds(Mention, source=TEXT, feed=st.just("f"), link=LINK, title=TEXT),
                max_size=3,
            )
        ),
    )


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    n_dom = draw(st.integers(0, 3))
    n_int = draw(st.integers(0, 2))
    domestic = [draw(items(i + 1)) for i in range(n_dom)]
    international = [draw(items(n_dom + i + 1)) for i in range(n_int)]
    base = make_digest(0, 0)
    sections = base.sections.model_copy(
        update={"domestic": domestic, "international": international}
    )
    return base.model_copy(update={"sections": sections, "summary": draw(TEXT)})


PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fields(item: Item) -> list[str]:
    return [item.summary, item.reason, item.source, item.category, *item.tags]


@PROPS
@given(digests(), st.booleans())
def test_telegram_messages_are_valid_html_within_the_limit(digest: Digest, brief: bool) -> None:
    messages = render_telegram(digest, View(brief=brief))
    seen: list[int] = []
    for message in messages:
        assert utf16_len(message) <= LIMIT
        parsed = check_telegram_html(message)
        seen += [it.n for it in digest.items if f"\n{it.n}. " in "\n" + parsed.text]
    assert sorted(set(seen)) == [it.n for it in _shown(digest, brief)]
    for item in digest.items:
        (answer,) = render_telegram_why(digest, item)
        assert utf16_len(answer) <= LIMIT
        check_telegram_html(answer)


def _shown(digest: Digest, brief: bool) -> list[Item]:
    if not brief:
        return digest.items
    return digest.sections.domestic[:5] + digest.sections.international[:5]


@PROPS
@given(digests(), st.booleans())
def test_feishu_cards_hold_only_escaped_feed_text_within_the_limit(
    digest: Digest, hook: bool
) -> None:
    cards = render_feishu(digest, for_webhook=hook)
    limit = 20_000 if hook else 30_000
    decoded: list[str] = []
    for card in cards:
        assert card_size(card) <= limit
        for element in card["elements"]:
            if element["tag"] == "markdown":
                decoded.append(check_feishu_escaped(element["content"]))
                for url in feishu_links(element["content"]):
                    assert url.startswith("https://example.com/")
    everything = "\n".join(decoded)
    for item in digest.items:
        for text in _fields(item):
            # Short texts are never clipped: they must read exactly as the feed wrote them.
            if len(text) < 50 and all(len(f) < 50 for f in _fields(item)):
                assert one_line(text) in everything
