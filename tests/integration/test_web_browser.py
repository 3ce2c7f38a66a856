"""The digest page in a real browser: Debian's Chromium, headless, driven by Playwright.

What a reader sees: both sections, every item with its number, a "为什么入选"
toggle that opens the reason and closes it again, and a page that fits a phone.
Skips (with the reason) where Chromium or Playwright is not installed; `.ci/run`
installs both.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.http import create_app
from bot.metrics import Metrics
from pipeline.config import Settings
from pipeline.store import Store
from tests.factories import make_digest
from tests.fakes.live_app import live

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need_browser() -> None:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    pytest.importorskip("playwright.async_api", reason="needs Playwright (pip install playwright)")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    _need_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def site(store: Store, make_settings: Callable[..., Settings]) -> AsyncIterator[str]:
    await store.save_digest(make_digest(), [])
    async with live(create_app(make_settings(), store, metrics=Metrics())) as base:
        yield base


async def test_the_page_shows_both_sections_items_and_a_working_why_toggle(
    browser: Any, site: str, tmp_path: Path
) -> None:
    page = await browser.new_page(viewport={"width": 1024, "height": 900})
    blocked: list[str] = []
    page.on("request", lambda r: blocked.append(r.url) if not r.url.startswith(site) else None)
    await page.goto(site + "/")

    headings = await page.locator("section h2").all_inner_texts()
    numbers = await page.locator("li.item .n").all_inner_texts()
    item3 = page.locator("#item-3")
    reason = item3.locator("dl.why")
    hidden_before = await reason.is_visible()
    await item3.get_by_text("为什么入选").click()
    shown = await reason.is_visible()
    reason_text = await reason.inner_text()
    shot = await page.screenshot(path=str(tmp_path / "digest.png"), full_page=True)
    await item3.get_by_text("为什么入选").click()
    hidden_again = await reason.is_visible()

    assert headings == ["国内动态（14）", "国际动态（13）"]
    assert numbers == [f"{n}、" for n in range(1, 28)]
    assert (hidden_before, shown, hidden_again) == (False, True, False)
    digest = make_digest()
    item = digest.item(3)
    assert item is not None and item.reason in reason_text and item.category in reason_text
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10_000
    assert blocked == []  # no external assets: nothing but our own server was asked


async def test_the_page_fits_a_phone_screen(browser: Any, site: str, tmp_path: Path) -> None:
    page = await browser.new_page(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    await page.goto(site + "/")

    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    font = await page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.text')).fontSize)"
    )
    await page.screenshot(path=str(tmp_path / "phone.png"))

    assert widths[0] <= widths[1], f"the page scrolls sideways on a phone: {widths}"
    assert font >= 14


async def test_long_links_wrap_on_a_phone_and_dark_mode_follows_the_system(
    browser: Any, store: Store, make_settings: Callable[..., Settings]
) -> None:
    digest = make_digest()
    long = "https://example.com/" + "segment-" * 40 + "?q=" + "x" * 120
    digest.sections.domestic[0] = digest.sections.domestic[0].model_copy(
        update={"link": long, "title": "Supercalifragilisticexpialidocious" * 6}
    )
    await store.save_digest(digest, [])
    async with live(create_app(make_settings(), store, metrics=Metrics())) as base:
        colours = []
        for scheme in ("light", "dark"):
            page = await browser.new_page(
                viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme=scheme
            )
            await page.goto(base + "/")
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            colours.append(await page.evaluate("getComputedStyle(document.body).backgroundColor"))
            assert widths[0] <= widths[1], f"{scheme}: the page scrolls sideways: {widths}"

    assert colours[0] != colours[1]


# Every number label: its first and last character on the same line, and inside its box.
NUMBER_LAYOUT = """() => [...document.querySelectorAll('li.item .n')].map(el => {
  const text = el.firstChild, range = document.createRange();
  range.setStart(text, 0); range.setEnd(text, 1);
  const first = range.getBoundingClientRect();
  range.setStart(text, text.length - 1); range.setEnd(text, text.length);
  const last = range.getBoundingClientRect();
  return {label: el.textContent, oneLine: Math.abs(first.top - last.top) < 1,
          fits: el.scrollWidth <= el.clientWidth};
})"""


@pytest.mark.parametrize(
    ("width", "mobile"), [(1280, False), (390, True)], ids=["desktop-1280", "phone-390"]
)
async def test_two_digit_numbers_stay_on_one_line_with_their_mark(
    browser: Any, site: str, width: int, mobile: bool
) -> None:
    """Items 10–27 showed "10" and "、" on two lines at 1280 and 390 px (issue 10)."""
    page = await browser.new_page(viewport={"width": width, "height": 900}, is_mobile=mobile)
    await page.goto(site + "/")

    labels = await page.evaluate(NUMBER_LAYOUT)

    assert [x["label"] for x in labels] == [f"{n}、" for n in range(1, 28)]
    broken = [x["label"] for x in labels if not (x["oneLine"] and x["fits"])]
    assert broken == [], f"numbers wrapped or overflowing at {width} px: {broken}"
