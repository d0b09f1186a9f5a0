"""The suite's fixtures live in tests/fixtures/ as plugins, so a new app's tests reuse them by name."""

pytest_plugins = [
    "tests.fixtures.people",
    "tests.fixtures.guides",
    "tests.fixtures.cases",
    "tests.fixtures.browser",
]
