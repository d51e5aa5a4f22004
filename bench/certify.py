"""Benchmark: certifying the result of a session of National Assembly size.

Builds (in a throwaway test database on whatever DATABASE_URL points at) a session of 480
ballots rating 44 officials, entered alike in both passes, closes the count, lets the three
committee members confirm, installs a trial signing certificate (in a temporary SIGNING_DIR),
then times `result_certify` (the tally, the minutes and the report rendered once each and
signed once each, stored in one short transaction) --runs times: between runs the chair
reopens the result, closes the count again and everyone confirms again (not timed).

The parts: "tally" (certify's own tallies), "html" (the documents' HTML, read from the
database), "render" (the documents' HTML and their layout into PDF, at the same time in
worker processes when DOCUMENT_RENDER_PROCESSES > 0 and a core is free; --render-processes
overrides the setting, --busy-workers uses them even on a busy machine),
"sign", "store" (the one transaction that checks and keeps them; its tally is also in
"tally"), and "cpu" (this process's CPU time: a worker's layout is not in it). The first run
starts the PDF workers (and loads WeasyPrint's fonts); --profile FILE writes a cProfile of
the last run.

    DJANGO_SETTINGS_MODULE=confidence_vote.settings .venv/bin/python bench/certify.py --json
"""

import argparse
import cProfile
import json
import os
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


def run(*, ballots: int, runs: int, profile: str = "") -> tuple[list[float], list[dict]]:
    import reports.documents as documents
    import reports.services as services
    from ballots.services import count_close
    from reports.key_services import trial_signer_install
    from reports.services import result_certify, result_confirm, result_reopen

    # Where the time goes: the documents' rendering, the signing, the tallies (wrapped where
    # result_certify looks them up; not part of what is measured otherwise).
    spent: dict[str, float] = {}
    services.render_results_documents = _timed(services.render_results_documents, spent, "render")
    documents.document_source = _timed(documents.document_source, spent, "html")
    services._store_certified = _timed(services._store_certified, spent, "store")
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
        profiler = cProfile.Profile() if profile and run_number == runs - 1 else None
        start, cpu_start = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        signed = result_certify(user=users["chair"], session=session)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        times.append(time.perf_counter() - start)
        # CPU time of this process only (a worker's layout is not in it): what the machine's
        # other load does not change much.
        spent["cpu"] = time.process_time() - cpu_start
        parts.append({key: round(value * 1000) for key, value in spent.items()})
        assert len(signed) == 2
        session.refresh_from_db()
    return times, parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=480)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="End with one line of JSON.")
    parser.add_argument(
        "--render-processes",
        type=int,
        default=None,
        help="PDF worker processes (DOCUMENT_RENDER_PROCESSES; 0: render in this process).",
    )
    parser.add_argument(
        "--busy-workers",
        action="store_true",
        help="Use the PDF workers even when no core is free (they are skipped by default then).",
    )
    parser.add_argument("--profile", default="", help="Write a cProfile of the last run here.")
    args = parser.parse_args()
    if args.render_processes is not None:
        settings.DOCUMENT_RENDER_PROCESSES = args.render_processes
    if args.busy_workers:
        import confidence_vote.lib.pdf as pdf

        pdf._core_free = lambda: True
    load_before = os.getloadavg()

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
        times, parts = run(ballots=args.ballots, runs=args.runs, profile=args.profile)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        temp_dir.cleanup()
    load_after = os.getloadavg()
    ms = [round(t * 1000) for t in times]
    processes = settings.DOCUMENT_RENDER_PROCESSES
    print(f"{version}: certify {args.ballots} ballots x 44 officials: {ms} ms")
    print(f"PDF worker processes: {processes}; of which, per run (ms): {parts}")
    print(f"load average (1, 5, 15 min): before {load_before}, after {load_after}")
    if args.json:

        def median_s(key: str) -> float:
            return round(statistics.median(part.get(key, 0) for part in parts) / 1000, 3)

        summary = {
            "database": version,
            "render_processes": processes,
            "runs": len(times),
            "median_s": round(statistics.median(times), 3),
            "min_s": round(min(times), 3),
            "render_s": median_s("render"),
            "html_s": median_s("html"),
            "sign_s": median_s("sign"),
            "tally_s": median_s("tally"),
            "store_s": median_s("store"),
            "cpu_s": median_s("cpu"),
            "certify_ms": ms,
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in load_after],
        }
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
