"""sessions.importing: reading lists of officials and delegates from .xlsx and CSV bytes."""

import datetime as dt
import io
import random
import unicodedata
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from confidence_vote.lib.text import identity_key
from sessions.importing import (
    MAX_ROWS,
    ImportRow,
    cell_text,
    parse_import,
    template_workbook,
    validate_rows,
)

NOT_READABLE = (
    "The file is not UTF-8 text or an .xlsx spreadsheet. In Excel, save as 'CSV UTF-8' or .xlsx."
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def xlsx_bytes(rows, *, title="Danh sách") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def messages(problems):
    return [p.message for p in problems]


DELEGATE_HEADER = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Thành phần"]


# -- Reading .xlsx --------------------------------------------------------------------------


def test_xlsx_delegates_are_read_with_spreadsheet_row_numbers():
    content = xlsx_bytes(
        [
            DELEGATE_HEADER,
            [1, "Nguyễn Văn An", "Viện trưởng", "Lãnh đạo Viện", "Ủy viên Ban Cán sự Đảng"],
            [2, "Lê Thị Hồng", "Trưởng phòng", "Phòng 1", "Trưởng các phòng"],
            [],
            [3, "Đỗ Văn Hùng", None, "Viện KSND huyện Tiên Yên", None],
        ]
    )

    result = parse_import(content, "dai-bieu.xlsx", kind="delegates")

    assert result.errors == []
    assert result.warnings == []
    assert result.ok
    assert result.header_row == 1
    assert result.rows == [
        ImportRow(2, "Nguyễn Văn An", "Viện trưởng", "Lãnh đạo Viện", "Ủy viên Ban Cán sự Đảng"),
        ImportRow(3, "Lê Thị Hồng", "Trưởng phòng", "Phòng 1", "Trưởng các phòng"),
        ImportRow(5, "Đỗ Văn Hùng", "", "Viện KSND huyện Tiên Yên", ""),
    ]


def test_xlsx_officials_keep_file_order_and_ignore_stt():
    content = xlsx_bytes(
        [
            ["STT", "Họ và tên", "Chức vụ"],
            [2, "Trần Thị Bình", "Phó Viện trưởng"],
            [1, "Nguyễn Văn An", "Viện trưởng"],
        ]
    )

    result = parse_import(content, "can-bo.xlsx", kind="officials")

    assert result.ok
    assert [(r.row, r.full_name, r.position) for r in result.rows] == [
        (2, "Trần Thị Bình", "Phó Viện trưởng"),
        (3, "Nguyễn Văn An", "Viện trưởng"),
    ]


def test_xlsx_officials_with_a_block_column():
    content = xlsx_bytes(
        [
            ["STT", "Họ và tên", "Chức vụ", "Khối"],
            [1, "Nguyễn Văn An", "Chủ tịch HĐND tỉnh", "Khối HĐND"],
            [2, "Trần Thị Bình", "Chủ tịch UBND tỉnh", "Khối UBND"],
            [3, "Lê Văn Cường", "Chánh Văn phòng", ""],
        ]
    )

    result = parse_import(content, "can-bo.xlsx", kind="officials")

    assert result.ok, messages(result.errors)
    assert [(r.full_name, r.block) for r in result.rows] == [
        ("Nguyễn Văn An", "Khối HĐND"),
        ("Trần Thị Bình", "Khối UBND"),
        ("Lê Văn Cường", ""),
    ]
    assert not result.warnings


def test_headers_match_aliases_case_spaces_and_nfd():
    nfd_name = unicodedata.normalize("NFD", "Họ tên")
    content = xlsx_bytes(
        [
            ["No.", f"  {nfd_name.upper()}  ", "POSITION", "unit", "Thành  phần ghi phiếu:"],
            [1, "Phạm Thị Thu", "Kế toán", "Văn phòng", "Đại diện công đoàn"],
        ]
    )

    result = parse_import(content, "x.xlsx", kind="delegates")

    assert result.errors == []
    assert result.rows == [
        ImportRow(2, "Phạm Thị Thu", "Kế toán", "Văn phòng", "Đại diện công đoàn")
    ]
    # Messages name the column as the file wrote it (cleaned: NFC, spaces folded).
    assert result.columns["full_name"] == "HỌ TÊN"


def test_english_headers_full_name_and_group():
    content = xlsx_bytes(
        [["Full name", "Position", "Group"], ["Vũ Văn Nam", "Chánh Văn phòng", "X"]]
    )

    result = parse_import(content, "x.xlsx", kind="delegates")

    assert result.rows == [ImportRow(2, "Vũ Văn Nam", "Chánh Văn phòng", "", "X")]


def test_cells_are_cleaned_and_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    content = xlsx_bytes([["Họ và tên", "Chức vụ"], [f"  {nfd}\n ", "Phó   Viện\ttrưởng"]])

    result = parse_import(content, "x.xlsx", kind="officials")

    row = result.rows[0]
    assert row.full_name == "Nguyễn Thị Ánh"
    assert unicodedata.is_normalized("NFC", row.full_name)
    assert row.position == "Phó Viện trưởng"


def test_numbers_from_excel_become_sensible_text():
    assert cell_text(12.0) == "12"
    assert cell_text(7) == "7"
    assert cell_text(1.5) == "1.5"
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(dt.datetime(2023, 7, 3)) == "03/07/2023"
    assert cell_text(None) == ""
    content = xlsx_bytes([["Họ và tên", "Chức vụ", "Đơn vị"], ["Lý Văn Số", 2.0, 101]])

    result = parse_import(content, "x.xlsx", kind="delegates")

    assert (result.rows[0].position, result.rows[0].unit) == ("2", "101")


def test_empty_and_stt_only_rows_are_skipped():
    content = xlsx_bytes(
        [
            ["STT", "Họ và tên", "Chức vụ"],
            [1, "Nguyễn Văn An", "Viện trưởng"],
            [None, None, None],
            [2, None, None],  # a pre-numbered blank line
            [3, "Trần Thị Bình", "Phó Viện trưởng"],
        ]
    )

    result = parse_import(content, "x.xlsx", kind="officials")

    assert result.errors == []
    assert [r.row for r in result.rows] == [2, 5]


def test_title_above_the_header_is_ignored_with_a_warning():
    content = xlsx_bytes(
        [
            ["DANH SÁCH ĐẠI BIỂU ĐƯỢC TRIỆU TẬP"],
            [],
            ["STT", "Họ và tên", "Chức vụ", "Đơn vị"],
            [1, "Nguyễn Văn An", "Viện trưởng", "Lãnh đạo Viện"],
        ]
    )

    result = parse_import(content, "x.xlsx", kind="delegates")

    assert result.errors == []
    assert result.header_row == 3
    assert [r.row for r in result.rows] == [4]
    assert messages(result.warnings) == ["Rows above the header (row 3) are ignored."]


def test_unknown_and_headerless_columns_are_warnings():
    content = xlsx_bytes(
        [
            ["Họ và tên", "Chức vụ", "Ghi chú"],
            ["Nguyễn Văn An", "Viện trưởng", "vắng", "lạc cột"],
        ]
    )

    result = parse_import(content, "x.xlsx", kind="officials")

    assert result.errors == []
    assert messages(result.warnings) == [
        "Column C 'Ghi chú' is not used and will be ignored.",
        "Column D has no header; its values are ignored.",
    ]
    assert len(result.rows) == 1


def test_only_the_first_worksheet_is_read():
    workbook = Workbook()
    workbook.active.append(["Họ và tên", "Chức vụ"])
    workbook.active.append(["Nguyễn Văn An", "Viện trưởng"])
    other = workbook.create_sheet("Khác")
    other.append(["Họ và tên", "Chức vụ"])
    other.append(["Không Được Đọc", "X"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = parse_import(buffer.getvalue(), "x.xlsx", kind="officials")

    assert [r.full_name for r in result.rows] == ["Nguyễn Văn An"]


# -- Reading CSV ----------------------------------------------------------------------------


def test_csv_utf8_without_bom():
    content = "Họ và tên,Chức vụ\nNguyễn Văn An,Viện trưởng\nTrần Thị Bình,Phó Viện trưởng\n"

    result = parse_import(content.encode(), "can-bo.csv", kind="officials")

    assert result.errors == []
    assert result.rows == [
        ImportRow(2, "Nguyễn Văn An", "Viện trưởng"),
        ImportRow(3, "Trần Thị Bình", "Phó Viện trưởng"),
    ]


def test_csv_utf8_with_bom():
    content = "\ufeffHọ và tên,Chức vụ,Đơn vị\r\nLê Thị Hồng,Trưởng phòng,Phòng 1\r\n"

    result = parse_import(content.encode("utf-8"), "dai-bieu.csv", kind="delegates")

    assert result.errors == []
    assert result.columns["full_name"] == "Họ và tên"
    assert result.rows == [ImportRow(2, "Lê Thị Hồng", "Trưởng phòng", "Phòng 1", "")]


def test_semicolon_csv_keeps_commas_inside_cells():
    content = (
        "STT;Họ và tên;Chức vụ;Đơn vị;Thành phần\n"
        "1;Nguyễn Văn An;Viện trưởng, Bí thư Đảng ủy;Lãnh đạo Viện;Ủy viên\n"
        '2;"Lê Thị Hồng";Trưởng phòng;"Phòng 1; Phòng 2";\n'
    )

    result = parse_import(content.encode(), "x.csv", kind="delegates")

    assert result.errors == []
    assert result.rows == [
        ImportRow(2, "Nguyễn Văn An", "Viện trưởng, Bí thư Đảng ủy", "Lãnh đạo Viện", "Ủy viên"),
        ImportRow(3, "Lê Thị Hồng", "Trưởng phòng", "Phòng 1; Phòng 2", ""),
    ]


def test_tab_separated_csv():
    content = "Họ và tên\tChức vụ\nNguyễn Văn An\tViện trưởng\n"

    result = parse_import(content.encode(), "x.txt", kind="officials")

    assert result.rows == [ImportRow(2, "Nguyễn Văn An", "Viện trưởng")]


def test_csv_quoted_line_break_stays_in_its_row():
    content = 'Họ và tên,Chức vụ\n"Nguyễn Văn An","Phó Viện trưởng\nphụ trách"\nTrần Thị Bình,X\n'

    result = parse_import(content.encode(), "x.csv", kind="officials")

    assert result.rows == [
        ImportRow(2, "Nguyễn Văn An", "Phó Viện trưởng phụ trách"),
        ImportRow(3, "Trần Thị Bình", "X"),
    ]


def test_type_is_decided_by_content_not_extension():
    xlsx = xlsx_bytes([["Họ và tên", "Chức vụ"], ["Nguyễn Văn An", "Viện trưởng"]])
    csv_text = "Họ và tên,Chức vụ\nNguyễn Văn An,Viện trưởng\n".encode()

    assert parse_import(xlsx, "wrong-name.csv", kind="officials").ok
    assert parse_import(csv_text, "wrong-name.xlsx", kind="officials").ok


# -- Files that cannot be read --------------------------------------------------------------


def test_latin1_csv_is_refused():
    content = "Name,Position\nJosé Müller,Secretário\n".encode("latin-1")

    result = parse_import(content, "x.csv", kind="officials")

    assert messages(result.errors) == [NOT_READABLE]
    assert result.rows == []
    assert result.file_errors == result.errors


def test_random_binary_is_refused():
    content = random.Random(96).randbytes(4096)

    result = parse_import(content, "x.xlsx", kind="delegates")

    assert messages(result.errors) == [NOT_READABLE]
    assert result.rows == []


def test_old_xls_ole_file_is_refused():
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512

    result = parse_import(content, "danh-sach.xls", kind="delegates")

    assert messages(result.errors) == [
        "This is an old Excel 97-2003 (.xls) file, which cannot be read. "
        "In Excel, save it as .xlsx or 'CSV UTF-8'."
    ]


def test_pdf_is_refused():
    result = parse_import(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "x.pdf", kind="officials")

    assert messages(result.errors) == [
        "This is a PDF document, not a spreadsheet. Upload the list as .xlsx or 'CSV UTF-8'."
    ]


def test_html_saved_as_xls_is_refused():
    result = parse_import(b"<html><body><table><tr><td>x", "x.xls", kind="officials")

    assert "web page" in messages(result.errors)[0]


def test_zip_that_is_not_xlsx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")

    result = parse_import(buffer.getvalue(), "x.xlsx", kind="officials")

    assert messages(result.errors) == [
        "The file looks like an .xlsx spreadsheet but could not be read; it may be damaged. "
        "In Excel, save it again as .xlsx or 'CSV UTF-8'."
    ]


@pytest.mark.parametrize("content", [b"", b"   \r\n\n  "])
def test_empty_file_is_refused(content):
    result = parse_import(content, "x.csv", kind="delegates")

    assert messages(result.errors) == ["The file is empty."]


def test_xlsx_with_an_empty_sheet_is_refused():
    result = parse_import(xlsx_bytes([]), "x.xlsx", kind="delegates")

    assert messages(result.errors) == ["The file is empty: every row is blank."]


@pytest.mark.parametrize(
    "content",
    [
        xlsx_bytes([["STT", "Họ và tên", "Chức vụ"], [], [None, None, None]]),
        "Họ và tên;Chức vụ\r\n;\r\n".encode(),
    ],
    ids=["xlsx", "csv"],
)
def test_header_only_file_is_refused(content):
    result = parse_import(content, "x", kind="officials")

    assert messages(result.errors) == [
        "The file has a header (row 1) but no rows of people below it."
    ]
    assert result.rows == []


def test_file_over_the_size_limit_is_refused():
    content = ("Họ và tên,Chức vụ\n" + "Nguyễn Văn An,X\n" * 200).encode()

    result = parse_import(content, "x.csv", kind="officials", max_bytes=1024)

    assert messages(result.errors) == [
        f"The file is {len(content) / 1024:.1f}\xa0KB; at most 1.0\xa0KB is accepted."
    ]


def test_more_rows_than_the_limit_is_refused():
    lines = ["Họ và tên,Chức vụ"] + [f"Người {n},X" for n in range(MAX_ROWS)]
    content = "\n".join(lines).encode()

    result = parse_import(content, "x.csv", kind="officials")

    assert messages(result.errors) == [
        f"The file has more than {MAX_ROWS} rows. Remove the empty rows at its end."
    ]


# -- Missing and doubled columns -----------------------------------------------------------


def test_officials_without_a_position_column():
    content = xlsx_bytes([["STT", "Họ và tên", "Đơn vị"], [1, "Nguyễn Văn An", "Phòng 1"]])

    result = parse_import(content, "x.xlsx", kind="officials")

    assert messages(result.errors) == [
        "The column 'Chức vụ' is missing (also accepted: 'Position'). "
        "Columns found in row 1: 'STT', 'Họ và tên', 'Đơn vị'."
    ]
    assert result.rows == []


def test_delegates_without_a_name_column():
    content = "Tên,Chức vụ\nAn,Viện trưởng\n".encode()

    result = parse_import(content, "x.csv", kind="delegates")

    assert messages(result.errors) == [
        "The column 'Họ và tên' is missing (also accepted: 'Họ tên', 'Full name', 'Name'). "
        "Columns found in row 1: 'Tên', 'Chức vụ'."
    ]


def test_delegates_position_column_is_optional():
    content = "Họ và tên\nNguyễn Văn An\n".encode()

    result = parse_import(content, "x.csv", kind="delegates")

    assert result.ok
    assert result.rows == [ImportRow(2, "Nguyễn Văn An")]


def test_the_same_column_twice_is_an_error():
    content = xlsx_bytes([["Họ và tên", "Chức vụ", "Họ tên"], ["A", "B", "C"]])

    result = parse_import(content, "x.xlsx", kind="officials")

    assert messages(result.errors) == [
        "Row 1: columns A and C both hold 'Họ và tên'. Keep one of them."
    ]


# -- Row errors ----------------------------------------------------------------------------


def test_empty_name_names_row_and_column():
    content = xlsx_bytes(
        [
            ["STT", "Họ và tên", "Chức vụ", "Đơn vị"],
            [1, "Nguyễn Văn An", "Viện trưởng", "Lãnh đạo"],
            [],
            [],
            [],
            [2, "Trần Văn Tư", "Phó Viện trưởng", "Lãnh đạo"],
            [3, "   ", "Trưởng phòng", "Phòng 2"],
        ]
    )

    result = parse_import(content, "x.xlsx", kind="delegates")

    assert messages(result.errors) == ["Row 7, column 'Họ và tên': the name is empty."]
    assert (result.errors[0].row, result.errors[0].column) == (7, "Họ và tên")
    assert not result.ok
    assert result.error_rows == {7}


def test_column_named_as_in_the_file():
    content = "Full name,Position\n,Viện trưởng\n".encode()

    result = parse_import(content, "x.csv", kind="officials")

    assert messages(result.errors) == ["Row 2, column 'Full name': the name is empty."]


def test_officials_need_a_position():
    content = xlsx_bytes([["Họ và tên", "Chức vụ"], ["Nguyễn Văn An", None]])

    result = parse_import(content, "x.xlsx", kind="officials")

    assert messages(result.errors) == ["Row 2, column 'Chức vụ': the position is empty."]


def test_duplicate_rows_within_the_file_name_both_rows():
    content = xlsx_bytes(
        [
            DELEGATE_HEADER,
            [1, "Nguyễn Văn An", "Trưởng phòng", "Phòng 1", ""],
            [2, "Nguyễn Văn An", "Trưởng phòng", "Phòng 2", ""],  # another unit: another person
            [3, "NGUYỄN  văn An", "trưởng phòng", "phòng 1", "khác"],
        ]
    )

    result = parse_import(content, "x.xlsx", kind="delegates")

    assert messages(result.errors) == [
        "Row 4, column 'Họ và tên': NGUYỄN văn An is listed twice in the file, on rows 2 and 4."
    ]


def test_hung_and_hung_with_horn_are_different_people():
    content = "Họ và tên,Chức vụ\nLê Văn Hùng,X\nLê Văn Hưng,X\n".encode()

    assert parse_import(content, "x.csv", kind="officials").ok


def test_duplicates_with_the_session_are_errors():
    content = xlsx_bytes(
        [
            DELEGATE_HEADER,
            [1, "Nguyễn Văn An", "Viện trưởng", "Lãnh đạo Viện", ""],
            [2, "Trần Thị Bình", "Phó Viện trưởng", "Lãnh đạo Viện", ""],
        ]
    )
    existing = {identity_key("nguyễn văn an", "Viện trưởng", "Lãnh đạo Viện")}

    result = parse_import(content, "x.xlsx", kind="delegates", existing=existing)

    assert messages(result.errors) == [
        "Row 2, column 'Họ và tên': Nguyễn Văn An is already on this session's list of delegates."
    ]


def test_official_already_on_the_ballot_with_the_same_position():
    content = "Họ và tên,Chức vụ\nNguyễn Văn An,Viện trưởng\nNguyễn Văn An,Phó Viện trưởng\n"
    existing = {identity_key("Nguyễn Văn An", "Viện trưởng")}

    result = parse_import(content.encode(), "x.csv", kind="officials", existing=existing)

    assert messages(result.errors) == [
        "Row 2, column 'Họ và tên': Nguyễn Văn An (Viện trưởng) is already on this session's "
        "ballot."
    ]


def test_names_longer_than_the_model_allows():
    long_name = "Nguyễn " * 40  # 280 characters before cleaning, 279 after
    content = xlsx_bytes([["Họ và tên", "Chức vụ"], [long_name, "Viện trưởng"]])

    result = parse_import(content, "x.xlsx", kind="officials")

    assert messages(result.errors) == [
        "Row 2, column 'Họ và tên': 279 characters; at most 200 are allowed."
    ]


def test_validate_rows_reports_every_problem_of_every_row():
    rows = [
        ImportRow(2, "", ""),
        ImportRow(3, "Nguyễn Văn An", "Viện trưởng"),
        ImportRow(4, "Nguyễn Văn An", "Viện trưởng"),
    ]

    problems = validate_rows(kind="officials", rows=rows, columns={"full_name": "Name"})

    assert [(p.row, p.column) for p in problems] == [(2, "Name"), (2, "Chức vụ"), (4, "Name")]


def test_import_row_from_dict_is_strict():
    good = {"row": 2, "full_name": "A", "position": "B", "unit": "", "group": "", "block": "K"}
    assert ImportRow.from_dict(good) == ImportRow(2, "A", "B", block="K")
    for bad in [
        {**good, "row": "2"},
        {**good, "row": 0},
        {**good, "full_name": None},
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "unit"},
        {k: v for k, v in good.items() if k != "block"},
        ["not", "a", "dict"],
    ]:
        with pytest.raises(ValueError):
            ImportRow.from_dict(bad)


# -- The template --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "headers"),
    [
        ("officials", ["STT", "Họ và tên", "Chức vụ", "Khối"]),
        ("delegates", ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Thành phần"]),
    ],
)
def test_template_has_vietnamese_headers_and_reads_back(kind, headers):
    content = template_workbook(kind)

    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]] == headers
    result = parse_import(content, "mau.xlsx", kind=kind)
    assert result.errors == []
    assert result.warnings == []
    assert len(result.rows) == 2
