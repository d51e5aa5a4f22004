"""Downloads of the results: .csv (the JSON's columns, BOM) and .xlsx (numbers as numbers)."""

import csv
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from reports.exports import csv_bytes, xlsx_bytes
from reports.selectors import tally_for_session
from sessions.models import SessionStatus, VoteSession
from tests.reports.test_tally import seed_session

COLUMNS = [
    "order", "name", "position", "valid", "invalid", "high", "medium", "low",
    "high_pct", "medium_pct", "low_pct", "band",
]  # fmt: skip


@pytest.fixture
def mixed(org):
    """28 ballots: official 1 has 15 low (over half), 2 ballots are invalid as a whole."""
    ballots = [("low", "high", "medium", "high", "high")] * 15
    ballots += [("high", "none", "high", "high", "high")] + [("high",) * 5] * 10
    ballots += ["not_issued", "name_added"]
    return seed_session(org, *ballots)


def test_csv_rows(mixed):
    content = csv_bytes(tally_for_session(session=mixed))
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == COLUMNS
    # Official 1: 15 low of 28 collected = 53.571… -> 53.57; 11 high = 39.29.
    assert rows[1] == ["1", "Trần Văn Cán 1", "Phó Viện trưởng", "26", "2", "11", "0", "15",
                       "39.29", "0.00", "53.57", "over_half"]  # fmt: skip
    assert rows[2] == ["2", "Trần Văn Cán 2", "Phó Viện trưởng", "25", "3", "25", "0", "0",
                       "89.29", "0.00", "0.00", "none"]  # fmt: skip
    assert len(rows) == 6


def test_xlsx_numbers_and_figures(mixed):
    workbook = load_workbook(
        io.BytesIO(xlsx_bytes(tally_for_session(session=mixed), code=("Mã", "x")))
    )
    sheet = workbook["Kết quả"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["STT", "Họ và tên", "Chức vụ"]
    assert header[6] == "Tín nhiệm cao (%)"
    first = [cell.value for cell in sheet[2]]
    assert first[:6] == [1, "Trần Văn Cán 1", "Phó Viện trưởng", 26, 2, 11]
    assert first[6] == pytest.approx(39.29)
    assert isinstance(first[6], float)  # a number, not text
    assert (first[9], first[10]) == (15, pytest.approx(53.57))
    assert first[11] == "Trên 1/2 đến dưới 2/3 phiếu tín nhiệm thấp"
    assert sheet["G2"].number_format == "0.00"
    assert sheet.max_row == 6
    figures = {row[0]: row[1] for row in workbook["Số liệu hội nghị"].iter_rows(values_only=True)}
    assert figures["Số người được triệu tập"] == 31
    assert figures["Số người có mặt"] == 28
    assert figures["Số người vắng mặt"] == 3
    assert figures["Số người có mặt tối thiểu (2/3)"] == 21
    assert figures["Số phiếu phát ra"] == 28
    assert figures["Số phiếu thu về"] == 28
    assert figures["Số phiếu hợp lệ"] == 26
    assert figures["Số phiếu không hợp lệ"] == 2
    assert figures["Tỷ lệ phần trăm tính"] == "tỷ lệ % tính trên tổng số phiếu thu về"
    assert figures["Căn cứ"].startswith("Quy định số 96-QĐ/TW")


def test_csv_download(login, leader, mixed):
    response = login(leader).get(f"/sessions/{mixed.pk}/results.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = f"Kết quả lấy phiếu tín nhiệm - {mixed.pk}.csv"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    assert response.content == csv_bytes(tally_for_session(session=mixed))


def test_xlsx_download(login, counting_member, mixed):
    response = login(counting_member).get(f"/sessions/{mixed.pk}/results.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    name = quote(f"Kết quả lấy phiếu tín nhiệm - {mixed.pk}.xlsx")
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{name}"
    sheet = load_workbook(io.BytesIO(response.content))["Kết quả"]
    assert Decimal(str(sheet["K2"].value)) == Decimal("53.57")


@pytest.mark.parametrize("suffix", ["results.csv", "results.xlsx"])
def test_download_permissions(login, mixed, secretariat, leader, outsider, suffix):
    link = f"/sessions/{mixed.pk}/{suffix}"
    assert login(None).get(link).status_code == 302
    assert login(outsider).get(link).status_code == 404
    assert login(secretariat).get(link).status_code == 403
    assert login(leader).post(link).status_code == 405
    VoteSession.objects.filter(pk=mixed.pk).update(status=SessionStatus.CERTIFIED)
    assert login(secretariat).get(link).status_code == 200


# -- Formula injection (OWASP "CSV injection") ---------------------------------------------------

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1:A9)"]


@pytest.fixture
def hostile(org):
    """The seed case with officials named and positioned as formulas."""
    session = seed_session(org, *[("high", "high", "high", "low", "medium")] * 28)
    officials = list(session.officials.order_by("order"))
    for official, name in zip(officials, HOSTILE, strict=False):
        official.full_name = name
        official.save()
    officials[4].position = "=1+1"
    officials[4].save()
    return session


def test_csv_fields_that_start_a_formula_are_text(hostile):
    content = csv_bytes(tally_for_session(session=hostile)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert [row[1] for row in rows[1:5]] == ["'" + name for name in HOSTILE]
    assert rows[5][2] == "'=1+1"
    # Numbers and the rest stay as they were.
    assert rows[1][0] == "1" and rows[1][3] == "28" and rows[1][8] == "100.00"


def test_the_tally_command_csv_is_safe_too(hostile):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("tally", str(hostile.pk), "--format", "csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert rows[1][1] == "'" + HOSTILE[0]


def test_xlsx_cells_that_start_a_formula_are_strings_not_formulas(hostile):
    workbook = load_workbook(
        io.BytesIO(xlsx_bytes(tally_for_session(session=hostile), code=("Mã", "x")))
    )
    sheet = workbook["Kết quả"]
    for row, name in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row=row, column=2)
        assert (cell.value, cell.data_type) == (name, "s")
    assert (sheet["C6"].value, sheet["C6"].data_type) == ("=1+1", "s")
    # No formula anywhere in the workbook.
    for worksheet in workbook.worksheets:
        for cells in worksheet.iter_rows():
            assert all(cell.data_type != "f" for cell in cells)
    # Numbers we write stay numbers.
    assert (sheet["A2"].value, sheet["A2"].data_type) == (1, "n")
    assert sheet["D2"].data_type == "n"


def test_the_raw_workbook_holds_no_formula_element(hostile):
    import zipfile

    archive = zipfile.ZipFile(
        io.BytesIO(xlsx_bytes(tally_for_session(session=hostile), code=("Mã", "x")))
    )
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            assert b"<f>" not in archive.read(name)


def test_negative_numbers_we_write_stay_numbers():
    from openpyxl import Workbook

    from reports.exports import csv_cell, xlsx_append

    assert csv_cell(-5) == -5
    assert csv_cell(Decimal("-1.50")) == Decimal("-1.50")
    assert csv_cell("-5") == "'-5"
    sheet = Workbook().active
    xlsx_append(sheet, [-3, Decimal("-2.5"), "-x", "\tTab", "\rCR", "ok"])
    assert [cell.data_type for cell in sheet[1]] == ["n", "n", "s", "s", "s", "s"]
    assert sheet["A1"].value == -3
