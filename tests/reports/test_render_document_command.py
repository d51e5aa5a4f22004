"""python manage.py render_document SESSION_ID minutes|report|ballots -o FILE.pdf"""

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from tests.reports.test_documents import seed_session


@pytest.mark.parametrize(
    ("kind", "title"),
    [("minutes", "BIÊN BẢN KIỂM PHIẾU"), ("report", "BÁO CÁO"), ("ballots", "PHIẾU TÍN NHIỆM")],
)
def test_writes_the_pdf(org, tmp_path, kind, title):
    session = seed_session(org)
    target = tmp_path / f"{kind}.pdf"
    call_command("render_document", str(session.pk), kind, "-o", str(target))
    reader = PdfReader(target)
    assert title in reader.pages[0].extract_text()


def test_ballots_with_spares_and_a_document_number(org, tmp_path):
    session = seed_session(org)
    ballots = tmp_path / "ballots.pdf"
    call_command("render_document", str(session.pk), "ballots", "-o", str(ballots), "--spares", "5")
    assert len(PdfReader(ballots).pages) == 33
    minutes = tmp_path / "minutes.pdf"
    call_command(
        "render_document", str(session.pk), "minutes", "-o", str(minutes), "--number", "12"
    )
    assert "Số 12-BB/BCSĐ" in PdfReader(minutes).pages[0].extract_text()


def test_unknown_session(db, tmp_path):
    target = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="No session with id 999"):
        call_command("render_document", "999", "minutes", "-o", str(target))
    assert not target.exists()


def test_unknown_kind(org, tmp_path):
    session = seed_session(org)
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("render_document", str(session.pk), "tally", "-o", str(tmp_path / "x.pdf"))


def test_spares_out_of_range(org, tmp_path):
    session = seed_session(org)
    with pytest.raises(CommandError, match="from 0 to 1000"):
        call_command(
            "render_document", str(session.pk), "ballots", "-o", str(tmp_path / "x.pdf"),
            "--spares", "1001",
        )  # fmt: skip


def test_unwritable_output(org, tmp_path):
    session = seed_session(org)
    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "render_document", str(session.pk), "minutes", "-o", str(tmp_path / "no" / "x.pdf")
        )
