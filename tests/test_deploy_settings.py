"""Production settings: the secret key (refused when missing or published), HTTPS, the proxy
headers, the shared cache, the idle session time, and `check --deploy` reporting nothing."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from confidence_vote.lib.env import (
    DEVELOPMENT_SECRET_KEY,
    env_header,
    env_secret,
    production_secret_key_problem,
)

ROOT = Path(__file__).resolve().parents[1]
GOOD_KEY = secrets.token_urlsafe(50)


def run(code: str, **env) -> subprocess.CompletedProcess:
    """Python code in a fresh process with exactly these variables on top of a clean set."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "confidence_vote.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SETTINGS_VARIABLES = {
    "DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS", "HTTPS", "SECURE_COOKIES",
    "PROXY_SSL_HEADER", "CLIENT_IP_HEADER", "REDIS_URL", "SESSION_IDLE_MINUTES",
    "HSTS_SECONDS", "LOGIN_FAILURE_LIMIT", "LOGIN_LOCKOUT_MINUTES", "DJANGO_ALLOW_ASYNC_UNSAFE",
    "LOGIN_FAILURE_LIMIT_PER_ADDRESS",
}  # fmt: skip


def settings_in_process(**env) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({name: getattr(s, name, None) for name in ["
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER', 'CLIENT_IP_HEADER', "
        "'SESSION_COOKIE_AGE', 'CACHES', 'AXES_FAILURE_LIMIT', "
        "'LOGIN_FAILURE_LIMIT_PER_ADDRESS', 'AXES_COOLOFF_TIME']}, default=str))"
    )
    result = run(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- the secret key --------------------------------------------------------------------------


def test_secret_key_problems():
    assert production_secret_key_problem("") == "SECRET_KEY is not set."
    assert "published" in production_secret_key_problem(DEVELOPMENT_SECRET_KEY)
    assert "published" in production_secret_key_problem("django-insecure-" + "x" * 60)
    assert "too short" in production_secret_key_problem("short-key")
    assert "too short" in production_secret_key_problem("a" * 60)
    assert production_secret_key_problem(GOOD_KEY) is None


def test_secret_key_from_a_file(monkeypatch, tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(GOOD_KEY + "\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(key_file))
    assert env_secret("SECRET_KEY", default="d") == GOOD_KEY

    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env_secret("SECRET_KEY", default="d")
    monkeypatch.delenv("SECRET_KEY")

    key_file.write_text("  \n")
    with pytest.raises(ImproperlyConfigured, match="empty"):
        env_secret("SECRET_KEY", default="d")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_secret("SECRET_KEY", default="d")


def test_secret_key_default_only_when_unset(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    assert env_secret("SECRET_KEY", default="d") == "d"


IMPORT_WSGI = "import confidence_vote.wsgi; print('started')"


@pytest.mark.parametrize(
    "env,message",
    [
        ({}, "SECRET_KEY is the published development key."),
        ({"SECRET_KEY": "django-insecure-" + "k" * 50}, "published development key"),
        ({"SECRET_KEY": "too-short"}, "too short"),
    ],
)
def test_debug_false_refuses_to_start_without_its_own_key(env, message):
    result = run(IMPORT_WSGI, DEBUG="false", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert "started" not in result.stdout


def test_debug_false_starts_with_a_key_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(GOOD_KEY)
    result = run(IMPORT_WSGI, DEBUG="false", SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_debug_true_starts_with_the_development_key():
    result = run(IMPORT_WSGI, DEBUG="true")
    assert result.returncode == 0, result.stderr


# --- check --deploy ----------------------------------------------------------------------------


def test_check_deploy_reports_nothing_when_configured_for_https():
    result = run(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DEBUG="false",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="vote.example.gov.vn",
        HTTPS="true",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_the_development_key_as_an_error():
    result = run(
        "from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy'])",
        DEBUG="false",
    )
    assert result.returncode != 0
    assert "confidence_vote.E001" in result.stderr


# --- HTTPS, proxies, cache, sessions -------------------------------------------------------


def test_https_turns_on_secure_cookies_hsts_and_the_redirect():
    plain = settings_in_process(DEBUG="false", SECRET_KEY=GOOD_KEY)
    assert plain["SECURE_SSL_REDIRECT"] is False
    assert plain["SECURE_HSTS_SECONDS"] == 0
    assert plain["SESSION_COOKIE_SECURE"] is False

    https = settings_in_process(DEBUG="false", SECRET_KEY=GOOD_KEY, HTTPS="true")
    assert https["SECURE_SSL_REDIRECT"] is True
    assert https["SECURE_HSTS_SECONDS"] == 31536000
    assert https["SESSION_COOKIE_SECURE"] is True
    assert https["CSRF_COOKIE_SECURE"] is True


def test_proxy_headers_are_read_only_when_configured():
    plain = settings_in_process()
    assert plain["SECURE_PROXY_SSL_HEADER"] is None
    assert plain["CLIENT_IP_HEADER"] == ""

    proxied = settings_in_process(
        PROXY_SSL_HEADER="X-Forwarded-Proto", CLIENT_IP_HEADER="X-Real-IP"
    )
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert proxied["CLIENT_IP_HEADER"] == "HTTP_X_REAL_IP"


def test_header_names_are_checked(monkeypatch):
    monkeypatch.setenv("X_HEADER", "X-Forwarded-For: 1")
    with pytest.raises(ImproperlyConfigured, match="X_HEADER"):
        env_header("X_HEADER")


def test_the_cache_is_the_database_or_redis():
    default = settings_in_process()["CACHES"]["default"]
    assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    redis = settings_in_process(REDIS_URL="redis://127.0.0.1:6379/0")["CACHES"]["default"]
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
    result = run("import django; django.setup()", REDIS_URL="127.0.0.1:6379")
    assert result.returncode != 0 and "REDIS_URL" in result.stderr


def test_idle_session_time_is_a_setting_of_30_minutes_by_default():
    assert settings_in_process()["SESSION_COOKIE_AGE"] == 30 * 60
    assert settings_in_process(SESSION_IDLE_MINUTES="10")["SESSION_COOKIE_AGE"] == 600
    result = run("import django; django.setup()", SESSION_IDLE_MINUTES="0")
    assert result.returncode != 0 and "SESSION_IDLE_MINUTES" in result.stderr


def test_lockout_thresholds_are_settings():
    default = settings_in_process()
    assert default["AXES_FAILURE_LIMIT"] == 5
    assert default["LOGIN_FAILURE_LIMIT_PER_ADDRESS"] == 20
    assert default["AXES_COOLOFF_TIME"] == "0:15:00"
    changed = settings_in_process(
        LOGIN_FAILURE_LIMIT="3", LOGIN_FAILURE_LIMIT_PER_ADDRESS="9", LOGIN_LOCKOUT_MINUTES="60"
    )
    assert changed["AXES_FAILURE_LIMIT"] == 3
    assert changed["LOGIN_FAILURE_LIMIT_PER_ADDRESS"] == 9
    assert changed["AXES_COOLOFF_TIME"] == "1:00:00"


MEDIA_VARIABLES = ("MEDIA_S3_BUCKET", "MEDIA_S3_ENDPOINT_URL", "MEDIA_S3_REGION", "MEDIA_S3_PREFIX")


def storage_in_process(**env) -> dict:
    """The default storage's class and options in a fresh process (no network: nothing is
    read or written)."""
    code = (
        "import json, django; django.setup(); "
        "from django.conf import settings; from django.core.files.storage import storages; "
        "print(json.dumps({'class': type(storages['default']).__name__, "
        "'options': settings.STORAGES['default'].get('OPTIONS', {})}))"
    )
    clean = dict.fromkeys(MEDIA_VARIABLES, "")
    result = run(code, **{**clean, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_uploaded_files_on_the_file_system_by_default():
    assert storage_in_process() == {"class": "FileSystemStorage", "options": {}}


def test_uploaded_files_in_an_s3_compatible_store_when_a_bucket_is_named():
    found = storage_in_process(
        MEDIA_S3_BUCKET="phieu-quet",
        MEDIA_S3_ENDPOINT_URL="https://s3.noi-bo.example",
        MEDIA_S3_REGION="vn-hn-1",
        MEDIA_S3_PREFIX="tin-nhiem",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
    )
    assert found == {
        "class": "S3Storage",
        "options": {
            "bucket_name": "phieu-quet",
            "endpoint_url": "https://s3.noi-bo.example",
            "region_name": "vn-hn-1",
            "location": "tin-nhiem",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
