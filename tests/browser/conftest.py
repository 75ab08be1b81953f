"""Browser tests: the admin console (/console) in Debian's Chromium, driven by Playwright.

One local stack for the session, started exactly as the e2e tests start it (tests/e2e/stack.py's
helpers), and one Chromium. `playwright install` cannot download browsers here: the Makefile's
`test` target installs Debian's `chromium` when /usr/bin/chromium is missing. Every wait is
bounded (Playwright's expect and actions time out after 10 s). Screenshots of each screen at
1280x800 go to test-artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from local import template
from local import token as dev_token
from tests.e2e.stack import ROOT, Api, Storefront, start_stack, stop

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
TIMEOUT_MS = 10_000
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def stack():
    running = start_stack()
    yield running
    stop(running.process)


@pytest.fixture(scope="session")
def admin_token() -> str:
    return dev_token.mint()  # every scope of template.yaml, like `make token`


@pytest.fixture(scope="session")
def api(stack, admin_token) -> Api:
    return Api(stack, admin_token)


@pytest.fixture(scope="session")
def browser():
    # a missing browser fails the suite: `make test` installs Debian's chromium (apt-get) when it is missing
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium"
    import playwright.sync_api as playwright_api  # pinned in requirements-dev.txt
    playwright_api.expect.set_options(timeout=TIMEOUT_MS)
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context at 1280x800; a JS error or a CSP refusal fails the test."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    # API refusals (404, 409, 403...) are logged by Chromium as "Failed to load resource": expected here.
    tab.on("console", lambda message: problems.append(f"console: {message.text}")
           if message.type == "error" and "Failed to load resource" not in message.text else None)
    yield tab
    context.close()
    assert not problems, "the page reported errors:\n" + "\n".join(problems)


@pytest.fixture
def open_console(page, stack, admin_token) -> Callable[[str], object]:
    """open_console("#/customers") -> the page, signed in with ?token= as the README says."""
    def go(hash_route: str = "#/online", token: str | None = "default"):
        query = "" if token is None else f"?token={admin_token if token == 'default' else token}"
        page.goto(f"{stack.api}/console{query}{hash_route}")
        return page
    return go


@pytest.fixture(scope="session")
def shoot() -> Callable[[object, str], Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(tab, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        tab.screenshot(path=str(path))
        return path
    return save


@pytest.fixture(scope="session")
def has_route() -> Callable[[str, str], bool]:
    """has_route("POST", "/customers/{customer_id}/login-as"): is it in template.yaml (built yet)?"""
    keys = {(r.method, r.path.replace("{customer_id}", "{id}")) for r in template.routes()}
    return lambda method, path: (method, path.replace("{customer_id}", "{id}")) in keys


@pytest.fixture
def send_events(api) -> Callable[[list[dict]], None]:
    """POST /storefront/events with the admin's token; every event must be accepted."""
    def send(events: list[dict]) -> None:
        response = api.post("/storefront/events", json={"events": events})
        assert response.status_code == 202, response.text
        assert [r["status"] for r in response.json()["results"]] == ["accepted"] * len(events), response.text
    return send


@pytest.fixture
def new_customer(api) -> Callable[..., dict]:
    """new_customer(**fields) -> a customer created through POST /customers (version 1)."""
    def create(**fields) -> dict:
        tag = uuid.uuid4().hex[:8]
        body = {"email": f"ada.{tag}@example.com", "first_name": "Ada", "last_name": f"Browser{tag}",
                "website_id": "base", **fields}
        response = api.post("/customers", json=body)
        assert response.status_code == 201, response.text
        return response.json()
    return create


@pytest.fixture
def storefront() -> Callable[..., Storefront]:
    return lambda customer_id=None: Storefront(customer_id=customer_id)


@pytest.fixture
def refresh_until(page):
    """Click Now Online's Refresh until check() holds; fails after `timeout` seconds."""
    from playwright.sync_api import expect

    def run(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        grid = page.locator("#online-grid")
        while True:
            page.click("#online-refresh")
            expect(grid).not_to_have_attribute("aria-busy", "true")
            if check():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not seen after Refresh within {timeout} s")
            page.wait_for_timeout(250)
    return run
