"""Benchmark: does history cost anything? The same session's pages and saves, measured before
and after N past sessions of 500 ballots are added to the database, in one process.

Builds a session of --ballots ballots × 44 officials (both passes entered, room for more
saves), measures its pages (every role, --runs runs each, median) and --saves ballot saves;
then adds --history past sessions of 500 ballots to the same organization and measures the
same pages and as many saves again. The last line of output is one JSON object:
{"history": N, "pages": [{"role", "page", "ms_before", "ms_after", "queries_before",
"queries_after"}, ...], "saves": {"before": {...}, "after": {...}}}.

    DJANGO_SETTINGS_MODULE=confidence_vote.settings .venv/bin/python bench/history.py --history 20
"""

import argparse
import gc
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_database, database_version  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
)
from django.urls import reverse  # noqa: E402
from pages import OFFICIALS, build_history, build_session, make_people, measure, pages_of  # noqa: E402


def measure_pages(clients, session, runs: int) -> dict:
    return {
        (role, page): measure(clients[role], url, runs) for role, page, url in pages_of(session)
    }


def measure_saves(client, session, count: int, start: int) -> dict:
    """`count` saves in pass 1 of a session whose pass 1 already holds `start - 1` ballots."""
    url = reverse("ballots:entry", args=[session.pk, 1])
    times, queries = [], 0
    for _n in range(count):
        data = {"client_token": str(uuid.uuid4()), "invalid_reason": ""}
        data.update({f"mark_{order}": "high" for order in range(1, OFFICIALS + 1)})
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            response = client.post(url, data, headers={"accept": "application/json"})
            times.append(time.perf_counter() - begin)
        if response.status_code != 200:
            raise SystemExit(f"save refused: {response.content[:300]!r}")
        queries = max(queries, len(captured))
    return {
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "max_queries": queries,
    }


def settle() -> None:
    """The database and this process as a server's are between meetings, before each half is
    measured: rows that accumulate over years are long vacuumed and analyzed (without this,
    PostgreSQL's autovacuum would work through the fresh rows during the measurement, and the
    planner would have no statistics), the vacuum's dirty pages written out now rather than by
    a checkpoint during the runs, and the objects the building left behind out of the garbage
    collector's way. (SQLite gathers no statistics unless told to, and a deployment does not
    tell it: it is measured as it runs.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
    gc.collect()
    gc.freeze()


def run(*, ballots: int, history: int, runs: int, saves: int) -> dict:
    from sessions.models import VoteSession

    org, users = make_people()
    session = build_session(org, users, ballots=ballots)
    # Room for the saves measured before and after.
    VoteSession.objects.filter(pk=session.pk).update(ballots_issued=ballots + 2 * saves)
    session.refresh_from_db()
    settle()
    clients = {}
    for role, user in users.items():
        clients[role] = Client(headers={"accept-language": "vi"})
        clients[role].force_login(user)
    # member1 typed pass 1: its saves go on there.
    before_saves = measure_saves(clients["member1"], session, saves, ballots + 1)
    before = measure_pages(clients, session, runs)
    started = time.perf_counter()
    build_history(org, users, history)
    settle()
    print(
        f"built {history} past sessions in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    after = measure_pages(clients, session, runs)
    after_saves = measure_saves(clients["member1"], session, saves, ballots + saves + 1)
    return {
        "history": history,
        "pages": [
            {
                "role": role,
                "page": page,
                "ms_before": before[(role, page)]["ms"],
                "ms_after": after[(role, page)]["ms"],
                "queries_before": before[(role, page)]["queries"],
                "queries_after": after[(role, page)]["queries"],
            }
            for role, page in before
        ],
        "saves": {"before": before_saves, "after": after_saves},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=480)
    parser.add_argument("--history", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--saves", type=int, default=50)
    args = parser.parse_args()
    with bench_database("bench-history-"):
        version = database_version()
        result = run(ballots=args.ballots, history=args.history, runs=args.runs, saves=args.saves)
    print(f"{version}; {args.ballots} ballots; before and after {args.history} past sessions")
    print(f"{'role':12} {'page':15} {'ms before':>9} {'ms after':>9} {'queries':>9}")
    for row in result["pages"]:
        print(
            f"{row['role']:12} {row['page']:15} {row['ms_before']:9.1f} {row['ms_after']:9.1f} "
            f"{row['queries_before']:4d} {row['queries_after']:4d}"
        )
    print(f"saves: {result['saves']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
