import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from confidence_vote.lib.env import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on"])
def test_env_bool_true(monkeypatch, value):
    monkeypatch.setenv("X_FLAG", value)
    assert env_bool("X_FLAG", default=False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "off"])
def test_env_bool_false(monkeypatch, value):
    monkeypatch.setenv("X_FLAG", value)
    assert env_bool("X_FLAG", default=True) is False


def test_env_bool_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", default=False)


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("X_FLAG", raising=False)
    assert env_bool("X_FLAG", default=True) is True


def test_env_str_required(monkeypatch):
    monkeypatch.delenv("X_TEXT", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_TEXT"):
        env_str("X_TEXT")
    assert env_str("X_TEXT", default="d") == "d"


def test_env_list(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.gov.vn, b.gov.vn")
    assert env_list("X_HOSTS", default=[]) == ["a.gov.vn", "b.gov.vn"]
    monkeypatch.setenv("X_HOSTS", "a.gov.vn,,b")
    with pytest.raises(ImproperlyConfigured):
        env_list("X_HOSTS", default=[])


def test_env_int(monkeypatch):
    monkeypatch.setenv("X_NUM", "12")
    assert env_int("X_NUM", 1) == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "-1")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUM", 1, minimum=0)


def test_database_url_refuses_unknown_scheme():
    from confidence_vote.settings import _database_from_url

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        _database_from_url("mysql://u@h/db")
    assert _database_from_url("postgres://u:p@h:5432/db")["ENGINE"] == (
        "django.db.backends.postgresql"
    )


def test_env_example_lists_every_variable_the_settings_read():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    settings_source = (root / "confidence_vote" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', settings_source))
    read |= {
        f"{name}_FILE" for name in re.findall(r'env_secret\(\s*"([A-Z0-9_]+)"', settings_source)
    }
    listed = set(
        re.findall(r"^([A-Z0-9_]+)=", (root / ".env.example").read_text(encoding="utf-8"), re.M)
    )
    assert "SECRET_KEY_FILE" in read and "DATABASE_URL" in read
    assert read - listed == set()
