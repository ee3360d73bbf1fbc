"""Headless Chromium for the HTML-view tests and benchmark (Debian's ``chromium``, no download).

``browser()`` yields a Playwright browser launched from the system Chromium.
When Chromium or Playwright is missing the tests skip with the reason, except
under ``CI=true``, where they fail: CI installs Chromium, so its absence is a
broken setup, not something to skip over.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM_ARGS", "chromium_path", "launch", "missing_reason", "open_offline"]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The system Chromium (``$KG_CHROMIUM`` overrides)."""
    env = os.environ.get("KG_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright is not installed (pip install playwright)"
    if chromium_path() is None:
        return "no system Chromium (apt-get install -y chromium, or set KG_CHROMIUM)"
    return None


@contextmanager
def launch() -> Iterator[Any]:
    """A headless Chromium browser (Playwright), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class PageRecord:
    """What a page did: console errors, page errors, requests it tried, dialogs it opened."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []


@contextmanager
def open_offline(browser: Any, path: str | os.PathLike[str], *, width: int = 1280,
                 height: int = 800, init_script: str | None = None) -> Iterator[tuple[Any, PageRecord]]:
    """Open *path* (a file) with the network off: every request other than the file itself
    and ``data:``/``blob:`` URLs is aborted and recorded. *init_script* runs before the page's own."""
    record = PageRecord()
    url = Path(path).resolve().as_uri()
    context = browser.new_context(viewport={"width": width, "height": height}, offline=True,
                                  service_workers="block")
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()

    def on_route(route: Any) -> None:
        req_url = route.request.url
        if req_url == url or req_url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            record.requests.append(req_url)
            route.abort()

    page.route("**/*", on_route)
    page.on("request", lambda r: None if r.url == url or r.url.startswith(("data:", "blob:"))
            else record.requests.append(r.url))
    page.on("console", lambda m: record.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: record.page_errors.append(str(e)))

    def on_dialog(d: Any) -> None:
        record.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    try:
        page.goto(url, wait_until="load")
        yield page, record
    finally:
        context.close()


def wait_until(page: Any, expression: str, *, timeout: float = 15000) -> None:
    """Poll *expression* with ``page.evaluate`` until it is truthy (or fail after *timeout* ms).

    Playwright's ``wait_for_function`` evaluates a string predicate with ``eval`` inside the page
    once it has to poll, which kg's Content-Security-Policy (no 'unsafe-eval') rightly refuses; so
    whether it worked depended on how fast the page was. ``page.evaluate`` runs outside the CSP.
    """
    waited = 0.0
    while not page.evaluate(f"!!({expression})"):
        if waited >= timeout:
            raise AssertionError(f"timed out after {timeout:.0f} ms waiting for {expression}")
        page.wait_for_timeout(50)
        waited += 50
