"""The official documents as PDF, parsed: names, numbers, headers, fingerprint, watermark;
page 1 rendered to PNG and checked for A4 proportions and ink."""

import datetime as dt
import io
import subprocess
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils.timezone import localtime
from PIL import Image
from pypdf import PdfReader

from ballots.services import ballots_import, count_close, count_record_collected
from confidence_vote.lib.numbers import percentage
from confidence_vote.rules import PARTY_96_2023
from reports.documents import (
    ballot_copies,
    document_filename,
    document_number,
    render_document,
    summary_sentence,
    verification_payload,
)
from reports.selectors import OfficialResult, Tally, tally_for_session
from sessions.models import AuditEntry, Organization, SessionStatus
from tests.ballots import make_chair_user, make_counting_session
from tests.factories import make_official, make_ready_session, make_session
from tests.reports.test_tally import pile

# The same profile with the boundary at "over 2/3" (QĐ 41-QĐ/TW's wording).
OVER_TWO_THIRDS = replace(PARTY_96_2023, two_thirds_inclusive=False)
NAMES = [
    "Nguyễn Thị Hương",
    "Trần Đức Thắng",
    "Lê Văn Hùng",
    "Phạm Thị Ngọc Ánh",
    "Hoàng Quốc Việt",
]


def seed_session(org, *ballots, close=False, issued=28):
    """The seed case: 31 convened, 28 present, 5 officials with real names, the ballots
    entered once; the count closed by the committee chair when `close`."""
    chair = make_chair_user(org)
    session = make_counting_session(org, chair=chair, issued=issued, double_entry=False)
    for official, name in zip(session.officials.order_by("order"), NAMES, strict=True):
        official.full_name = name
        official.save(update_fields=["full_name"])
    ballots = ballots or [("high",) * 5] * 28
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(*ballots))
    if close:
        count_record_collected(user=chair, session=session, ballots_collected=len(ballots))
        count_close(user=chair, session=session)
    session.refresh_from_db()
    return session


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def page_one_png(pdf: bytes, tmp_path) -> Image.Image:
    """Page 1 rendered by poppler at 50 dpi."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    return Image.open(png).convert("L")


def assert_a4_with_ink(image: Image.Image) -> None:
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.02
    histogram = image.histogram()
    dark = sum(histogram[:128])
    # Text, rules and the table: a few percent of the page, not blank and not black.
    assert 0.005 < dark / (width * height) < 0.5


def test_minutes_of_the_seed_case_party_style(org, tmp_path):
    session = seed_session(org, close=True)
    tally = tally_for_session(session=session)
    # No number entered yet: room is left for it.
    assert "Số -BB/BCSĐ" in " ".join(
        pages_text(render_document(session=session, kind="minutes"))[0].split()
    )
    pdf = render_document(session=session, kind="minutes", number="01")
    pages = pages_text(pdf)
    text = " ".join("\n".join(pages).split())
    for expected in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BAN CÁN SỰ ĐẢNG VKSND TỐI CAO",
        "BAN CÁN SỰ ĐẢNG VKSND TỈNH QUẢNG NINH",
        "Số 01-BB/BCSĐ",
        "Quảng Ninh, ngày 03 tháng 7 năm 2023",
        "BIÊN BẢN KIỂM PHIẾU",
        "Quy định số 96-QĐ/TW",
        "Kế hoạch số 72-KH/BCSĐ",
        "vào lúc 08 giờ 00",
        "Nguyễn Văn Chủ",
        "triệu tập: 31",
        "có mặt: 28",
        "vắng mặt: 3",
        "Đỗ Văn Chánh - Tổ trưởng",
        "Số phiếu phát ra: 28",
        "số phiếu thu về: 28",
        "số phiếu hợp lệ: 28",
        "số phiếu không hợp lệ: 0",
        "tỷ lệ % tính trên tổng số phiếu thu về",
        "100,00%",
        "0,00%",
        "TỔ KIỂM PHIẾU",
        "TỔ TRƯỞNG",
        "CHỦ TRÌ",
    ]:
        assert expected in text, expected
    for name in NAMES:
        assert name in text
    assert "Số:" not in text
    assert "CỘNG HÒA" not in text
    # The count was closed in the software years after the 2023 meeting: that moment is not
    # the count's end, so the minutes leave room for it until the chair enters it.
    assert "...... giờ" in text
    assert str(localtime().year) not in text
    assert "DỰ THẢO" in text
    assert "KẾT QUẢ CHÍNH THỨC" not in text
    # The draft's keyed code on every page; the page number from page 2.
    assert len(pages) >= 2
    for page in pages:
        assert tally.draft_code(version=session.result_version) in page
        assert tally.fingerprint() not in page
    assert "2" in pages[1].splitlines()
    assert_a4_with_ink(page_one_png(pdf, tmp_path))


def test_official_documents_say_official_result_and_not_draft(org):
    session = seed_session(org, close=True)
    for kind in ("minutes", "report"):
        pages = pages_text(render_document(session=session, kind=kind, official=True))
        assert "KẾT QUẢ CHÍNH THỨC" in pages[0], kind
        assert not any("DỰ THẢO" in page for page in pages), kind
    # Certified in the database: official without being told.
    session.status = SessionStatus.CERTIFIED
    session.save(update_fields=["status"])
    text = "\n".join(pages_text(render_document(session=session, kind="report")))
    assert "KẾT QUẢ CHÍNH THỨC" in text
    assert "DỰ THẢO" not in text


def test_minutes_while_the_count_is_open_carry_the_draft_watermark(org):
    session = seed_session(org)
    assert session.status == SessionStatus.COUNTING
    pages = pages_text(render_document(session=session, kind="minutes"))
    for page in pages:
        assert "DỰ THẢO" in page
    assert "...... giờ ......" in "\n".join(pages)


def test_minutes_in_state_style(org, tmp_path):
    Organization.objects.filter(pk=org.pk).update(style="state", code="VKSND")
    session = seed_session(org, close=True)
    pdf = render_document(session=session, kind="minutes", number="01")
    text = " ".join(" ".join(pages_text(pdf)).split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 01/BB-VKSND" in text
    assert "ĐẢNG CỘNG SẢN" not in text
    assert_a4_with_ink(page_one_png(pdf, tmp_path))


def test_report_has_the_summary_and_recipients(org, tmp_path):
    session = seed_session(org, close=True)
    pdf = render_document(session=session, kind="report", number="01")
    text = " ".join(" ".join(pages_text(pdf)).split())
    assert "Số 01-BC/BCSĐ" in text
    assert "BÁO CÁO" in text
    assert (
        "5/5 đồng chí đạt 28/28 phiếu tín nhiệm cao (100,00%); không có đồng chí nào có "
        "trên 1/2 phiếu tín nhiệm thấp"
    ) in text
    assert "Nơi nhận" in text
    assert "Nguyễn Văn Chủ" in text
    assert tally_for_session(session=session).draft_code(version=1) in text
    assert_a4_with_ink(page_one_png(pdf, tmp_path))


def test_table_shows_bands_and_row_defects(org):
    # Official 1: 15 low of 28 (over half); official 2: 19 low (two thirds); official 3: one
    # ballot with no box ticked in its row.
    ballots = (
        [("low", "low", "high", "high", "high")] * 15
        + [("high", "low", "high", "high", "high")] * 4
        + [("high", "high", "none", "high", "high")]
        + [("high",) * 5] * 8
    )
    session = seed_session(org, *ballots, close=True)
    text = " ".join(" ".join(pages_text(render_document(session=session, kind="minutes"))).split())
    assert "53,57%" in text  # 15/28
    assert "67,86%" in text  # 19/28
    assert "Trên 1/2 đến dưới 2/3 phiếu tín nhiệm thấp" in text
    assert "Từ 2/3 phiếu tín nhiệm thấp trở lên" in text
    # Official 3: 27 valid and 1 invalid ballot, in their own columns.
    assert "28 0 13 46,43% 0 0,00% 15 53,57%" in text
    assert "27 1 27 96,43%" in text


def _tally(*rows, base=28):
    officials = [
        OfficialResult(
            order=i,
            name=name,
            position="Phó Viện trưởng",
            valid=base,
            invalid=0,
            high=high,
            medium=base - high - low,
            low=low,
            high_pct=percentage(high, base),
            medium_pct=percentage(base - high - low, base),
            low_pct=percentage(low, base),
            band=band,
        )
        for i, (name, high, low, band) in enumerate(rows, start=1)
    ]
    return Tally(
        session=1, rule_profile="party-96-2023", percentage_base="collected", convened=31,
        present=28, quorum_required=21, quorum_met=True, issued=base, collected=base,
        count_closed=True, officials=officials, base=base,
    )  # fmt: skip


def test_summary_when_everyone_has_the_same_result():
    tally = _tally(*[("A", 28, 0, "none")] * 5)
    assert summary_sentence(tally, profile=PARTY_96_2023) == (
        "5/5 đồng chí đạt 28/28 phiếu tín nhiệm cao (100,00%); không có đồng chí nào có "
        "trên 1/2 phiếu tín nhiệm thấp"
    )


def test_summary_names_the_officials_in_each_band():
    tally = _tally(
        ("Lê Văn A", 20, 2, "none"),
        ("Trần Văn B", 5, 15, "over_half"),
        ("Phạm Văn C", 2, 19, "two_thirds"),
        ("Đỗ Văn D", 10, 15, "over_half"),
    )
    assert summary_sentence(tally, profile=PARTY_96_2023) == (
        "1/4 đồng chí đạt trên 1/2 phiếu tín nhiệm cao; số phiếu tín nhiệm cao từ 2/28 (7,14%) "
        "đến 20/28 (71,43%); 2/4 đồng chí có trên 1/2 đến dưới 2/3 phiếu tín nhiệm thấp "
        "(đồng chí Trần Văn B, Đỗ Văn D); 1/4 đồng chí có từ 2/3 phiếu tín nhiệm thấp trở lên "
        "(đồng chí Phạm Văn C)"
    )
    assert "trên 1/2 đến 2/3 phiếu" in summary_sentence(tally, profile=OVER_TWO_THIRDS)
    assert "có trên 2/3 phiếu" in summary_sentence(tally, profile=OVER_TWO_THIRDS)


def test_summary_with_no_ballot_or_no_official():
    assert summary_sentence(_tally(("A", 0, 0, "none"), base=0), profile=PARTY_96_2023) == (
        "Chưa có phiếu nào được kiểm"
    )
    assert summary_sentence(_tally(), profile=PARTY_96_2023) == (
        "Danh sách lấy phiếu tín nhiệm không có đồng chí nào"
    )


def test_numbers_and_file_names(org):
    assert document_number(organization=org, kind="report", number="07") == "Số 07-BC/BCSĐ"
    session = make_session(org, title="Hội nghị 2023/2024")
    assert document_filename(session=session, kind="minutes") == (
        "Biên bản kiểm phiếu - Hội nghị 2023-2024.pdf"
    )


def test_verification_payload_holds_the_code(org):
    tally = tally_for_session(session=seed_session(org))
    payload = verification_payload(tally.fingerprint())
    assert payload == f"{settings.PUBLIC_BASE_URL}/verify/?fp={tally.fingerprint()}"


def test_a_draft_prints_a_keyed_code_never_the_plain_fingerprint(org):
    """Before certification nothing printed lets the secretariat confirm a guessed result:
    the code is keyed with the server's secret, per result version."""
    session = seed_session(org)
    tally = tally_for_session(session=session)
    text = "".join(pages_text(render_document(session=session, kind="minutes")))
    assert tally.fingerprint() not in text
    draft = tally.draft_code(version=session.result_version)
    assert draft in text and draft != tally.fingerprint()
    assert tally.draft_code(version=2) != draft
    assert "chưa chứng nhận" in text


def test_the_draft_code_depends_on_the_servers_secret(org, settings):
    session = seed_session(org)
    tally = tally_for_session(session=session)
    before = tally.draft_code(version=1)
    settings.SECRET_KEY = "another-secret-" + "x" * 40
    assert tally.draft_code(version=1) != before


def test_ballot_paper_has_no_results_and_one_copy_per_delegate_present(org, tmp_path):
    session = seed_session(org)
    assert ballot_copies(session=session) == 28
    pdf = render_document(session=session, kind="ballots", spares=2)
    pages = pages_text(pdf)
    assert len(pages) == 30
    # Identical copies: nothing on a paper could tell one voter's from another's.
    assert len(set(pages)) == 1
    text = pages[0]
    for expected in ["PHIẾU TÍN NHIỆM", "Tín nhiệm cao", "Tín nhiệm thấp", "Họ và tên", *NAMES]:
        assert expected in text, expected
    assert "DỰ THẢO" not in text
    assert "%" not in text
    assert_a4_with_ink(page_one_png(pdf, tmp_path))


def test_ballot_paper_for_50_officials_repeats_the_table_header(org):
    session = make_ready_session(org, convened=3, present=2, officials=50)
    pdf = render_document(session=session, kind="ballots")
    pages = pages_text(pdf)
    per_copy = len(pages) // 2
    assert per_copy > 1
    assert len(pages) == 2 * per_copy
    assert pages[:per_copy] == pages[per_copy:]
    for page in pages:
        assert "Họ và tên" in page
        assert "Tín nhiệm thấp" in page
    assert "Trần Văn Cán 50" in "\n".join(pages[:per_copy])


def test_ballot_copies_at_least_one_and_spares_bounded(org):
    session = make_session(org)
    make_official(session)
    assert ballot_copies(session=session) == 1
    assert ballot_copies(session=session, spares=1000) == 1000
    with pytest.raises(ValueError):
        ballot_copies(session=session, spares=1001)


def test_count_ended_on_another_day_is_dated(org):
    session = seed_session(org, close=True)
    next_day = dt.datetime(2023, 7, 4, 0, 40, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    AuditEntry.objects.filter(session=session, action="count.close").update(created_at=next_day)
    text = " ".join(" ".join(pages_text(render_document(session=session, kind="minutes"))).split())
    assert "kết thúc vào lúc 00 giờ 40, ngày 04 tháng 7 năm 2023." in text


def test_legal_bases_are_not_prefixed_twice_and_titles_keep_proper_names():
    from reports.documents import in_sentence, legal_bases

    assert legal_bases("Quy định số 96-QĐ/TW", "Thực hiện Kế hoạch số 72-KH/BCSĐ;", "") == [
        "Căn cứ Quy định số 96-QĐ/TW",
        "Thực hiện Kế hoạch số 72-KH/BCSĐ",
    ]
    assert in_sentence("Hội nghị lấy phiếu tín nhiệm VKSND tỉnh Quảng Ninh") == (
        "hội nghị lấy phiếu tín nhiệm VKSND tỉnh Quảng Ninh"
    )


def test_entered_end_and_announcement_times_are_printed(org):
    from django.contrib.auth import get_user_model

    from reports.details import result_details_update

    session = seed_session(org, close=True)
    chair = get_user_model().objects.get(username="to-truong")
    result_details_update(
        user=chair,
        session=session,
        count_ended_at=dt.datetime(2023, 7, 3, 9, 40, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        announced_at=dt.datetime(2023, 7, 3, 9, 55, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        minutes_number="03",
    )
    text = " ".join(" ".join(pages_text(render_document(session=session, kind="minutes"))).split())
    assert "kết thúc vào lúc 09 giờ 40 cùng ngày." in text
    assert "công bố vào lúc 09 giờ 55 cùng ngày." in text
    assert "Số 03-BB/BCSĐ" in text
    # Party minutes: no State witness and complaint lines.
    assert "Người chứng kiến" not in text
