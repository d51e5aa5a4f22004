"""Documents real bodies sign, parsed from the PDFs: the Vĩnh Phúc People's Council's 2023
vote (47 deputies; the Chủ tịch UBND 19 high, 2 medium, 25 low: 53,19% low, "over 1/2") as
minutes, report and confirming resolution; the seed's Party minutes and report; the State
header's type sizes by Nghị định 30/2020/NĐ-CP; bad input refused with nothing saved."""

import datetime as dt
import io
import subprocess
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from ballots.services import ballots_import, count_close, count_record_collected
from reports.details import result_details_update
from reports.documents import render_document
from reports.models import ResultDetails
from reports.selectors import tally_for_session
from sessions.errors import DomainError
from sessions.models import AuditEntry, CommitteeRole, Role
from sessions.services.session_import import session_import
from tests.factories import make_user
from tests.reports.test_tally import pile

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICIALS = [
    ("Phạm Thị Hồng Hạnh", "Chủ tịch Hội đồng nhân dân tỉnh", "Khối HĐND"),
    ("Trần Văn Quang", "Phó Chủ tịch Hội đồng nhân dân tỉnh", "Khối HĐND"),
    ("Đỗ Minh Tuấn", "Chủ tịch Ủy ban nhân dân tỉnh", "Khối UBND"),
    ("Nguyễn Thị Lan", "Phó Chủ tịch Ủy ban nhân dân tỉnh", "Khối UBND"),
]
MEETING = "Hội đồng nhân dân tỉnh Vĩnh Phúc khóa XVII, kỳ họp thứ 13"


def council_file() -> dict:
    delegates = [
        {"name": f"Đại biểu Số {i:02d}", "position": "Đại biểu HĐND tỉnh", "present": True}
        for i in range(1, 43)
    ] + [{"name": name, "position": position, "present": True} for name, position, _ in OFFICIALS]
    return {
        "organization": {
            "name": "Hội đồng nhân dân tỉnh Vĩnh Phúc",
            "issuing_body": "Hội đồng nhân dân tỉnh Vĩnh Phúc",
            "place": "Vĩnh Phúc",
            "style": "state",
            "code": "HĐND",
        },
        "title": "Lấy phiếu tín nhiệm đối với người giữ chức vụ do HĐND tỉnh bầu",
        "date": "2023-12-08",
        "time": "08:00",
        "venue": "Hội trường Hội đồng nhân dân tỉnh",
        "rule_profile": "assembly-96-2023",
        "percentage_base": "convened",
        "meeting_body": MEETING,
        "chair": {"name": "Phạm Thị Hồng Hạnh", "position": "Chủ tịch HĐND tỉnh"},
        "secretary": "Lê Thu Trang",
        "signature": {"on_behalf": "TM. HỘI ĐỒNG NHÂN DÂN", "title": "CHỦ TỊCH"},
        "report_to": ["Ủy ban Thường vụ Quốc hội", "Thường trực Tỉnh ủy Vĩnh Phúc"],
        "officials": [
            {"name": name, "position": position, "block": block}
            for name, position, block in OFFICIALS
        ],
        "delegates": delegates + [{"name": "Đại biểu Vắng", "absence_reason": "Đi công tác"}],
        "counting_committee": [
            {"name": "Đại biểu Số 01", "role": "chair"},
            {"name": "Đại biểu Số 02", "role": "member"},
            {"name": "Đại biểu Số 03", "role": "member"},
        ],
    }


def council_ballots() -> list[tuple[str, ...]]:
    """46 ballots; the Chủ tịch UBND's row: 19 high, 2 medium, 25 low."""
    third = ["high"] * 19 + ["medium"] * 2 + ["low"] * 25
    return [("high", "high" if i % 9 else "medium", third[i], "high") for i in range(46)]


@pytest.fixture
def council(db):
    data = council_file()
    session = session_import(user=None, data=data)
    # 47 deputies, one absent: 46 present, 46 ballots; the shares are over all 47 deputies.
    chair = make_user("truong-ban", organization=session.organization, roles=[Role.COUNTING])
    session.committee_members.filter(role=CommitteeRole.CHAIR).update(user=chair)
    from sessions.services.sessions import session_open_counting, session_start_voting

    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=46)
    for entry_pass in (1, 2):
        ballots_import(
            user=None, session=session, entry_pass=entry_pass, rows=pile(*council_ballots())
        )
    count_record_collected(user=chair, session=session, ballots_collected=46)
    count_close(user=chair, session=session)
    session.refresh_from_db()
    session.chair_user = chair
    return session


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def in_order(text: str, *parts: str) -> None:
    """Each part once, in this order."""
    position = -1
    for part in parts:
        assert text.count(part) == 1, (part, text.count(part))
        found = text.index(part)
        assert found > position, part
        position = found


def font_sizes(pdf: bytes, page: int = 0) -> dict[str, set[float]]:
    """Each text run of a page with the font sizes it is drawn in (pypdf's visitor)."""
    sizes: dict[str, set[float]] = defaultdict(set)

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            sizes[text.strip()].add(round(font_size * scale, 1))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return sizes


def size_of(sizes: dict[str, set[float]], start: str) -> set[float]:
    """The sizes of the runs that start with `start`."""
    found = set()
    for text, values in sizes.items():
        if text.startswith(start):
            found |= values
    assert found, start
    return found


def enter_details(session, **values):
    defaults = {
        "count_ended_at": dt.datetime(2023, 12, 8, 10, 5, tzinfo=HCM),
        "announced_at": dt.datetime(2023, 12, 8, 10, 30, tzinfo=HCM),
        "minutes_number": "",
        "report_number": "",
    }
    return result_details_update(user=session.chair_user, session=session, **(defaults | values))


def test_tally_json_says_the_base(council):
    tally = tally_for_session(session=council)
    assert tally.as_data()["percentage_base"] == "convened"
    assert tally.base == 47
    ubnd = tally.officials[2]
    assert (ubnd.high, ubnd.medium, ubnd.low, ubnd.invalid) == (19, 2, 25, 0)
    # Vĩnh Phúc 2023: 19/47 = 40,43% high, 25/47 = 53,19% low, "over 1/2".
    assert (str(ubnd.high_pct), str(ubnd.low_pct)) == ("40.43", "53.19")
    assert ubnd.band == "over_half"


def test_vinh_phuc_over_collected_when_the_session_chooses_it(council):
    council.percentage_base = "collected"
    council.save(update_fields=["percentage_base"])
    tally = tally_for_session(session=council)
    assert tally.as_data()["percentage_base"] == "collected"
    assert str(tally.officials[2].low_pct) == "54.35"  # 25/46
    text = text_of(render_document(session=council, kind="minutes"))
    assert "54,35%" in text
    assert "tỷ lệ % tính trên tổng số phiếu thu về" in text


def test_council_minutes_carry_every_field_in_order(council, tmp_path):
    enter_details(
        council,
        minutes_number="07",
        witnesses="Ông Nguyễn Văn Chứng, cử tri phường Liên Bảo",
        resolution_number="45",
        resolution_votes_for=44,
        resolution_passed_on=dt.date(2023, 12, 8),
    )
    pdf = render_document(session=council, kind="minutes")
    text = text_of(pdf)
    # The header: issuing body and number (left column), then the national title, the
    # motto, place and date, and only then the status mark.
    in_order(
        text,
        "HỘI ĐỒNG NHÂN DÂN TỈNH VĨNH PHÚC Số: 07/BB-HĐND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Vĩnh Phúc, ngày 08 tháng 12 năm 2023",
    )
    assert text.index("CỘNG HÒA") < text.index("DỰ THẢO")
    in_order(
        text,
        "BIÊN BẢN KIỂM PHIẾU",
        "Căn cứ Nghị quyết số 96/2023/QH15",
        "vào lúc 08 giờ 00",
        f"{MEETING} tổ chức",
        "Chủ tọa: Phạm Thị Hồng Hạnh",
        "Thư ký: Lê Thu Trang",
        "Tổng số đại biểu: 47; có mặt: 46; vắng mặt: 1 (Đại biểu Vắng (Đi công tác))",
        "Ban kiểm phiếu gồm: Đại biểu Số 01 - Trưởng ban; Đại biểu Số 02 - Ủy viên",
        "Số phiếu phát ra: 46; số phiếu thu về: 46; số phiếu hợp lệ: 46",
        "(tỷ lệ % tính trên tổng số đại biểu)",
        "KHỐI HĐND",
        "KHỐI UBND",
        "Đỗ Minh Tuấn",
        "Người chứng kiến việc kiểm phiếu: Ông Nguyễn Văn Chứng",
        "Khiếu nại, kiến nghị về việc kiểm phiếu: Không có.",
        "kết thúc vào lúc 10 giờ 05 cùng ngày",
        "công bố vào lúc 10 giờ 30 cùng ngày",
        "BAN KIỂM PHIẾU",
        "TRƯỞNG BAN",
        "CHỦ TỌA",
    )
    # Percentages over all 47 deputies; valid and invalid ballots as columns.
    assert "Đỗ Minh Tuấn Chủ tịch Ủy ban nhân dân tỉnh 46 0 19 40,43% 2 4,26% 25 53,19%" in text
    assert "Trên 1/2 đến dưới 2/3 phiếu tín nhiệm thấp" in text
    assert "được triệu tập" not in text
    assert "Tổ kiểm phiếu" not in text and "Chủ trì" not in text and "T/M" not in text
    _png(pdf, tmp_path / "council-minutes")


def test_council_report_and_resolution(council, tmp_path):
    enter_details(
        council,
        report_number="12",
        resolution_number="45",
        resolution_votes_for=44,
        resolution_passed_on=dt.date(2023, 12, 9),
    )
    report = render_document(session=council, kind="report")
    text = text_of(report)
    in_order(
        text,
        "Số: 12/BC-HĐND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BÁO CÁO",
        "Kính gửi: Ủy ban Thường vụ Quốc hội",
        "Căn cứ Nghị quyết số 96/2023/QH15",
        "Ngày 08 tháng 12 năm 2023, " + MEETING + " đã tổ chức",
        "I. THÀNH PHẦN",
        "II. KẾT QUẢ",
        "III. NHẬN XÉT CHUNG",
        "1/4 người có trên 1/2 đến dưới 2/3 phiếu tín nhiệm thấp (Đỗ Minh Tuấn)",
        "số 45/NQ-HĐND được thông qua ngày 09 tháng 12 năm 2023 với 44/47 đại biểu tán "
        "thành (93,62%)",
        "TM. HỘI ĐỒNG NHÂN DÂN",
        "CHỦ TỊCH",
    )
    assert "Hôm nay" not in text
    resolution = render_document(session=council, kind="resolution")
    text = text_of(resolution)
    in_order(
        text,
        "Số: 45/NQ-HĐND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Vĩnh Phúc, ngày 09 tháng 12 năm 2023",
        "NGHỊ QUYẾT",
        "Xác nhận kết quả lấy phiếu tín nhiệm đối với người giữ chức vụ",
        "HỘI ĐỒNG NHÂN DÂN TỈNH VĨNH PHÚC KHÓA XVII, KỲ HỌP THỨ 13",
        "Căn cứ Luật Tổ chức chính quyền địa phương",
        "Căn cứ Nghị quyết số 96/2023/QH15",
        "Căn cứ Biên bản kiểm phiếu ngày 08 tháng 12 năm 2023 của Ban kiểm phiếu.",
        "QUYẾT NGHỊ:",
        "Điều 1.",
        "1. KHỐI HĐND",
        "2. KHỐI UBND",
        "Điều 2.",
        "Nghị quyết này đã được " + MEETING + " thông qua ngày 09 tháng 12 năm 2023",
        "TM. HỘI ĐỒNG NHÂN DÂN",
        "CHỦ TỊCH Phạm Thị Hồng Hạnh",
    )
    _png(report, tmp_path / "council-report")
    _png(resolution, tmp_path / "council-resolution")


def test_state_header_sizes_follow_decree_30(council):
    sizes = font_sizes(render_document(session=council, kind="resolution"))
    assert size_of(sizes, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") <= {12.0, 12.5, 13.0}
    assert size_of(sizes, "Độc lập - Tự do - Hạnh phúc") <= {13.0, 13.5, 14.0}
    assert size_of(sizes, "HỘI ĐỒNG NHÂN DÂN") >= {13.0}
    assert size_of(sizes, "TỈNH VĨNH PHÚC") <= {12.0, 12.5, 13.0}
    assert size_of(sizes, "Số: ") <= {13.0}
    assert size_of(sizes, "NGHỊ QUYẾT") <= {13.0, 13.5, 14.0}
    assert size_of(sizes, "Vĩnh Phúc, ngày") <= {13.0, 13.5, 14.0}


def test_signature_block_shares_its_page_with_text(council):
    enter_details(council)
    for kind in ("minutes", "report", "resolution"):
        pages = pages_of(render_document(session=council, kind=kind))
        signing = [page for page in pages if "CHỦ TỊCH" in page or "TRƯỞNG BAN" in page][-1]
        body = signing.split("TM. HỘI ĐỒNG NHÂN DÂN")[0].split("BAN KIỂM PHIẾU")[0]
        assert len(body.split()) > 20, kind


def test_resolution_for_a_party_session_is_refused(org, tmp_path):
    from tests.reports.test_documents import seed_session

    session = seed_session(org, close=True)
    with pytest.raises(DomainError, match="dân cử|elected"):
        render_document(session=session, kind="resolution")
    with pytest.raises(CommandError):
        call_command("render_document", session.pk, "resolution", "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_bad_details_are_refused_and_nothing_is_saved(council):
    before = AuditEntry.objects.filter(session=council).count()
    with pytest.raises(DomainError, match="47"):
        enter_details(council, resolution_votes_for=48)
    with pytest.raises(DomainError) as error:
        enter_details(council, count_ended_at=dt.datetime(2023, 12, 8, 7, 0, tzinfo=HCM))
    assert error.value.field == "count_ended_at"
    with pytest.raises(DomainError):
        enter_details(council, announced_at=dt.datetime(2023, 12, 8, 9, 0, tzinfo=HCM))
    assert not ResultDetails.objects.filter(session=council).exists()
    assert AuditEntry.objects.filter(session=council).count() == before


def _png(pdf: bytes, stem) -> None:
    source = stem.with_suffix(".pdf")
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(source), str(stem)], check=True)
    assert list(stem.parent.glob(f"{stem.name}*.png"))


def test_ballot_paper_and_results_page_group_by_block(council, login):
    text = " ".join(pages_of(render_document(session=council, kind="ballots"))[0].split())
    in_order(text, "KHỐI HĐND", "Phạm Thị Hồng Hạnh", "KHỐI UBND", "Đỗ Minh Tuấn")
    body = login(council.chair_user).get(f"/sessions/{council.pk}/results/").content.decode()
    assert body.count('data-testid="block"') == 2
    assert body.index("Khối HĐND") < body.index("Phạm Thị Hồng Hạnh") < body.index("Khối UBND")


# --- the seed, as it happened ---------------------------------------------------------------


@pytest.fixture
def seed(db):
    from ballots.services import ballots_import as import_pile
    from sessions.demo import SEED_FILE
    from sessions.services.session_import import session_file_load
    from sessions.services.sessions import session_open_counting, session_start_voting

    session = session_import(user=None, data=session_file_load(path=SEED_FILE))
    chair = make_user("luu-van-hung", organization=session.organization, roles=[Role.COUNTING])
    session.committee_members.filter(role=CommitteeRole.CHAIR).update(user=chair)
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=28)
    for entry_pass in (1, 2):
        import_pile(
            user=None, session=session, entry_pass=entry_pass, rows=pile(*[("high",) * 5] * 28)
        )
    count_record_collected(user=chair, session=session, ballots_collected=28)
    count_close(user=chair, session=session)
    result_details_update(
        user=chair,
        session=session,
        count_ended_at=dt.datetime(2023, 7, 3, 9, 30, tzinfo=HCM),
        minutes_number="01",
        report_number="01",
    )
    session.refresh_from_db()
    return session


def test_seed_minutes_party_words_legal_basis_once_two_pages(seed, tmp_path):
    pdf = render_document(session=seed, kind="minutes")
    pages = pages_of(pdf)
    text = text_of(pdf)
    in_order(
        text,
        "TỈNH ỦY QUẢNG NINH",
        "Số 01-BB/BCSĐ",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Quảng Ninh, ngày 03 tháng 7 năm 2023",
        "BIÊN BẢN KIỂM PHIẾU",
        "Căn cứ Quy định số 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị về việc lấy phiếu tín "
        "nhiệm đối với chức danh, chức vụ lãnh đạo, quản lý trong hệ thống chính trị;",
        "Thực hiện Kế hoạch số 19-KH/BCSĐ",
        "Kế hoạch số 72-KH/BCSĐ",
        "Chủ trì: đồng chí Lương Phúc Sơn, Ủy viên Ban Chấp hành Tỉnh ủy, Bí thư Ban Cán sự "
        "đảng, Viện trưởng.",
        "Thư ký: đồng chí Lê Văn Khải.",
        "Tổ kiểm phiếu gồm: đồng chí Lưu Văn Hưng - Tổ trưởng",
        "kết thúc vào lúc 09 giờ 30 cùng ngày",
        "TỔ KIỂM PHIẾU",
        "TỔ TRƯỞNG",
        "CHỦ TRÌ",
        "Lưu Văn Hưng Lương Phúc Sơn",
    )
    # The legal basis once; no State lines in Party minutes.
    assert text.count("96-QĐ/TW") == 1
    assert "Người chứng kiến" not in text and "CỘNG HÒA" not in text
    # 5 officials: two pages, the signatures on the last with the closing lines.
    assert len(pages) == 2
    assert "Biên bản được lập thành 02 bản" in pages[-1] and "CHỦ TRÌ" in pages[-1]
    _png(pdf, tmp_path / "seed-minutes")


def test_seed_report_is_a_report_signed_by_the_secretary_of_the_committee(seed, tmp_path):
    pdf = render_document(session=seed, kind="report")
    text = text_of(pdf)
    in_order(
        text,
        "Số 01-BC/BCSĐ",
        "BÁO CÁO",
        "Kính gửi: Ban Cán sự Đảng Viện kiểm sát nhân dân tối cao",
        "Căn cứ Quy định số 96-QĐ/TW",
        "Ngày 03 tháng 7 năm 2023, Ban Cán sự Đảng VKSND tỉnh Quảng Ninh đã tổ chức",
        "5/5 đồng chí đạt 28/28 phiếu tín nhiệm cao (100,00%)",
        "Nơi nhận:",
        "T/M BAN CÁN SỰ ĐẢNG",
        "BÍ THƯ",
    )
    assert text.index("BÍ THƯ") < text.rindex("Lương Phúc Sơn")
    assert "Hôm nay" not in text
    assert "VIỆN TRƯỞNG" not in text  # the short title, not the whole position
    assert text.count("96-QĐ/TW") == 1
    _png(pdf, tmp_path / "seed-report")


@pytest.mark.parametrize(
    ("text", "width", "size"),
    [
        ("BAN CÁN SỰ ĐẢNG VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO", 80.0, 14.0),
        ("BAN CÁN SỰ ĐẢNG VKSND TỈNH QUẢNG NINH", 80.0, 14.0),
        ("HỘI ĐỒNG NHÂN DÂN TỈNH VĨNH PHÚC", 64.0, 13.0),
        ("ỦY BAN THƯỜNG VỤ QUỐC HỘI", 64.0, 13.0),
    ],
)
def test_header_lines_keep_more_than_one_word_and_fit(text, width, size):
    from confidence_vote.lib.pdf import balanced_lines, text_width_mm

    lines = balanced_lines(text, width_mm=width, size_pt=size, bold=True)
    assert " ".join(lines) == text
    for line in lines:
        assert text_width_mm(line, size_pt=size, bold=True) <= width
        if len(lines) > 1:
            assert len(line.split()) > 1, lines


def test_issuer_rule_is_a_third_to_a_half_of_its_line(council):
    from confidence_vote.lib.pdf import text_width_mm
    from reports.documents import _header

    header = _header(session=council, kind="minutes", number="")
    longest = max(text_width_mm(line, size_pt=13, bold=True) for line in header["issuer_lines"])
    assert longest / 3 <= float(header["issuer_rule_mm"]) <= longest / 2


def word_boxes(pdf: bytes, tmp_path) -> list[tuple[int, float, str]]:
    """(page, yMax, word) of every word, from `pdftotext -bbox`."""
    import re

    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout
    boxes, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">(.*)</word>', line
        )
        if match:
            boxes.append((page, float(match[1]), match[2]))
    return boxes


def test_signature_names_share_one_baseline(council, tmp_path):
    enter_details(council)
    boxes = word_boxes(render_document(session=council, kind="minutes"), tmp_path)
    # The committee head (Đại biểu Số 01) and the presiding chair (Phạm Thị Hồng Hạnh).
    head = [(p, y) for p, y, word in boxes if word == "01"][-1]
    chair = [(p, y) for p, y, word in boxes if word == "Hạnh"][-1]
    assert head[0] == chair[0]
    assert abs(head[1] - chair[1]) < 0.5
