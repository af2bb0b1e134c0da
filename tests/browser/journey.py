"""What the journeys in this folder share: screenshots, and signing people in and out of the
demo (each person keeps their own browser's session, as they would at work).

The demo server itself is the session-scoped `demo` fixture in conftest.py, so every journey
file runs against ONE `commissioning demo`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser.totp import demo_totp_code

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"


class Demo:
    """A running `commissioning demo`: its URL, its environment, and what it has printed."""

    def __init__(self, url: str, env: dict[str, str], output: list[str]):
        self.url, self.env, self.output = url, env, output

    def printed(self) -> str:
        return "".join(self.output)

    def command(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "commissioning", *args], env=self.env, check=True, timeout=120
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_demo(data: Path) -> Iterator[Demo]:
    """`commissioning demo` on its own embedded SQLite database in `data`, as the README runs
    it, until the block ends. What it prints is read as it comes (so a full pipe never stalls
    it) and kept for tests that read it (the password-reset email, printed by the worker)."""
    port = _free_port()
    env = {**os.environ, "COMMISSIONING_DATA_DIR": str(data), "DATABASE_URL": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "commissioning", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = threading.Thread(
        target=lambda: [output.append(line) for line in proc.stdout or []], daemon=True
    )
    reader.start()
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("demo exited: " + "".join(output))
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("demo did not start in time")
    try:
        yield Demo(url, env, output)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


# username -> the cookies of that person's browser while they are signed in. Each person in
# a journey has their own browser, as they would at work: when the journey turns to someone
# else, the first person's session stays signed in (not signed out), and returning to them
# picks it up again. A staff member signs in once (password, then the code their
# authenticator shows) and stays signed in, so a journey does not need a fresh one-time code
# every time the officer comes back (a code works once, and a new one comes every 30 s).
_BROWSERS: dict[str, list] = {}
_WHO: dict[int, str] = {}  # id(page) -> who is signed in on it


def sign_in(page, demo: str, username: str, password: str) -> None:
    """Turn `page` to `username`'s browser, signing them in through the pages if they are not
    signed in already."""
    context = page.context
    current = _WHO.pop(id(page), None)
    if current is not None:
        _BROWSERS[current] = context.cookies()
    context.clear_cookies()
    if username in _BROWSERS:
        context.add_cookies(_BROWSERS[username])
        page.goto(demo)
        if page.get_by_role("button", name="Sign out").count():
            _WHO[id(page)] = username
            return
        del _BROWSERS[username]  # they signed out: sign in again
        context.clear_cookies()
    page.goto(demo + "sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/sign-in/code/" in page.url:  # staff: the demo's known authenticator secret
        page.get_by_label("Code from your authenticator app").fill(demo_totp_code(username))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        assert "/sign-in/" not in page.url, f"the demo refused {username}'s code"
    _WHO[id(page)] = username


def sign_out(page) -> None:
    """Sign out for good: this person's session ends (the next sign-in is a fresh one)."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    _WHO.pop(id(page), None)
