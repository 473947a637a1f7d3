#!/usr/bin/env python3
"""Screenshots of the portal at phone width (390 × 844 px) for the README: docs/screenshots/.

A developer's tool, not a test (tests/portal/test_phone.py checks every page type at this width).
Start the portal with the demo data (`make run`), then:

    .venv/bin/python scripts/phone_screenshots.py http://127.0.0.1:8000

Each picture is one screen as a visitor sees it, scrolled to where the page's point is: the
meeting's agenda (its table of contents), the case paper, the case list's cards, the action
plan's measures, a search, and the menu opened over a page.
"""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
# name: (address, the element scrolled to the top of the screen or None, open the menu)
SHOTS = {
    "phone-meeting": ("/troms-ofoten/fsu-bu/moter/2023-05-12/", "#agenda", False),
    "phone-case": ("/troms-ofoten/fsu-bu/saker/2023/8/", None, False),
    "phone-case-list": ("/troms-ofoten/saker/?body=fsu-bu", "main .table-wrap", False),
    "phone-action-plan": ("/troms-ofoten/handlingsplaner/handlingsplan-2023/", "main .measures", False),
    "phone-search": ("/sok/?q=palliativ", None, False),
    "phone-menu": ("/troms-ofoten/fsu-bu/moter/2023-05-12/", None, True),
}


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport=PHONE)
        for name, (url, element, menu) in SHOTS.items():
            page.goto(base.rstrip("/") + url)
            if element:
                box = page.locator(element).first.bounding_box()
                page.evaluate("(y) => window.scrollTo(0, y)", box["y"] - 8)
            if menu:
                page.locator(".site-header summary").click()
            page.screenshot(path=OUT / f"{name}.png")
            print(OUT / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
