"""Benchmark: the time and peak memory of the official documents.

Renders the counting minutes of a session with OFFICIALS officials (50 by default) and
BALLOTS ballots entered (500), then the ballot paper for PRESENT delegates present (500
copies). Targets (issue 4): minutes at most 2 s, 500 ballot papers at most 10 s. Each
document is timed REPEAT times without tracing (best and median), then rendered once more
under tracemalloc for the peak of Python allocations; maxrss is the process's peak resident
size after that document. The database is whatever DATABASE_URL points at (SQLite by
default, in memory); the script creates its own test database and destroys it.

    DJANGO_SETTINGS_MODULE=confidence_vote.settings .venv/bin/python bench/documents.py
"""

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confidence_vote.settings")
django.setup()

import weasyprint  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from ballots.inputs import BallotInput  # noqa: E402
from ballots.services import ballots_import  # noqa: E402
from reports.documents import render_document  # noqa: E402
from sessions.models import CommitteeRole  # noqa: E402
from sessions.services.sessions import session_open_counting, session_start_voting  # noqa: E402
from tests.factories import (  # noqa: E402
    make_committee_member,
    make_delegates,
    make_official,
    make_organization,
    make_session,
)

SEED = 2023
MARK_WEIGHTS = {"high": 85, "medium": 10, "low": 5}


def make_bench_session(*, officials: int, ballots: int, present: int):
    organization = make_organization()
    session = make_session(organization, double_entry=False)
    for i in range(officials):
        make_official(session, full_name=f"Nguyễn Thị Phương Thảo {i + 1}")
    make_delegates(session, present + 10, present)
    make_committee_member(session, role=CommitteeRole.CHAIR, full_name="Đỗ Văn Chánh")
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=present)
    rng = random.Random(SEED)
    levels, weights = list(MARK_WEIGHTS), list(MARK_WEIGHTS.values())
    rows = [
        BallotInput(
            number=n,
            marks={o: rng.choices(levels, weights)[0] for o in range(1, officials + 1)},
        )
        for n in range(1, ballots + 1)
    ]
    ballots_import(user=None, session=session, entry_pass=1, rows=rows)
    session.refresh_from_db()
    return session


def measure(session, kind: str, repeat: int) -> dict:
    times = []
    size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(render_document(session=session, kind=kind))
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    render_document(session=session, kind=kind)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "best_s": min(times),
        "median_s": statistics.median(times),
        "traced_peak_mib": peak / 2**20,
        "maxrss_mib": maxrss_kib / 1024,
        "bytes": size,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"WeasyPrint {weasyprint.__version__}, {connection.vendor}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officials", type=int, default=50)
    parser.add_argument("--ballots", type=int, default=500)
    parser.add_argument("--present", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        session = make_bench_session(
            officials=args.officials, ballots=args.ballots, present=args.present
        )
        about = machine()
        minutes = measure(session, "minutes", args.repeat)
        papers = measure(session, "ballots", args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    print(f"Machine: {about}\n")
    print("| document | best | median | target | traced peak | maxrss after | PDF size |")
    print("|---|---|---|---|---|---|---|")
    for label, result, target in [
        (f"minutes, {args.officials} officials, {args.ballots} ballots", minutes, "≤ 2 s"),
        (f"ballot papers, {args.present} copies x {args.officials} officials", papers, "≤ 10 s"),
    ]:
        print(
            f"| {label} | {result['best_s']:.2f} s | {result['median_s']:.2f} s | {target} | "
            f"{result['traced_peak_mib']:.1f} MiB | {result['maxrss_mib']:.0f} MiB | "
            f"{result['bytes'] / 1024:.0f} KiB |"
        )


if __name__ == "__main__":
    main()
