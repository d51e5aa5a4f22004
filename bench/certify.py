"""Benchmark: certifying the result of a session of National Assembly size.

Builds (in a throwaway test database on whatever DATABASE_URL points at) a session of 480
ballots rating 44 officials, entered alike in both passes, closes the count, lets the three
committee members confirm, installs a trial signing certificate (in a temporary SIGNING_DIR),
then times `result_certify` (the tally, the minutes and the report rendered once each and
signed once each, stored in one short transaction) --runs times: between runs the chair
reopens the result, closes the count again and everyone confirms again (not timed).

    DJANGO_SETTINGS_MODULE=confidence_vote.settings .venv/bin/python bench/certify.py --json
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import database_version  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from pages import build_session, make_people  # noqa: E402

PASSWORD = "bench-certify-password"  # noqa: S105 - a throwaway account in a throwaway database


def _timed(function, spent: dict, key: str):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - start

    return wrapper


def run(*, ballots: int, runs: int) -> tuple[list[float], list[dict]]:
    import reports.services as services
    from ballots.services import count_close
    from reports.key_services import trial_signer_install
    from reports.services import result_certify, result_confirm, result_reopen

    # Where the time goes: the documents' rendering, the signing, the tallies (wrapped where
    # result_certify looks them up; not part of what is measured otherwise).
    spent: dict[str, float] = {}
    services.render_document = _timed(services.render_document, spent, "render")
    services.sign_pdf_with = _timed(services.sign_pdf_with, spent, "sign")
    services.tally_for_session = _timed(services.tally_for_session, spent, "tally")
    parts = []

    org, users = make_people()
    session = build_session(org, users, ballots=ballots, differ=False)
    trial_signer_install(organization=org)
    committee = [users["chair"], users["member1"], users["member2"]]
    for user in committee:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    times = []
    for run_number in range(runs):
        if run_number:
            result_reopen(user=users["chair"], session=session, reason="Benchmark: again")
        count_close(user=users["chair"], session=session)
        session.refresh_from_db()
        for user in committee:
            result_confirm(user=user, session=session, password=PASSWORD)
        spent.clear()
        start = time.perf_counter()
        documents = result_certify(user=users["chair"], session=session)
        times.append(time.perf_counter() - start)
        parts.append({key: round(value * 1000) for key, value in spent.items()})
        assert len(documents) == 2
        session.refresh_from_db()
    return times, parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=480)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="End with one line of JSON.")
    args = parser.parse_args()

    db = connection.settings_dict
    temp_dir = tempfile.TemporaryDirectory(prefix="bench-certify-")
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(Path(temp_dir.name) / "bench.sqlite3")
    settings.SIGNING_DIR = Path(temp_dir.name) / "signing"
    old_name = db["NAME"]
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        version = database_version()
        times, parts = run(ballots=args.ballots, runs=args.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        temp_dir.cleanup()
    ms = [round(t * 1000) for t in times]
    print(f"{version}: certify {args.ballots} ballots x 44 officials: {ms} ms")
    print(f"of which, per run (ms): {parts}")
    if args.json:
        print(json.dumps({"certify_ms": ms, "median_ms": round(statistics.median(times) * 1000)}))


if __name__ == "__main__":
    main()
