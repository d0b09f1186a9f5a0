"""The environment the benchmarks run the real settings in: production-like (DEBUG off), plain HTTP on loopback."""

import os
import secrets


def bench_environment() -> None:
    """Fill in what a benchmark run needs and has not been given (DATABASE_URL and the rest win when set)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    # One key for this process and the server it starts, so sessions made here are valid there.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
