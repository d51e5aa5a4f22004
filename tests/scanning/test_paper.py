"""The machine-readable ballot paper and `render_document … --layout`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from pypdf import PdfReader

from ballots.scanning.layout import LEVELS, BallotLayout, parse_payload
from reports.documents import render_ballot_paper, render_document


def test_layout_places_every_box_on_the_page(paper):
    layout = paper.layout
    assert layout.page_count == 2
    assert layout.orders == list(range(1, 29))
    boxes = layout.as_dict()["boxes"]
    assert len(boxes) == 28 * 3
    for box in boxes:
        assert box["level"] in LEVELS
        assert box["x"] >= 30 and box["x"] + box["width"] <= 196
        assert box["y"] >= 20 and box["y"] + box["height"] <= 265
        assert box["width"] > 20 and box["height"] > 9
    # The three boxes of a row side by side, high first.
    row = [b for b in boxes if b["order"] == 1]
    assert [b["level"] for b in sorted(row, key=lambda b: b["x"])] == ["H", "M", "L"]
    for page in layout.pages:
        assert [m.rounded() for m in page.marks] == [
            [8.0, 8.0, 6.0, 6.0],
            [196.0, 8.0, 6.0, 6.0],
            [196.0, 283.0, 6.0, 6.0],
            [8.0, 283.0, 6.0, 6.0],
        ]
        assert page.qr.rounded() == [30.0, 266.0, 20.0, 20.0]
    assert BallotLayout.from_dict(json.loads(json.dumps(layout.as_dict()))) == layout


def test_paper_has_the_ballot_text_and_no_serial(paper):
    pdf, layout = render_ballot_paper(session=paper.session, copies=3)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 6
    text = reader.pages[0].extract_text()
    assert "PHIẾU TÍN NHIỆM" in text and "Tín nhiệm thấp" in text
    assert "Trang 1/2" in text
    assert "Trang 2/2" in reader.pages[1].extract_text()
    # Every copy identical: the third copy's pages are the first copy's content.
    assert reader.pages[4].get_contents().get_data() == reader.pages[0].get_contents().get_data()
    assert layout == paper.layout


def test_fingerprint_changes_with_the_officials(paper):
    official = paper.session.officials.get(order=3)
    official.full_name = "Nguyễn Thị Đổi Tên"
    official.save()
    _pdf, layout = render_ballot_paper(session=paper.session)
    assert layout.fingerprint != paper.layout.fingerprint


def test_payload_round_trip():
    payload = parse_payload("CV1:12:0123456789ABCDEF:2:3")
    assert (payload.session_id, payload.fingerprint, payload.page, payload.pages) == (
        12,
        "0123456789ABCDEF",
        2,
        3,
    )
    assert parse_payload("CV1:12:0123456789ABCDEF:4:3") is None
    assert parse_payload("https://example.org") is None


def test_render_document_writes_the_layout(paper, tmp_path):
    out, layout_file = tmp_path / "phieu.pdf", tmp_path / "phieu.json"
    call_command(
        "render_document",
        str(paper.session.pk),
        "ballots",
        "-o",
        str(out),
        "--layout",
        str(layout_file),
        stdout=io.StringIO(),
    )
    data = json.loads(layout_file.read_text(encoding="utf-8"))
    assert data["fingerprint"] == paper.layout.fingerprint
    assert data["boxes"][0] == {
        "page": 1,
        "order": 1,
        "level": "H",
        **dict(
            zip(
                ("x", "y", "width", "height"),
                paper.layout.pages[0].rows[0].boxes["H"].rounded(),
                strict=True,
            )
        ),
    }
    # One copy per delegate present (28).
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == 56


def test_plain_paper_is_unchanged(paper):
    pdf = render_document(session=paper.session, kind="ballots")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Trang" not in text
    machine = render_document(session=paper.session, kind="ballots", machine_readable=True)
    assert "Trang 1/2" in PdfReader(io.BytesIO(machine)).pages[0].extract_text()


def test_layout_only_for_ballots(paper, tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="Only the ballot paper"):
        call_command(
            "render_document",
            str(paper.session.pk),
            "minutes",
            "-o",
            str(tmp_path / "x.pdf"),
            "--layout",
            str(tmp_path / "x.json"),
        )
