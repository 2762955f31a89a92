"""Headless Chromium (Debian's package) driven by Playwright.

Playwright's own browser download is not used: agencies' machines and CI
install Chromium from the distribution. Without it the browser tests are
skipped, unless TINHSO_REQUIRE_BROWSER=1 (CI) turns that into a failure.
"""

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


# Per module: Playwright keeps an event loop running in this thread while
# open, and later tests that sign PDFs (pyHanko runs its own loop) need none.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        if os.environ.get("TINHSO_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "Chromium is required (TINHSO_REQUIRE_BROWSER=1) but not installed."
            )
        pytest.skip("Chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls
    # the tests make around it are still ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 860}
    )
    # Everything a page loads must come from the platform itself.
    outside: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server.url)
            or route.request.url.startswith("data:")
            else (outside.append(route.request.url), route.abort())
        ),
    )
    opened = context.new_page()
    opened.outside_requests = outside
    yield opened
    context.close()
