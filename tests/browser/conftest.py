"""Browser tests: Debian's chromium driven by Playwright (sync API) against pytest-django's live server.

Without /usr/bin/chromium these tests are skipped, unless REQUIRE_BROWSER=1 (CI), where they fail.
Never run `playwright install`: the browser comes from apt (`apt-get install chromium`).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-artifacts"

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder `browser`, with a real (transactional) database."""
    for item in items:
        if HERE not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("django_db") is None:
            # The live server runs in another thread, so tests need committed data; serialized rollback
            # restores rows that migrations seed (the flush after each test would remove them).
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


def _require_browser() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def browser(django_db_setup, live_server):
    """One headless chromium for the whole session.

    It asks for the live server so that it closes first: a keep-alive request still being handled when the
    server stops would use the shared test database after the server stopped sharing it.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install it with `apt-get install chromium` to run browser tests"
        if _require_browser():
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Inside sync_playwright() this thread sees a new asgiref context, hence new Django connection objects
    # that lack the snapshot taken when the test database was created. Hand it over, or serialized
    # rollback would leave the browser tests without the rows the migrations seed (the calendar).
    snapshots = {alias: connections[alias]._test_serialized_contents for alias in connections
                 if hasattr(connections[alias], "_test_serialized_contents")}
    with sync_playwright() as playwright:
        for alias, snapshot in snapshots.items():
            connections[alias]._test_serialized_contents = snapshot
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (zh-CN, Beijing time) per test; relative URLs go to the live server."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    """The folder for screenshots (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def demo_guide(city, people):
    """鼓楼's published guide with the 18 real demo items."""
    import datetime

    from catalog.demo_data import demo_guide_load

    return demo_guide_load(county=city.gulou, actor=people.county, effective_date=datetime.date(2020, 1, 1))


@pytest.fixture
def sign_in(page):
    """sign_in(username, password): the sign-in form, as a person fills it."""
    from playwright.sync_api import expect

    def go(username: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("navigation", name="主菜单")).to_be_visible()

    return go
