"""C1 of the security brief: with production-like environment variables, Django's deployment
checks find nothing at WARNING level, and the security headers are on every response.

The checks run in a subprocess, because production differs from the tests only through the
environment that ``settings/base.py`` reads at import (there is no production.py)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from liandong.accounts.tests.factories import TEST_PASSWORD
from liandong.core.tests.client import BrowserClient

REPO = Path(__file__).resolve().parents[4]


def production_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LIANDONG_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "liandong.settings.base",
            "LIANDONG_HTTPS": "1",
            "LIANDONG_SECRET_KEY": secrets.token_urlsafe(64)[:50],
            "LIANDONG_FIELD_KEY": secrets.token_urlsafe(48),
            "LIANDONG_ALLOWED_HOSTS": "liandong.example.org",
            "LIANDONG_DATA_DIR": str(data_dir),
            # A gateway's backend (the check reads the dotted path only): the default file
            # backend is refused in production (liandong.E001, tested below).
            "LIANDONG_SMS_BACKEND": "liandong.accounts.sms.ConsoleBackend",
        }
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = (
        [sys.executable, str(REPO / "manage.py")]
        if (REPO / "manage.py").exists()
        else [sys.executable, "-m", "django"]
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [*command, *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return manage(env, "check", "--deploy", "--fail-level", "WARNING")


def test_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    result = deploy_check(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # Keys came from the environment: none were generated into the data dir.
    assert not (tmp_path / "keys.json").exists()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"LIANDONG_HTTPS": "0"},
            ["security.W004", "security.W008", "security.W012", "security.W016"],
        ),
        ({"LIANDONG_SECRET_KEY": "short"}, ["security.W009"]),
        ({"LIANDONG_DEBUG": "1"}, ["security.W018"]),
        ({"LIANDONG_ALLOWED_HOSTS": ""}, ["security.W020"]),
        ({"LIANDONG_SMS_BACKEND": "liandong.accounts.sms.FileBackend"}, ["liandong.E001"]),
    ],
)
def test_deploy_check_fails_when_production_settings_are_missing(
    tmp_path: Path, overrides: dict[str, str], expected: list[str]
) -> None:
    """The check can fail: each missing piece of production configuration is caught."""
    result = deploy_check(production_env(tmp_path, **overrides))
    assert result.returncode != 0
    for warning in expected:
        assert warning in result.stderr + result.stdout, warning


def test_serve_refuses_the_file_sms_backend_in_production(tmp_path: Path) -> None:
    """The demo's file outbox (full mobiles, valid codes) stops a production start unless
    LIANDONG_SMS_ALLOW_FILE allows it (which `liandong demo` sets for itself)."""
    env = production_env(tmp_path, LIANDONG_SMS_BACKEND="liandong.accounts.sms.FileBackend")
    result = manage(env, "serve", "--port", "1")
    assert result.returncode != 0
    assert "liandong.E001" in result.stderr
    assert "LIANDONG_SMS_ALLOW_FILE=1" in result.stderr
    assert "serving on" not in result.stdout


def test_a_short_field_key_stops_the_start(tmp_path: Path) -> None:
    result = deploy_check(production_env(tmp_path, LIANDONG_FIELD_KEY="too-short"))
    assert result.returncode != 0
    assert "LIANDONG_FIELD_KEY must be at least 32 characters" in result.stderr


PRODUCTION_REQUESTS = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="liandong.example.org", enforce_csrf_checks=True)
plain = client.get("/healthz")
print("redirect", plain.status_code, plain["Location"])
secure = client.get("/healthz", secure=True)
print("hsts", secure["Strict-Transport-Security"])
proxied = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
print("proxied", proxied.status_code)
other = client.get("/healthz", secure=True, HTTP_HOST="evil.example")
print("host", other.status_code)
"""


def test_production_settings_redirect_to_https_and_send_hsts(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", PRODUCTION_REQUESTS],
        env=production_env(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["redirect"] == "301 https://liandong.example.org/healthz"
    assert lines["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert lines["proxied"] == "200"  # behind nginx, X-Forwarded-Proto: https counts as secure
    assert lines["host"] == "400"


# ---------------------------------------------------------------------------------------------
# Headers, in the test settings


def assert_security_headers(response: Any) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[-1].split(";")[0]


def test_pages_carry_the_security_headers_and_no_store(world: Any, api_token: Any) -> None:
    anonymous = BrowserClient().get("/accounts/login/")
    assert_security_headers(anonymous)
    assert anonymous["Cache-Control"] == "no-store"
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    for url in [
        "/workers/",
        f"/workers/{world.worker_a.pk}/",
        f"/organizations/{world.union_a.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert_security_headers(response)
        assert response["Cache-Control"] == "no-store"
    api = BrowserClient().get("/api/v1/workers/", **api_token(world.users["staff_a"]))
    assert api["X-Content-Type-Options"] == "nosniff"
    assert api["Cache-Control"] == "no-store"


def test_session_cookie_is_http_only_and_same_site(world: Any) -> None:
    response = BrowserClient().post(
        "/accounts/login/", {"username": "staff_a", "password": TEST_PASSWORD}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
