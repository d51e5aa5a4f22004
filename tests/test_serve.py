"""Production as `make serve` runs it: gunicorn with DEBUG=false on a free loopback port,
against the suite's database (a file SQLite database, or PostgreSQL's test database in CI).
It serves the hashed, compressed static files, sends the security headers, logs a counting
committee member in and saves a ballot through the entry page."""

import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(tmp_path) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    db = connection.settings_dict  # the test database pytest-django made
    credentials = urllib.parse.quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _env(tmp_path, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "confidence_vote.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _database_url(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "VERIFY_RATE_LIMIT": "3",
    }
    env.pop("SECURE_COOKIES", None)
    env.pop("HTTPS", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in the test process
    return {**env, **extra}


def _manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


class Browser:
    """A client with cookies that does not follow redirects (to see them)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), self._NoRedirect
        )

    def request(self, path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")


class Gunicorn:
    """gunicorn with two workers on a free loopback port; start() waits for /healthz."""

    def __init__(self, env: dict, log: Path):
        self.env = env
        self.log = log
        self.base = f"http://127.0.0.1:{_free_port()}"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(GUNICORN), "confidence_vote.wsgi:application"]
            + ["--bind", self.base.removeprefix("http://"), "--workers", "2"]
            + ["--access-logfile", "-", "--no-control-socket", "--forwarded-allow-ips="],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


@pytest.fixture
def server(tmp_path):
    """gunicorn serving the app; yields it and the set-up's JSON (session, account)."""
    env = _env(tmp_path)
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    _manage(env, "migrate", "--no-input", "-v", "0")
    data = subprocess.run(
        [sys.executable, "-m", "tests.deploy.scripts", "counting-session"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    setup = json.loads(data.stdout.strip().splitlines()[-1])
    gunicorn = Gunicorn(env, tmp_path / "gunicorn.log")
    try:
        gunicorn.start()
        yield gunicorn, setup
    finally:
        gunicorn.stop()


def test_gunicorn_serves_static_files_headers_login_and_a_ballot_save(server):
    gunicorn, setup = server
    base = gunicorn.base
    browser = Browser(base)

    # The login page, with the security headers.
    status, headers, body = browser.request("/accounts/login/")
    page = body.decode()
    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # HTTPS is not set here

    # The stylesheet under its hashed name, cached for ever, compressed on request.
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page).group(1)
    status, headers, css = browser.request(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    script = re.search(r'src="(/static/js/app\.[0-9a-f]{12}\.js)"', page).group(1)
    assert browser.request(script)[0] == 200
    assert browser.request("/static/css/app.css")[0] == 200  # the plain name too

    # Log in.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, headers, _body = browser.request(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": setup["username"]}
        | {"password": setup["password"]},
    )
    assert status == 302, _body.decode()[:2000]
    assert headers["Location"] == "/sessions/"
    session_cookie = next(cookie for cookie in browser.cookies if cookie.name == "sessionid")
    assert session_cookie.has_nonstandard_attr("HttpOnly")

    # Save a ballot through the entry page, as its script does.
    entry_url = f"/sessions/{setup['session']}/count/pass/1/"
    status, _headers, body = browser.request(entry_url)
    assert status == 200
    assert re.search(r'data-testid="entry-number"[^>]*>\s*1\s*<', body.decode())
    marks = {f"mark_{order}": "high" for order in range(1, 6)}
    status, _headers, body = browser.request(
        entry_url,
        {"client_token": str(uuid.uuid4()), **marks},
        headers={"Accept": "application/json", "X-CSRFToken": browser.csrf()},
    )
    assert status == 200, body.decode()[:2000]
    saved = json.loads(body)
    assert (saved["ok"], saved["number"], saved["next_number"]) == (True, 1, 2)
    status, _headers, body = browser.request(entry_url)
    assert re.search(r'data-testid="entry-number"[^>]*>\s*2\s*<', body.decode())

    # The /verify/ rate limit (3 here) is kept in the shared cache: it holds across the
    # workers and across a restart of the server.
    verify = "/verify/?fp=" + "0" * 64
    left_in_window = 600 - time.time() % 600  # the limit counts per 10-minute window
    if left_in_window < 90:
        time.sleep(left_in_window + 1)
    statuses = [Browser(base).request(verify)[0] for _attempt in range(3)]
    gunicorn.stop()
    gunicorn.start()
    statuses += [Browser(base).request(verify)[0] for _attempt in range(2)]
    assert statuses == [200, 200, 200, 429, 429]

    # The health check: public, JSON, nothing secret.
    status, headers, body = browser.request("/healthz")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
    }


def test_gunicorn_refuses_to_start_with_the_development_key(tmp_path):
    env = _env(tmp_path)
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [str(GUNICORN), "confidence_vote.wsgi:application"]
        + ["--bind", f"127.0.0.1:{_free_port()}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is the published development key" in result.stderr
