"""The status page opened in a real browser (Debian's headless Chromium): it lists the
places, searches and sorts, and asks nothing of any host outside its folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from bot.service import Banwatch
from bot.store import Store

ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the machine's probe starts it: no sandbox (CI runs as root), and none of Chromium's
# own calls home, which a closed network refuses many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def site(tmp_path: Path, corpus_dir: Path) -> tuple[Path, int]:
    async with await Store.open(tmp_path / "site.db") as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        result = await app.map.site(tmp_path / "site")
    return result.path, result.places


async def test_the_page_lists_the_places_and_loads_nothing_from_elsewhere(site) -> None:
    page_path, places = site
    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install chromium"
    requests: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            page.on("request", lambda request: requests.append(request.url))
            await page.goto(page_path.as_uri())
            rows = page.locator("#places tbody tr")
            assert await rows.count() == places > 0
            assert "Springfield" in await page.locator("#places").inner_text()
            # Search narrows the table; clearing it brings every row back.
            await page.fill("#search", "springfield")
            assert 0 < await page.locator("#places tbody tr:visible").count() < places
            await page.fill("#search", "")
            assert await page.locator("#places tbody tr:visible").count() == places
            # Sorting by status puts rows in status order.
            await page.click("#places thead th:nth-child(2) button")
            sort = await page.locator("#places thead th:nth-child(2)").get_attribute("aria-sort")
            assert sort == "ascending"
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "site.png"), full_page=True)
        finally:
            await browser.close()
    folder = page_path.parent.as_uri()
    assert requests and all(url.startswith(folder) for url in requests), requests
