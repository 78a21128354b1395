"""Browser tests: Python Playwright driving Debian's chromium against pytest-django's live server.

Run with `make test-browser` (DJANGO_ALLOW_ASYNC_UNSAFE is set there because Playwright's sync API
runs an event loop in the test thread while the test also uses the ORM).
"""

import os
from pathlib import Path

import pytest

from tests.conftest import make_person, make_staff, make_user  # noqa: F401

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "pw-Correct-Horse-1"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A page under the site's real Content-Security-Policy; any CSP violation fails the test."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    # A click that navigates can return before the new document has loaded; reading the page
    # then gives an empty or stale document. Always read a loaded page.
    read_content = page.content

    def loaded_content():
        page.wait_for_load_state()
        return read_content()

    page.content = loaded_content
    csp_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and csp_errors.append(msg.text))
    yield page
    context.close()
    assert csp_errors == [], csp_errors


def login(page, username, password=PASSWORD):
    """Sign in through the real form and wait for the home page."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def logout(page):
    page.click("text=Sign out")
    page.wait_for_url("**/accounts/login/**")


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page (WCAG 2.2 AA rules) and return serious or critical violations."""
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) stays on.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in result["violations"]
        if v["impact"] in impacts
    ]
