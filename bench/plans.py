"""The query plans behind the indexes of the counting pages: EXPLAIN (SQLite: EXPLAIN QUERY
PLAN; PostgreSQL: EXPLAIN ANALYZE) of the queries that start from one session's rows, on a
database with a session of --ballots ballots (both passes) and --history past sessions.

    DJANGO_SETTINGS_MODULE=confidence_vote.settings .venv/bin/python bench/plans.py
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import database_version  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from pages import build_history, build_session, make_people  # noqa: E402


def explain(title: str, queryset) -> None:
    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    print(f"\n## {title}")
    for row in rows:
        print("    " + (row[0] if connection.vendor == "postgresql" else str(row[-1])))


def run(*, ballots: int, history: int) -> None:
    from django.db.models import Count

    from ballots.models import Ballot, Mark, PassTotal
    from ballots.selectors import pass_difference_numbers
    from sessions.models import AuditEntry, Official
    from sessions.selectors import sessions_visible_to

    org, users = make_people()
    build_history(org, users, history)
    session = build_session(org, users, ballots=ballots)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    explain("differences between the passes", pass_difference_numbers(session=session))
    explain(
        "running totals of a pass (entry page, dashboard)",
        PassTotal.objects.filter(session=session, entry_pass=1).values_list(
            "official__order", "value", "count"
        ),
    )
    explain(
        "has this member typed in pass 1? (every save, blind double entry)",
        Ballot.objects.filter(entered_by=users["member1"], session=session, entry_pass=1)
        .order_by()
        .values("pk")[:1],
    )
    explain(
        "last entry number of a pass (every save)",
        Ballot.objects.filter(session=session, entry_pass=1)
        .order_by("-number")
        .values("number")[:1],
    )
    explain(
        "the tally: pass-1 marks grouped by official and value",
        Mark.objects.filter(ballot__session=session, ballot__entry_pass=1, ballot__voided=False)
        .order_by()
        .values("official_id", "value")
        .annotate(n=Count("pk")),
    )
    explain(
        "a page of the history",
        AuditEntry.objects.filter(session=session).order_by("-created_at", "-pk")[:50],
    )
    explain("a page of the session list", sessions_visible_to(users["chair"])[:50])
    explain("officials of a session", Official.objects.filter(session=session).order_by("order"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=480)
    parser.add_argument("--history", type=int, default=3)
    args = parser.parse_args()
    db = connection.settings_dict
    temp_dir = None
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        temp_dir = tempfile.TemporaryDirectory(prefix="bench-plans-")
        db.setdefault("TEST", {})["NAME"] = str(Path(temp_dir.name) / "bench.sqlite3")
    old_name = db["NAME"]
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(database_version())
        run(ballots=args.ballots, history=args.history)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        if temp_dir is not None:
            temp_dir.cleanup()


if __name__ == "__main__":
    main()
