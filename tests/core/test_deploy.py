"""Production settings pass Django's deployment checklist and refuse to start without a secret."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Set by the test run itself (tests/settings.py, the browser tests); never present in a real deployment.
NOT_INHERITED = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "HTTPS", "STATIC_MANIFEST",
                 "PUBLIC_BASE_URL", "DJANGO_SETTINGS_MODULE"}
PRODUCTION = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "window.example.gov.cn",
              "PUBLIC_BASE_URL": "https://window.example.gov.cn"}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    environ.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_the_development_defaults_fail_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="true")

    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("False")


def test_production_refuses_to_start_without_the_public_address_of_printed_links():
    result = manage("check", **{**PRODUCTION, "PUBLIC_BASE_URL": ""})

    assert result.returncode != 0
    assert "PUBLIC_BASE_URL is not set" in result.stderr


def test_a_wrong_setting_stops_the_start_not_the_first_request_that_needs_it():
    result = manage("check", **{**PRODUCTION, "WINDOW_OPENING_HOURS": "08:30-12:00,17:30-14:30"})

    assert result.returncode != 0
    assert "WINDOW_OPENING_HOURS" in result.stderr


def test_the_wsgi_application_runs_the_checks_before_it_serves():
    environ = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    environ.update({**PRODUCTION, "RATING_DEFAULT_LEVEL": "9"})
    result = subprocess.run([sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env=environ,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode != 0
    assert "RATING_DEFAULT_LEVEL must be 1 to 5" in result.stderr


def test_secrets_can_come_from_files(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("from-a-file-" + secrets.token_urlsafe(40) + "\n")
    env = {**PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(secret)}

    result = manage("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", **env)
    both = manage("check", **{**env, "SECRET_KEY": "x" * 50})
    missing = manage("check", **{**env, "SECRET_KEY_FILE": str(tmp_path / "nope")})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(secret.read_text().strip())
    assert both.returncode != 0 and "SECRET_KEY or SECRET_KEY_FILE, not both" in both.stderr
    assert missing.returncode != 0 and "SECRET_KEY_FILE: cannot read" in missing.stderr
