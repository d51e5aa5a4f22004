"""Benchmark: hostile uploads are refused fast and small; the legal basis at its maximum length.

Part 1, uploads. Each file goes through the upload form of the lists import
(`ImportUploadForm`, whose clean runs the upload validator, as a POST does) in a fresh Python
process, so that its memory is its own. The child process imports Django and the app first,
resets its peak resident size (`echo 5 > /proc/self/clear_refs`), then validates the file and
reports the wall-clock time and VmHWM (peak resident size) minus the resident size before:
the growth the file caused. Files: the 200 MB shared-string bomb (about 204 kB), a row of two
million cells, a CSV row of two million cells, and for comparison a real list of 5,000
delegates (accepted, then parsed).

Part 2, documents. Renders the counting minutes, the result report and the ballot paper of a
5-official session whose legal basis is LEGAL_BASIS_MAX_LENGTH (4000) characters, on a test
database of its own (SQLite by default; DATABASE_URL for PostgreSQL).

    .venv/bin/python bench/upload_bomb.py [--skip-documents]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confidence_vote.settings")

CHILD = r"""
import json, os, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confidence_vote.settings")
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from sessions.forms.imports import ImportUploadForm
from sessions.importing import parse_import
import openpyxl  # noqa: F401  (imported before measuring, as in the server)

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # MiB
content = Path({path!r}).read_bytes()
Path("/proc/self/clear_refs").write_text("5")
before = status("VmRSS")
start = time.perf_counter()
form = ImportUploadForm(files={{"file": SimpleUploadedFile({name!r}, content)}})
valid = form.is_valid()
checked = time.perf_counter() - start
rows = 0
if valid:
    result = parse_import(form.cleaned_data["content"], {name!r}, kind="delegates")
    rows = len(result.rows)
elapsed = time.perf_counter() - start
print(json.dumps({{
    "check_seconds": checked,
    "seconds": elapsed,
    "rss_before_mib": before,
    "peak_mib": status("VmHWM"),
    "accepted": valid,
    "rows": rows,
    "error": "" if valid else form.errors["file"][0],
}}))
"""


def run_child(path: Path, name: str) -> dict:
    code = CHILD.format(root=str(ROOT), path=str(path), name=name)
    env = {**os.environ, "LANGUAGE": "en"}
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def uploads() -> None:
    import django

    django.setup()
    from openpyxl import Workbook

    from tests import spreadsheet_bombs as bombs

    def real_list(count: int) -> bytes:
        import io

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Thành phần"])
        for n in range(1, count + 1):
            sheet.append(
                [n, f"Nguyễn Thị Phương {n}", "Chuyên viên", f"Phòng {n % 20}", "Công chức"]
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    cases = [
        ("shared string of 200 MB (.xlsx)", "bomb.xlsx", bombs.huge_shared_string()),
        ("one row of 2,000,000 cells (.xlsx)", "row.xlsx", bombs.wide_row(2_000_000)),
        (
            "one row of 2,000,000 cells (.csv)",
            "row.csv",
            "Họ và tên\n".encode() + b"," * 2_000_000,
        ),
        ("4,999 delegates, a real list (.xlsx)", "list.xlsx", real_list(4999)),
    ]
    print(
        "| file | size | verdict | validator | whole (+ parse) | RSS before | peak RSS | growth |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for label, name, content in cases:
            path = Path(folder) / name
            path.write_bytes(content)
            result = run_child(path, name)
            verdict = f"accepted, {result['rows']} rows read" if result["accepted"] else "refused"
            growth = max(result["peak_mib"] - result["rss_before_mib"], 0)
            print(
                f"| {label} | {len(content) / 1024:.0f} kB | {verdict} | "
                f"{result['check_seconds']:.3f} s | {result['seconds']:.3f} s | "
                f"{result['rss_before_mib']:.0f} MiB | "
                f"{result['peak_mib']:.0f} MiB | {growth:.1f} MiB |"
            )
            if not result["accepted"]:
                print(f"|  | message: {result['error'][:90]}… | | | | | | |")


def documents() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from reports.documents import render_document
    from sessions.models import LEGAL_BASIS_MAX_LENGTH, CommitteeRole
    from sessions.services.sessions import session_open_counting, session_start_voting
    from tests.factories import (
        make_committee_member,
        make_delegates,
        make_official,
        make_organization,
        make_session,
    )

    short = "Kế hoạch số 72-KH/BCSĐ, ngày 01/6/2023"
    sentence = "Kế hoạch số 72-KH/BCSĐ ngày 01/6/2023 của Ban Cán sự Đảng VKSND tỉnh Quảng Ninh; "
    legal_basis = (sentence * 100)[: LEGAL_BASIS_MAX_LENGTH - 1].rstrip() + "."
    old_name = connection.settings_dict["NAME"]
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        session = make_session(make_organization(), legal_basis=legal_basis, double_entry=False)
        assert len(session.legal_basis) <= LEGAL_BASIS_MAX_LENGTH
        for n in range(5):
            make_official(session, full_name=f"Nguyễn Văn Cán {n + 1}")
        make_delegates(session, 31, 28)
        make_committee_member(session, role=CommitteeRole.CHAIR, full_name="Lưu Văn Hưng")
        session_start_voting(user=None, session=session)
        session_open_counting(user=None, session=session, ballots_issued=28)
        render_document(session=session, kind="minutes")  # fonts and templates loaded once
        print(f"\nLegal basis: {len(legal_basis)} characters, against {len(short)}.\n")
        print("| document | 4000-character basis | short basis | PDF size (4000) |")
        print("|---|---|---|---|")
        for kind in ("minutes", "report", "ballots"):
            timings = {}
            for label, text in (("long", legal_basis), ("short", short)):
                type(session).objects.filter(pk=session.pk).update(legal_basis=text)
                session.refresh_from_db()
                best = None
                for _ in range(3):
                    start = time.perf_counter()
                    size = len(render_document(session=session, kind=kind))
                    elapsed = time.perf_counter() - start
                    best = elapsed if best is None else min(best, elapsed)
                    if label == "long":
                        timings["size"] = size
                timings[label] = best
            print(
                f"| {kind} | {timings['long']:.2f} s | {timings['short']:.2f} s | "
                f"{timings['size'] / 1024:.0f} KiB |"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-documents", action="store_true")
    args = parser.parse_args()
    uploads()
    if not args.skip_documents:
        documents()


if __name__ == "__main__":
    main()
