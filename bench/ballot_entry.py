"""Benchmark: the server's time and queries for each ballot saved on the entry screen.

Enters BALLOTS paper ballots rating OFFICIALS officials (500 and 44 by default: the National
Assembly's size, 2023) through the Django test client, as the entry screen's script does:
a POST to `ballots:entry` (pass 1) with `client_token`, `mark_<order>` and `invalid_reason`,
asking for JSON. Each save is timed around `client.post` and its queries are counted with
CaptureQueriesContext: every round trip of the request, the login session's and BEGIN and
COMMIT included (checked at each save: `uncaptured`), except the idle timeout's write of the
login session once a minute, which is counted apart and said (`without_session_touch`).
The database is whatever DATABASE_URL points at (SQLite by default);
the script creates its own test database, as the test runner does, and destroys it.

    DJANGO_SETTINGS_MODULE=confidence_vote.settings .venv/bin/python bench/ballot_entry.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/confidence_vote \\
        DJANGO_SETTINGS_MODULE=confidence_vote.settings .venv/bin/python bench/ballot_entry.py
"""

import argparse
import json
import logging
import math
import platform
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402 - sets up Django
    INVALID_SHARE,
    MARK_WEIGHTS,
    SEED,
    bench_database,
    database_version,
    make_counting_session,
)
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
)
from django.urls import reverse  # noqa: E402

# The mix of marks on a valid ballot, and the share of ballots invalid as a whole.


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or
    below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def ballot_posts(*, officials: int, ballots: int) -> list[dict[str, str]]:
    """The form data of each ballot, the same for every run (a seeded generator)."""
    rng = random.Random(SEED)
    values, weights = list(MARK_WEIGHTS), list(MARK_WEIGHTS.values())
    posts = []
    for _n in range(ballots):
        data = {"client_token": str(uuid.uuid4()), "invalid_reason": ""}
        if rng.random() < INVALID_SHARE:
            data["invalid_reason"] = "not_issued"
        else:
            marks = rng.choices(values, weights=weights, k=officials)
            data.update({f"mark_{order}": mark for order, mark in enumerate(marks, start=1)})
        posts.append(data)
    return posts


def uncaptured(statements: list[dict]) -> int:
    """Round trips of a save that Django's query log did not show, added to its count.

    Django 5.2 logs both ends of a transaction: SQLite's `BEGIN` (the backend executes it)
    and, on PostgreSQL, a `BEGIN` entry when it turns autocommit off (psycopg then sends the
    real `BEGIN` before the first statement: one round trip, one entry); `COMMIT` is logged
    around `connection.commit()` on both. This checks it at every save rather than trusting
    it: a save whose log lacks either gets it added, so no version of Django or of the
    driver can make a save look shorter than it is."""
    words = [statement["sql"].split(None, 1)[0].upper() for statement in statements]
    return ("BEGIN" not in words) + ("COMMIT" not in words)


def without_session_touch(statements: list[dict]) -> tuple[list[dict], int]:
    """A save's statements without the idle timeout's write of the login session (at most
    once a minute per user, whatever the request: `IdleSessionMiddleware`), and how many
    those were (its UPDATE in a transaction of its own: BEGIN, UPDATE, COMMIT)."""
    for n, statement in enumerate(statements):
        if statement["sql"].startswith('UPDATE "confidence_vote_loginsession"'):
            first = n - 1 if n and statements[n - 1]["sql"].upper().startswith("BEGIN") else n
            last = n + 1 if statements[n + 1 :] and statements[n + 1]["sql"] == "COMMIT" else n
            return statements[:first] + statements[last + 1 :], last + 1 - first
    return statements, 0


def run(*, officials: int, ballots: int, show_queries: bool) -> dict:
    from ballots.models import Ballot, Mark

    session, user = make_counting_session(officials=officials, ballots=ballots)
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    url = reverse("ballots:entry", args=[session.pk, 1])
    # Warm up the URL resolver, middleware and form code with a save that is refused (no
    # client token) and saves nothing; not measured.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        assert client.post(url, {}, headers={"accept": "application/json"}).status_code == 400
    finally:
        request_log.setLevel(level)

    times: list[float] = []
    db_times: list[float] = []
    queries: list[int] = []
    first_save: list[dict] = []
    last_save: list[dict] = []
    touches = added = 0
    for data in ballot_posts(officials=officials, ballots=ballots):
        # The query log keeps 9000 queries at most; empty it so that every save is counted.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(url, data, headers={"accept": "application/json"})
            elapsed = time.perf_counter() - start
        if response.status_code != 200 or not response.json().get("ok"):
            raise SystemExit(f"save refused: {response.status_code} {response.content[:500]!r}")
        times.append(elapsed)
        own, touched = without_session_touch(captured.captured_queries)
        touches += bool(touched)
        added += uncaptured(own)
        queries.append(len(own) + uncaptured(own))
        # The database's share as the debug cursor times it (to the millisecond): tells a
        # save that grows with the pile from a machine that got busier.
        db_times.append(sum(float(query["time"]) for query in captured.captured_queries))
        last_save = captured.captured_queries
        first_save = first_save or last_save

    saved = Ballot.objects.filter(session=session, entry_pass=1).count()
    marks = Mark.objects.filter(ballot__session=session).count()
    assert saved == ballots, (saved, ballots)
    if show_queries:
        # The debug cursor times each query to the millisecond only.
        print("Queries of one save: ms in the first save, ms in the last save, SQL")
        for n, (first, last) in enumerate(zip(first_save, last_save, strict=False), start=1):
            sql = " ".join(last["sql"].split())
            ms = f"{float(first['time']) * 1000:3.0f} {float(last['time']) * 1000:3.0f}"
            print(f"  {n:2d}. {ms}  {sql[:100]}")
    return {
        "saved": saved,
        "marks": marks,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "max_ms": max(times) * 1000,
        # Does a save slow down as the pile grows?
        "first_50_ms": statistics.median(times[:50]) * 1000,
        "last_50_ms": statistics.median(times[-50:]) * 1000,
        "db_first_50_ms": statistics.median(db_times[:50]) * 1000,
        "db_last_50_ms": statistics.median(db_times[-50:]) * 1000,
        "total_s": sum(times),
        "queries_min": min(queries),
        "queries_median": statistics.median(queries),
        "queries_max": max(queries),
        "queries_first": queries[0],
        "queries_last": queries[-1],
        # Saves that also wrote the login session (left out of their count, said below), and
        # BEGIN/COMMIT that the log lacked and the count added.
        "session_touches": touches,
        "added_uncaptured": added,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=500)
    parser.add_argument("--officials", type=int, default=44)
    parser.add_argument(
        "--show-queries", action="store_true", help="Print the queries of a save, with times."
    )
    parser.add_argument(
        "--json", action="store_true", help="End with one line of JSON (the figures for tools)."
    )
    parser.add_argument(
        "--sqlite-wal",
        action="store_true",
        help="What-if: SQLite in WAL mode with synchronous=NORMAL (not the app's setting).",
    )
    args = parser.parse_args()

    with bench_database("bench-ballot-entry-"):
        version = database_version()
        if args.sqlite_wal and connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            version += " (WAL, synchronous=NORMAL)"
        result = run(officials=args.officials, ballots=args.ballots, show_queries=args.show_queries)

    print(
        f"{version}, Python {platform.python_version()}, Django {django.get_version()}: "
        f"{result['saved']} ballots x {args.officials} officials ({result['marks']} marks) "
        f"in pass 1"
    )
    print(
        f"server time per save: median {result['median_ms']:.1f} ms, "
        f"95th percentile {result['p95_ms']:.1f} ms, max {result['max_ms']:.1f} ms "
        f"(all saves: {result['total_s']:.1f} s)"
    )
    print(
        f"median of the first 50 saves {result['first_50_ms']:.1f} ms, "
        f"of the last 50 {result['last_50_ms']:.1f} ms"
    )
    print(
        f"database statements per save (debug cursor, ms): median of the first 50 saves "
        f"{result['db_first_50_ms']:.0f}, of the last 50 {result['db_last_50_ms']:.0f}"
    )
    print(
        f"queries per save: median {result['queries_median']:g} "
        f"(min {result['queries_min']}, max {result['queries_max']}; "
        f"first save {result['queries_first']}, last {result['queries_last']})"
    )
    print(
        f"(every round trip counted, BEGIN and COMMIT included: {result['added_uncaptured']} "
        f"missing from Django's query log and added; {result['session_touches']} saves also "
        "wrote the login session, the idle timeout's once-a-minute touch, not counted as the "
        "save's)"
    )
    if args.json:
        figures = {
            "queries_per_save": result["queries_max"],
            "p50_ms": round(result["median_ms"], 1),
            "p95_ms": round(result["p95_ms"], 1),
            "first50_median_ms": round(result["first_50_ms"], 1),
            "last50_median_ms": round(result["last_50_ms"], 1),
        }
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
