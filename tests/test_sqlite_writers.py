"""The default database, SQLite, with six typists saving ballots at the same moment: no error,
nothing lost. Real threads against a file database in another process (the suite's own
SQLite database lives in memory)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TYPISTS, EACH = 6, 10


def race(tmp_path, settings_module="confidence_vote.settings", script=None) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SIGNING_DIR": str(tmp_path / "signing"),
    }
    script = script or ["sqlite-race", str(TYPISTS), str(EACH)]
    result = subprocess.run(
        [sys.executable, "-m", "tests.deploy.scripts", *script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_six_typists_saving_at_once_get_no_error_and_lose_nothing(tmp_path):
    result = race(tmp_path)

    assert result["journal_mode"] == "wal"
    assert result["errors"] == []
    total = TYPISTS * EACH
    assert result["saved"] == list(range(1, total + 1))
    assert result["stored"] == list(range(1, total + 1))
    assert result["marks"] == total * 5


def test_the_same_race_with_djangos_default_sqlite_options_fails(tmp_path):
    """The control: without WAL, a busy timeout and immediate transactions, SQLite answers
    "database is locked" to writers that meet (what made 166 of 240 saves fail)."""
    result = race(tmp_path, "tests.deploy.sqlite_defaults_settings")

    assert result["journal_mode"] == "delete"
    assert result["errors"], "expected 'database is locked' without the options"
    assert all("database is locked" in error for error in result["errors"])
    assert len(result["stored"]) < TYPISTS * EACH


def test_the_chair_certifying_in_two_tabs_at_once_gets_one_result_and_no_error(tmp_path):
    """With Django's default options the second tab got "database is locked" (an HTTP 500)
    whenever the two stores met; here it waits, then is told why not."""
    result = race(tmp_path, script=["certify-race"])

    certified, refused = result["outcomes"]
    assert certified == "certified 2"
    assert refused.startswith("refused: ")  # a message for the user, not a server error
    assert result["documents"] == 2


def test_the_default_database_options():
    from confidence_vote.settings import _database_from_url

    config = _database_from_url("sqlite:////tmp/x.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] == 30
    assert "transaction_mode" not in _database_from_url("postgres://u@h/db").get("OPTIONS", {})


@pytest.mark.parametrize("value,kept", [("0", 0), ("60", 60)])
def test_persistent_connections_are_a_setting(monkeypatch, value, kept):
    from confidence_vote.settings import _database_from_url

    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", value)
    config = _database_from_url("postgres://u:p@h:5432/db")
    assert config["CONN_MAX_AGE"] == kept
    assert config["CONN_HEALTH_CHECKS"] is (kept > 0)
