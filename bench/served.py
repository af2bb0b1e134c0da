"""Shared by the benches that measure the product as it is served in production: a
throwaway data directory or scratch PostgreSQL database, `commissioning serve` (gunicorn) on
a free loopback port, and plain HTTP requests with a session cookie."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SERVERS: dict[int, int] = {}  # port -> the server's (gunicorn's master's) process id

PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, cookies, body=None, headers=None) -> tuple[int, bytes]:
    """One request to the server on `port`; a Set-Cookie in the answer updates `cookies`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    all_headers = {"Cookie": cookie, "Host": "127.0.0.1", **(headers or {})}
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
    conn.close()
    return response.status, data


@contextmanager
def environment(database: str, prefix: str) -> Iterator[dict[str, str]]:
    """This process's environment set for a fresh product: a data directory of its own and
    SQLite, or (`database` "postgres") a scratch PostgreSQL database, dropped afterwards.
    Yields the environment, to pass to the server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMISSIONING_")}
    env.update(
        COMMISSIONING_DATA_DIR=tempfile.mkdtemp(prefix=prefix),
        COMMISSIONING_SECRET_KEY=secrets.token_urlsafe(50),
        COMMISSIONING_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SETTINGS_MODULE="commissioning.config.settings",
    )
    env.pop("DATABASE_URL", None)
    scratch = None
    if database == "postgres":
        import psycopg

        scratch = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_SERVER, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{scratch}"')
        env["DATABASE_URL"] = PG_SERVER.rsplit("/", 1)[0] + f"/{scratch}"
    os.environ.update(env)
    try:
        yield env
    finally:
        if scratch:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(PG_SERVER, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


@contextmanager
def served(env: dict[str, str], workers: int, threads: int) -> Iterator[int]:
    """`commissioning serve` with `workers` processes of `threads` threads on a free
    loopback port, once it answers; yields the port, and stops the server afterwards."""
    port = free_port()
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(
        [sys.executable, "-m", "commissioning", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads)],
        env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/sign-in/", {})[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        _SERVERS[port] = server.pid
        yield port
    finally:
        _SERVERS.pop(port, None)
        server.terminate()
        server.wait(timeout=30)


def server_cpu_seconds(port: int) -> float:
    """CPU seconds (user and system) used so far by the server on `port`: its master and
    every worker it has running (Linux: read from /proc). Take it before and after a run:
    the difference is what the run cost the server."""
    master = _SERVERS[port]
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        # after the name: state, ppid, ..., utime (12th) and stime (13th)
        if int(entry) == master or int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def session_for(user, *, second_factor: bool = False) -> str:
    """A signed-in session of `user`, as the sign-in pages would leave it (with a verified
    authenticator, for staff, if `second_factor`), without the PBKDF2 of a real sign-in.
    Returns the session cookie's value."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if second_factor:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key
