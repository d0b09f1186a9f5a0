"""Browser tests: every test in this folder is marked `browser` and gets a real (transactional) database.

The fixtures (browser, page, sign_in, artifacts) are in tests/fixtures/browser.py.
"""

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

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
