"""Reuse the counter's guide and case fixtures for the evaluator's tests."""

from tests.counter.conftest import guide, open_case  # noqa: F401
