"""Running for real: the production server, deployment checks, the demo key, the CSP."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

COMMAND = [sys.executable, "-m", "commissioning"]
PRODUCTION = {
    "COMMISSIONING_SECRET_KEY": secrets.token_urlsafe(50),
    "COMMISSIONING_HTTPS": "1",
    "COMMISSIONING_BEHIND_PROXY": "1",
    "COMMISSIONING_ALLOWED_HOSTS": "commissioning.opcc.example",
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("COMMISSIONING_")
        # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their live server; no deployment does
        and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["COMMISSIONING_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = _run(["check", "--deploy"], _env(tmp_path, **PRODUCTION))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_the_missing_secret_key(tmp_path):
    env = _env(tmp_path, **{k: v for k, v in PRODUCTION.items() if k != "COMMISSIONING_SECRET_KEY"})
    result = _run(["check", "--deploy"], env)
    assert result.returncode != 0
    assert "commissioning.E001" in result.stderr
    assert "COMMISSIONING_SECRET_KEY is not set" in result.stderr


def test_check_deploy_warns_without_https(tmp_path):
    env = _env(tmp_path, COMMISSIONING_SECRET_KEY=PRODUCTION["COMMISSIONING_SECRET_KEY"])
    result = _run(["check", "--deploy"], env)
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.parametrize(
    ("extra", "refused"),
    [
        ({}, True),
        ({"COMMISSIONING_DEMO": "1"}, False),
        ({"COMMISSIONING_SECRET_KEY": "a-real-key-" + "x" * 50}, False),
    ],
)
def test_the_wsgi_application_refuses_the_demo_key_outside_the_demo(tmp_path, extra, refused):
    code = "import commissioning.config.wsgi; print('started')"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if refused:
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert "COMMISSIONING_SECRET_KEY is not set" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert "started" in result.stdout


def test_serve_refuses_the_demo_key(tmp_path):
    result = _run(["serve", "--bind", "127.0.0.1:1"], _env(tmp_path))
    assert result.returncode != 0
    assert "COMMISSIONING_SECRET_KEY is not set" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_the_product_under_gunicorn(tmp_path):
    port = _free_port()
    env = _env(tmp_path, COMMISSIONING_SECRET_KEY=PRODUCTION["COMMISSIONING_SECRET_KEY"])
    server = subprocess.Popen(
        [*COMMAND, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        assert response.status == 200
        assert response.headers["Server"].startswith("gunicorn")
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        static = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/init.js", timeout=5)
        assert static.status == 200
        assert b"initAll" in static.read()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "2 worker(s) x 2 thread(s)" in output
    assert output.count("Booting worker") == 2


@pytest.mark.django_db
def test_every_page_has_a_csp_and_no_inline_script(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert scripts and all(body.strip() == "" for body in scripts)
    assert " style=" not in html


_REQUESTS = """
import django
django.setup()
from django.core import signals
from django.db import connection
seen = []
for _ in range(2):
    signals.request_started.send(sender=None)
    connection.cursor().execute("SELECT 1")
    signals.request_finished.send(sender=None)  # where Django closes a connection too old
    seen.append(connection.connection)
print("kept" if seen[0] is not None and seen[0] is seen[1] else "reopened")
"""


def test_a_worker_keeps_its_database_connection_between_requests(tmp_path):
    """Each request of a served worker ends with Django closing any connection older than
    the settings allow; with the product's settings a thread keeps its connection on either
    database (opening one, with SQLite's PRAGMAs, cost a tenth of the server's time in the
    deadline spike bench). In a fresh process, as a worker is, not in a test's
    transaction."""
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="commissioning.config.settings")
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    done = subprocess.run(
        [sys.executable, "-c", _REQUESTS], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "kept"
