"""The browser-test harness: Debian's Chromium driven by Playwright against a live server.

Fixtures: `browser` (one Chromium per test module), `page` (a fresh context and page per
test, 1280×800), `live_url` (the live server's base URL), `asgi_url` (clarion.asgi served by
uvicorn, for pages that need websockets). Helpers, importable with
`from tests.browser.conftest import login, assert_accessible, drag`:
`login(page, email, password)` signs in through the real form, `assert_accessible(page)`
fails on any axe-core WCAG 2 A/AA violation and `drag(page, source, target)` drags with the
mouse.
"""

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# tests themselves (creating users, reading rows) are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
BUNDLE = REPO / "clarion" / "static" / "dist" / "app.css"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: a session-scoped Playwright keeps an event loop alive that breaks later
    # asyncio.run() calls in other tests.
    if not CHROMIUM.exists():
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: run `make chromium` "
                    "(apt-get install chromium). Never `playwright install`.", pytrace=False)
    if not BUNDLE.exists():
        pytest.fail(f"The frontend bundle {BUNDLE} is missing: run `make setup` "
                    "(or `cd frontend && npm ci && npm run build`).", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def asgi_url(transactional_db) -> Iterator[str]:
    """Websockets need an ASGI server, which pytest-django's live_server is not: uvicorn
    serves clarion.asgi in a thread of the test process, against the (file or PostgreSQL)
    test database, so the in-memory channel layer is shared as in `clarion run`."""
    import uvicorn

    from clarion.asgi import application

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the ASGI test server did not start", pytrace=False)
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser: Browser, live_url: str) -> Iterator[Page]:
    # Reduced motion makes transitions instant, so axe never measures a toast mid-fade.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US",
                                  base_url=live_url, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def login(page: Page, email: str, password: str) -> None:
    """Sign in through the real login form and wait until the app shell is showing."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    if "/accounts/login/" in page.url:
        errors = page.locator(".alert-error, .field-error").all_inner_texts()
        pytest.fail(f"Signing in as {email} failed: {errors or page.url}", pytrace=False)
    expect(page.locator(".app-header")).to_be_visible()


def assert_accessible(page: Page) -> None:
    """Run axe-core's WCAG 2 A/AA rules on the page; fail listing every violation."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `cd frontend && npm ci`.",
                    pytrace=False)
    page.add_script_tag(path=str(AXE))
    # From the top of the page: scrolled down, the sticky header covers whatever passes under
    # it, and axe would report those controls as too small to tap.
    page.evaluate("window.scrollTo(0, 0)")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = result["violations"]
    if violations:
        report = "\n".join(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            + "\n".join(f"    {node['target']}: {node['failureSummary']}"
                        for node in violation["nodes"])
            for violation in violations
        )
        pytest.fail(f"{len(violations)} accessibility violation(s) on {page.url}:\n{report}",
                    pytrace=False)


def drag(page: Page, source: str, target: str) -> None:
    """A real mouse drag: press, move in steps (SortableJS needs the movement), release."""
    start = page.locator(source).bounding_box()
    end = page.locator(target).bounding_box()
    page.mouse.move(start["x"] + 20, start["y"] + 12)
    page.mouse.down()
    page.mouse.move(start["x"] + 40, start["y"] + 30, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 10, steps=20)
    page.mouse.up()
