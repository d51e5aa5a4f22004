"""manage.py import_scans SESSION_ID FILE... [--pass 1|2]."""

import io
import json
import random

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import translation
from PIL import ImageDraw

from ballots.models import Ballot, Mark, ScanBatch, ScannedBallot, ScanStatus
from ballots.services import ballots_import
from sessions.models import AuditEntry
from tests.ballots import entry
from tests.scanning.synthetic import PENS, mark_pages, random_marks, rasterise, scan, to_file

LETTERS = {"high": "H", "medium": "M", "low": "L", "none": "", "several": "X"}


def run(session_id, *paths, entry_pass=None):
    """(stdout lines, error or None)."""
    out, err = io.StringIO(), io.StringIO()
    args = [str(session_id), *map(str, paths)]
    if entry_pass:
        args += ["--pass", str(entry_pass)]
    error = None
    with translation.override("en"):
        try:
            call_command("import_scans", *args, stdout=out, stderr=err)
        except CommandError as exc:
            error = str(exc) + "\n" + err.getvalue()
    return out.getvalue().splitlines(), error


def pile(paper, count, *, seed=1, dpi=150, doubtful=()):
    """`count` ballots (two pages each), scanned; the ballots at positions in `doubtful` (from
    0) get a faint dot in a box of row 20. Returns (images, truths)."""
    rng = random.Random(seed)
    clean = rasterise(paper.pdf, dpi=dpi)
    images, truths = [], []
    for position in range(count):
        truth = random_marks(paper.layout.orders, rng)
        truths.append(truth)
        pages = mark_pages(clean, paper.layout, truth, dpi=dpi, rng=rng, pen=PENS["cross"])
        if position in doubtful:
            row = paper.layout.pages[1].rows[5]  # official 20
            box = row.boxes["M"] if truth[20] != "M" else row.boxes["L"]
            k = dpi / 25.4
            x, y = (box.x + box.width / 2) * k, (box.y + box.height / 2) * k
            ImageDraw.Draw(pages[1]).ellipse([x - 4, y - 3, x + 4, y + 3], fill=60)
        images += [scan(page, rng=rng, skew=rng.uniform(-3, 3), noise=5) for page in pages]
    return images, truths


def stored_letters(session, entry_pass=1) -> dict[int, dict[str, str]]:
    result: dict[int, dict[str, str]] = {}
    marks = Mark.objects.filter(ballot__session=session, ballot__entry_pass=entry_pass)
    for number, order, value in marks.values_list("ballot__number", "official__order", "value"):
        result.setdefault(number, {})[str(order)] = LETTERS[value]
    return result


def letters(truth: dict[int, str]) -> dict[str, str]:
    return {str(order): value for order, value in truth.items()}


def test_import_reads_saves_and_holds(paper, tmp_path):
    images, truths = pile(paper, 4, doubtful=(2,))
    blank = images[0].point(lambda _v: 255)
    path = tmp_path / "kiem-phieu.pdf"
    path.write_bytes(to_file([*images[:4], blank, *images[4:]], "pdf"))

    lines, error = run(paper.session.pk, path)
    assert error is None
    summary = json.loads(lines[-1])
    # The last line's keys, exactly: scripts of other organizations read them.
    assert list(summary) == ["pages", "ballots", "saved", "held", "refused_pages", "readings"]
    assert all(
        list(reading) == ["number", "status", "marks", "reasons"] for reading in summary["readings"]
    )
    assert {k: v for k, v in summary.items() if k != "readings"} == {
        "pages": 9,
        "ballots": 4,
        "saved": 3,
        "held": 1,
        "refused_pages": 1,
    }
    assert [r["number"] for r in summary["readings"]] == [1, 2, 3, 4]
    assert [r["status"] for r in summary["readings"]] == ["saved", "saved", "held", "saved"]
    for reading, truth in zip(summary["readings"], truths, strict=True):
        if reading["status"] == "saved":
            assert reading["marks"] == letters(truth)
            assert reading["reasons"] == []
    held = summary["readings"][2]
    assert held["marks"]["20"] == "?"
    assert held["reasons"] == ["row 20: a box is neither clearly empty nor clearly marked"]
    assert "kiem-phieu.pdf, page 5: no ballot code found" in "\n".join(lines)
    assert "Ballot 3 held: row 20: a box is neither clearly empty nor clearly marked" in lines

    # Saved ballots are ballots of pass 1, exactly as read; the held one is not counted.
    assert stored_letters(paper.session) == {
        1: letters(truths[0]),
        2: letters(truths[1]),
        4: letters(truths[3]),
    }
    scanned = list(ScannedBallot.objects.filter(session=paper.session).order_by("number"))
    assert [s.status for s in scanned] == [ScanStatus.SAVED] * 2 + [ScanStatus.HELD, "saved"]
    assert scanned[2].ballot is None and scanned[0].ballot.number == 1
    assert scanned[2].reading["marks"]["20"] == "?"
    assert scanned[2].reading["pages"] == [6, 7]
    # What the machine measured over the names is kept with the reading: no stroke anywhere.
    for item in scanned:
        strokes = item.reading["name_stroke"]
        assert sorted(strokes, key=int) == [str(order) for order in range(1, 29)]
        assert max(strokes.values()) < 1.0
    for item in scanned:
        assert len(item.images) == 2
        for name in item.images:
            with default_storage.open(name) as image:
                assert image.read(3) == b"\xff\xd8\xff"  # JPEG
    batch = ScanBatch.objects.get(session=paper.session)
    assert (batch.pages, batch.saved, batch.held, batch.entry_pass) == (9, 3, 1, 1)
    assert batch.refused[0]["page"] == 5
    audit = AuditEntry.objects.get(session=paper.session, action="scan.import")
    assert audit.data["file"] == "kiem-phieu.pdf"
    assert (audit.data["saved"], audit.data["held"], audit.data["numbers"]) == (3, 1, [1, 4])
    assert AuditEntry.objects.filter(session=paper.session, action="ballot.import").count() == 1


def test_the_same_file_is_never_imported_twice(paper, tmp_path):
    images, _truths = pile(paper, 2)
    first, copy = tmp_path / "a.tiff", tmp_path / "b.tiff"
    first.write_bytes(to_file(images, "tiff"))
    copy.write_bytes(first.read_bytes())
    run(paper.session.pk, first)
    lines, error = run(paper.session.pk, copy, entry_pass=2)
    assert "Nothing was imported from" in error
    assert "This file was already imported into pass 1 (as a.tiff)" in error
    assert "1 of 1 files were not imported." in error
    assert json.loads(lines[-1]) == {
        "pages": 0,
        "ballots": 0,
        "saved": 0,
        "held": 0,
        "refused_pages": 0,
        "readings": [],
    }
    assert Ballot.objects.filter(session=paper.session).count() == 2
    assert ScanBatch.objects.count() == 1


def test_a_file_is_all_or_nothing(org, media, tmp_path):
    from tests.scanning.conftest import make_paper

    paper = make_paper(org, officials=28, issued=2)
    images, _truths = pile(paper, 3)
    path = tmp_path / "qua-nhieu.pdf"
    path.write_bytes(to_file(images, "pdf"))
    lines, error = run(paper.session.pk, path)
    assert "more ballots than issued (2)" in error
    assert json.loads(lines[-1])["saved"] == 0
    assert not Ballot.objects.exists() and not ScannedBallot.objects.exists()
    assert not ScanBatch.objects.exists()
    assert not list((media / "scans").rglob("*.jpg"))


def test_numbers_follow_the_pass_and_each_file_in_scan_order(paper, tmp_path):
    ballots_import(user=None, session=paper.session, entry_pass=2, rows=[entry(1, officials=28)])
    images, truths = pile(paper, 3, seed=4)
    one, two = tmp_path / "1.pdf", tmp_path / "2.pdf"
    one.write_bytes(to_file(images[:2], "pdf"))
    two.write_bytes(to_file(images[2:], "pdf"))
    lines, error = run(paper.session.pk, one, two, entry_pass=2)
    assert error is None
    summary = json.loads(lines[-1])
    assert [r["number"] for r in summary["readings"]] == [2, 3, 4]
    assert summary["saved"] == 3
    stored = stored_letters(paper.session, entry_pass=2)
    assert [stored[n] for n in (2, 3, 4)] == [letters(t) for t in truths]
    assert not Ballot.objects.filter(session=paper.session, entry_pass=1).exists()


def test_bad_files_are_named(paper, tmp_path):
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing here")
    lines, error = run(paper.session.pk, broken, tmp_path / "khong-co.pdf")
    assert "hong.pdf is not a readable PDF" in error
    assert "Cannot read" in error and "khong-co.pdf" in error
    assert json.loads(lines[-1])["pages"] == 0


def test_no_session_and_closed_count(paper, tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="There is no session"):
        call_command("import_scans", "999999", str(tmp_path / "x.pdf"), stdout=io.StringIO())
    images, _truths = pile(paper, 1)
    path = tmp_path / "x.png"
    path.write_bytes(to_file(images[:1], "png"))
    paper.session.status = "draft"
    paper.session.save(update_fields=["status"])
    _lines, error = run(paper.session.pk, path)
    assert "only while the count is open" in error
    assert not ScannedBallot.objects.exists()


def test_a_member_imports_only_their_own_pass(paper, counting_member, tmp_path):
    from ballots.scanning.services import scan_file_import
    from sessions.errors import DomainError
    from tests.factories import make_committee_member

    make_committee_member(paper.session, user=counting_member)
    images, truths = pile(paper, 2, seed=8)
    batch, _reading, report = scan_file_import(
        user=counting_member,
        session=paper.session,
        entry_pass=1,
        file_name="luot-1.pdf",
        content=to_file(images[:2], "pdf"),
        template=paper.template,
    )
    assert batch.imported_by == counting_member
    assert [item.marks for item in report] == [letters(truths[0])]
    assert Ballot.objects.get(session=paper.session).entered_by == counting_member
    with translation.override("en"), pytest.raises(DomainError, match="one pass only"):
        scan_file_import(
            user=counting_member,
            session=paper.session,
            entry_pass=2,
            file_name="luot-2.pdf",
            content=to_file(images[2:], "pdf"),
            template=paper.template,
        )
    assert ScanBatch.objects.count() == 1
