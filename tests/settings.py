"""The test suite runs the real settings (config/settings.py), read from a production-like environment.

DEBUG is off as in production; only what a test run cannot have is set here: a throw-away secret, plain
HTTP on the test server, static files from the source folders, the public address of printed links, and request
limits out of the suite's way.
A variable already set (DATABASE_URL by CI) wins.
"""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-tests-only-secret-key-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("PUBLIC_BASE_URL", "http://testserver")
# The suite sends hundreds of requests from one address (schemathesis alone ~150 in a test): the request limits
# are raised out of its way; tests/core/test_ratelimit.py sets the ones it proves.
for _limit in ("SIGN_IN", "PAIRING", "DEVICE_API", "INTEGRATION_API", "RATING_LINK"):
    os.environ.setdefault(f"RATE_LIMIT_{_limit}", "100000")

from config.settings import *  # noqa: E402, F403
from config.settings import DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: threads of the concurrency tests then share the database as runserver's do.
    import tempfile  # noqa: E402

    # One file per test run, so that runs side by side never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"brightwindow-tests-{os.getpid()}.sqlite3")}
