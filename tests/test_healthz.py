"""/healthz: the database answers, every migration is applied, the shared cache works; JSON,
public, nothing secret."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder


def test_healthy(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_nothing_secret_is_shown(db, client):
    body = client.get("/healthz").content.decode()
    assert django_settings.SECRET_KEY not in body
    assert str(django_settings.DATABASES["default"]["NAME"]) not in body
    assert "version" not in body.lower()


def test_a_migration_not_applied_is_an_error(db, client):
    MigrationRecorder.Migration.objects.filter(app="reports").order_by("-id").first().delete()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["migrations"] == "1 not applied"


def test_a_missing_cache_table_is_an_error(db, client):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE confidence_vote_cache")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


def test_post_is_refused(db, client):
    assert client.post("/healthz").status_code == 405


def test_migrate_alone_makes_the_cache_table(tmp_path):
    """An upgrade that runs only `manage.py migrate` still has the cache table."""
    database = tmp_path / "db.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"},
        check=True,
        timeout=300,
    )
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "confidence_vote_cache" in tables
