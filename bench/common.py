"""What the benchmarks share: Django set up from the checkout, the database's version, the mix
of marks, and a counting session of any size.

Import it first in a benchmark script: it sets up Django.
"""

import datetime as dt
import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confidence_vote.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

# Marks on a valid ballot, and the share of ballots invalid as a whole; one seed for all runs.
MARK_WEIGHTS = {"high": 80, "medium": 12, "low": 5, "none": 2, "several": 1}
INVALID_SHARE = 0.02
SEED = 2023


@contextmanager
def bench_database(prefix: str) -> Iterator[None]:
    """A throwaway test database on whatever DATABASE_URL points at, removed afterwards. On
    SQLite a file, like a real deployment (Django's default test database is in memory)."""
    db = connection.settings_dict
    temp_dir = None
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        temp_dir = tempfile.TemporaryDirectory(prefix=prefix)
        db.setdefault("TEST", {})["NAME"] = str(Path(temp_dir.name) / "bench.sqlite3")
    old_name = db["NAME"]
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        if temp_dir is not None:
            temp_dir.cleanup()


def database_version() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"SQLite {sqlite3.sqlite_version}"


def make_counting_session(*, officials: int, ballots: int):
    """A session counting `ballots` ballots (every delegate present, every ballot collected)
    and a committee member's account to enter them."""
    from sessions.models import (
        Attendance,
        CommitteeMember,
        CommitteeRole,
        Delegate,
        Membership,
        Official,
        Organization,
        Role,
        VoteSession,
        delegate_keys,
    )
    from sessions.services.sessions import session_open_counting, session_start_voting

    org = Organization.objects.create(
        name="Quốc hội (benchmark)",
        issuing_body="Ủy ban Thường vụ Quốc hội",
        parent_body="",
        place="Hà Nội",
        style="state",
        code="UBTVQH",
    )
    user = get_user_model().objects.create_user(username="bench-typist", password=None)
    Membership.objects.create(user=user, organization=org, role=Role.COUNTING)
    session = VoteSession.objects.create(
        organization=org,
        title="Lấy phiếu tín nhiệm (benchmark)",
        starts_at=dt.datetime(2023, 10, 25, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    Official.objects.bulk_create(
        Official(
            session=session, full_name=f"Người được lấy phiếu {n}", position="Bộ trưởng", order=n
        )
        for n in range(1, officials + 1)
    )
    now = dt.datetime(2023, 10, 25, 7, 45, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    Delegate.objects.bulk_create(
        Delegate(
            session=session,
            full_name=f"Đại biểu {n}",
            order=n,
            attendance=Attendance.PRESENT,
            checked_in_at=now,
            **delegate_keys(full_name=f"Đại biểu {n}"),
        )
        for n in range(1, ballots + 1)
    )
    CommitteeMember.objects.create(session=session, full_name="Tổ trưởng", role=CommitteeRole.CHAIR)
    CommitteeMember.objects.create(
        session=session, full_name="Thành viên", role=CommitteeRole.MEMBER, user=user
    )
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=ballots)
    VoteSession.objects.filter(pk=session.pk).update(ballots_collected=ballots)
    session.refresh_from_db()
    return session, user
