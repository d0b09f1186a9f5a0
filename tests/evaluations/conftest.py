"""What the evaluator's long poll keeps between polls (evaluations/polling.py) is forgotten between tests."""

import pytest


@pytest.fixture(autouse=True)
def _forget_polls():
    from evaluations import polling

    polling.forget()
    yield
    polling.forget()
