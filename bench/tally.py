"""Benchmark: the tally of a large pile, its time and peak memory.

Builds BALLOTS ballots rating OFFICIALS officials (10,000 and 100 by default: a million marks)
directly with bulk_create in a throwaway test database on whatever DATABASE_URL points at
(SQLite by default, in a file), as bench/ballot_entry.py does, then times
`reports.selectors.tally_for_session` RUNS times (median, min, max) and measures its peak memory:
the Python allocations of one tally (tracemalloc) and the peak resident set size of a fresh
process that runs only the tally on the same database (resource.getrusage ru_maxrss).

    DJANGO_SETTINGS_MODULE=confidence_vote.settings .venv/bin/python bench/tally.py
    DATABASE_URL=postgres://postgres@127.0.0.1:55433/confidence_vote \\
        DJANGO_SETTINGS_MODULE=confidence_vote.settings .venv/bin/python bench/tally.py
"""

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Set in the child process that measures one tally's resident memory: the test database's name.
CHILD_DB = os.environ.get("BENCH_TALLY_DB")
from common import (  # noqa: E402 - sets up Django
    INVALID_SHARE,
    MARK_WEIGHTS,
    SEED,
    database_version,
    make_counting_session,
)
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

# Marks are written in batches of this many rows.
MARK_BATCH = 20_000


def fill_ballots(session, *, officials: int, ballots: int) -> int:
    """Pass-1 ballots with marks from a seeded generator, in bulk; returns the marks made."""
    from ballots.models import Ballot, EntryPass, InvalidReason, Mark

    rng = random.Random(SEED)
    invalid = [rng.random() < INVALID_SHARE for _ in range(ballots)]
    Ballot.objects.bulk_create(
        (
            Ballot(
                session=session,
                entry_pass=EntryPass.FIRST,
                number=n,
                invalid_reason=InvalidReason.NOT_ISSUED if invalid[n - 1] else "",
            )
            for n in range(1, ballots + 1)
        ),
        batch_size=2_000,
    )
    # Read the ids back: bulk_create does not return them on every backend and version.
    ballot_ids = list(
        Ballot.objects.filter(session=session, invalid_reason="")
        .order_by("number")
        .values_list("pk", flat=True)
    )
    official_ids = list(session.officials.order_by("order").values_list("pk", flat=True))
    values, weights = list(MARK_WEIGHTS), list(MARK_WEIGHTS.values())
    made = 0
    batch: list[Mark] = []
    for ballot_id in ballot_ids:
        for official_id, value in zip(
            official_ids, rng.choices(values, weights=weights, k=officials), strict=True
        ):
            batch.append(Mark(ballot_id=ballot_id, official_id=official_id, value=value))
        if len(batch) >= MARK_BATCH:
            Mark.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    if batch:
        Mark.objects.bulk_create(batch)
        made += len(batch)
    if connection.vendor == "postgresql":
        # What autovacuum would do soon after a real count: fresh planner statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return made


def time_tally(session, *, runs: int, explain: bool) -> dict:
    from django.db import reset_queries
    from django.test.utils import CaptureQueriesContext

    from reports.selectors import tally_for_session

    tally_for_session(session=session)  # warm up caches, not measured
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        tally = tally_for_session(session=session)
        times.append(time.perf_counter() - start)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        tally_for_session(session=session)
    plan = []
    if explain and connection.vendor == "postgresql":
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest)
            plan = [line for (line,) in cursor.fetchall()]
    tracemalloc.start()
    tally_for_session(session=session)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "median_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "max_ms": max(times) * 1000,
        "queries": len(captured),
        "traced_peak_kib": traced_peak / 1024,
        "checks_passed": tally.checks_passed,
        "collected": tally.collected,
        "ballots_invalid": tally.ballots_invalid,
        "first_official": tally.as_data()["officials"][0],
        "plan": plan,
        "query_times": [
            (float(q["time"]) * 1000, " ".join(q["sql"].split())[:90])
            for q in captured.captured_queries
        ],
    }


def maxrss_kib() -> int:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_measure(session_id: int) -> None:
    """In a fresh process: the peak RSS before and after one tally of the prepared database."""
    from reports.selectors import tally_for_session
    from sessions.models import VoteSession

    connection.settings_dict["NAME"] = CHILD_DB
    session = VoteSession.objects.get(pk=session_id)
    before = maxrss_kib()
    tally_for_session(session=session)
    print(json.dumps({"before_kib": before, "after_kib": maxrss_kib()}))


def rss_in_child(session_id: int, db_name: str) -> dict:
    env = {**os.environ, "BENCH_TALLY_DB": db_name}
    out = subprocess.run(
        [sys.executable, __file__, "--child-session", str(session_id)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--officials", type=int, default=100)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--explain",
        action="store_true",
        help="PostgreSQL: print EXPLAIN (ANALYZE, BUFFERS) of the tally's slowest query.",
    )
    parser.add_argument("--child-session", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_session is not None:
        child_measure(args.child_session)
        return

    db = connection.settings_dict
    temp_dir = None
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        # A file, like a real SQLite deployment; Django's default test database is in memory.
        temp_dir = tempfile.TemporaryDirectory(prefix="bench-tally-")
        db.setdefault("TEST", {})["NAME"] = str(Path(temp_dir.name) / "bench.sqlite3")
    old_name = db["NAME"]
    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        version = database_version()
        start = time.perf_counter()
        session, _typist = make_counting_session(officials=args.officials, ballots=args.ballots)
        marks = fill_ballots(session, officials=args.officials, ballots=args.ballots)
        build_s = time.perf_counter() - start
        result = time_tally(session, runs=args.runs, explain=args.explain)
        connection.close()
        rss = rss_in_child(session.pk, test_name)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        if temp_dir is not None:
            temp_dir.cleanup()

    print(
        f"{version}, Python {platform.python_version()}, Django {django.get_version()}: "
        f"{args.ballots} ballots x {args.officials} officials ({marks} marks; "
        f"{result['ballots_invalid']} ballots invalid as a whole), built in {build_s:.1f} s"
    )
    print(
        f"tally_for_session: median {result['median_ms']:.0f} ms of {args.runs} runs "
        f"(min {result['min_ms']:.0f} ms, max {result['max_ms']:.0f} ms), "
        f"{result['queries']} queries; chain checks passed: {result['checks_passed']}"
    )
    print(
        f"peak memory: Python allocations during one tally {result['traced_peak_kib']:.0f} KiB "
        f"(tracemalloc); resident set of a fresh process {rss['before_kib'] / 1024:.1f} MiB "
        f"after setup, {rss['after_kib'] / 1024:.1f} MiB after one tally (ru_maxrss)"
    )
    # The debug cursor times execute() only, to the millisecond: on SQLite most of the work
    # happens while the rows are fetched, so these times undercount there.
    print("queries of one tally (ms in execute(), SQL):")
    for ms, sql in result["query_times"]:
        print(f"  {ms:7.1f}  {sql}")
    if result["plan"]:
        print("EXPLAIN (ANALYZE, BUFFERS) of the slowest query:")
        for line in result["plan"]:
            print(f"  {line}")
    print(f"official 1: {json.dumps(result['first_official'], ensure_ascii=False)}")


if __name__ == "__main__":
    main()
