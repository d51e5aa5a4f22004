"""confidence_vote.lib.uploads: one validator for every uploaded file, bombs included."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.utils import translation

from confidence_vote.lib import uploads
from confidence_vote.lib.uploads import UploadKind, UploadRefused
from sessions.importing import parse_import
from tests import spreadsheet_bombs as bombs

TOO_BIG = "The spreadsheet expands to more than the server accepts when opened"
DAMAGED = (
    "The file looks like an .xlsx spreadsheet but could not be read; it may be damaged. "
    "In Excel, save it again as .xlsx or 'CSV UTF-8'."
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def shared_string_bomb() -> bytes:
    return bombs.huge_shared_string()


def refusal(content: bytes, kind: UploadKind = UploadKind.SPREADSHEET) -> str:
    with pytest.raises(UploadRefused) as info:
        uploads.check_content(content, kind=kind)
    return info.value.message


@pytest.mark.parametrize(
    "content",
    [bombs.base_workbook(), bombs.with_shared_strings("Họ và tên")],
    ids=["inline-strings", "shared-strings"],
)
def test_a_real_workbook_passes_and_is_read(content):
    assert uploads.check_spreadsheet(content) == "xlsx"
    result = parse_import(content, "a.xlsx", kind="officials")
    assert [(r.full_name, r.position) for r in result.rows] == [("Nguyễn Văn An", "Viện trưởng")]


def test_the_200_mb_shared_string_bomb_is_refused_from_its_directory(shared_string_bomb):
    # About 200 kB on disk; a 200 MB string once opened.
    assert len(shared_string_bomb) < 300 * 1024
    part = zipfile.ZipFile(io.BytesIO(shared_string_bomb)).getinfo(bombs.SHARED_STRINGS)
    assert part.file_size > 200 * 1024 * 1024
    assert TOO_BIG in refusal(shared_string_bomb)
    # And through the readers, which refuse it before openpyxl sees it.
    result = parse_import(shared_string_bomb, "bomb.xlsx", kind="delegates")
    assert [e.message for e in result.errors][0].startswith(TOO_BIG)
    assert result.rows == []


def test_a_part_that_lies_about_its_size_is_read_no_further_than_declared():
    content = bombs.with_shared_strings("A" * (8 * 1024 * 1024))
    liar = bombs.lying_about_size(content, bombs.SHARED_STRINGS, declared=2000)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo(bombs.SHARED_STRINGS).file_size == 2000
    # The zip reader stops at the declared size and the checksum then fails.
    assert refusal(liar) == DAMAGED


def test_the_row_of_two_million_cells_is_refused():
    content = bombs.wide_row(2_000_000)
    assert len(content) < 200 * 1024
    assert refusal(content).startswith(TOO_BIG)


def test_a_row_with_more_cells_than_the_limit_is_refused_while_streaming():
    cells = "<c><v>1</v></c>" * (uploads.SHEET_MAX_CELLS_PER_ROW + 1)
    message = refusal(bombs.with_sheet([f'<row r="3">{cells}</row>']))
    assert message == (
        "Row 3 has more than 1000 columns; a list has a few. "
        "Delete the empty columns to the right of the table."
    )


def test_a_cell_far_to_the_right_counts_by_its_column():
    message = refusal(bombs.with_sheet(['<row r="1"><c r="XFD1"><v>1</v></c></row>']))
    assert message.startswith("Row 1 has more than 1000 columns")


def test_rows_beyond_the_limit_are_refused():
    rows = [f'<row r="{n}"><c><v>{n}</v></c></row>' for n in range(1, 20_002)]
    assert refusal(bombs.with_sheet(rows)) == (
        "The sheet has rows beyond row 20000; a list has a few hundred."
    )
    # A single row numbered far down is refused too (openpyxl would pad up to it).
    message = refusal(bombs.with_sheet(['<row r="1048576"><c><v>1</v></c></row>']))
    assert message.startswith("The sheet has rows beyond row 20000")


def test_a_long_shared_string_is_refused():
    content = bombs.with_shared_strings("Ằ" * (uploads.CELL_MAX_CHARS + 1))
    assert refusal(content) == (
        "A cell holds more than 2000 characters. A name or a position is far shorter: "
        "this is not a list of people or ballots."
    )


def test_a_long_inline_cell_names_its_row():
    text = "x" * (uploads.CELL_MAX_CHARS + 1)
    rows = [f'<row r="7"><c t="inlineStr"><is><t>{text}</t></is></c></row>']
    assert refusal(bombs.with_sheet(rows)).startswith(
        "Row 7: a cell holds more than 2000 characters."
    )


def test_exactly_at_the_limits_is_accepted():
    cells = "<c><v>1</v></c>" * uploads.SHEET_MAX_CELLS_PER_ROW
    text = "x" * uploads.CELL_MAX_CHARS
    rows = [f'<row r="1">{cells}</row>', f'<row r="2"><c t="inlineStr"><is><t>{text}</t></is></c>']
    rows[-1] += "</row>"
    assert uploads.check_spreadsheet(bombs.with_sheet(rows)) == "xlsx"


def test_an_entity_declaration_is_refused():
    sst = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sst><si><t>&b;</t></si></sst>'
    )
    assert refusal(bombs.with_part(bombs.SHARED_STRINGS, sst)) == DAMAGED


def test_too_many_parts_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(uploads.XLSX_MAX_PARTS + 1):
            archive.writestr(f"part{n}.xml", b"<a/>")
    assert refusal(out.getvalue()) == (
        "The spreadsheet holds 201 parts; a workbook has at most 200."
    )


def test_a_zip_that_is_not_a_zip_is_refused():
    assert refusal(b"PK\x03\x04 not really a zip") == DAMAGED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Họ và tên" + "," * 1000 + "\nAn\n", "Row 1 has more than 1000 columns"),
        ("Họ và tên\n" + ";" * 1500 + "\n", "Row 2 has more than 1000 columns"),
        ("Họ và tên\n" + "x" * 2001 + "\n", "A cell holds more than 2000 characters."),
        ("Họ và tên\n" + "An\n" * 20_000, "The file has more than 20000 lines"),
    ],
    ids=["columns", "semicolons", "cell", "rows"],
)
def test_csv_bounds(text, message):
    assert refusal(text.encode()).startswith(message)


def test_a_csv_row_of_two_million_cells_is_refused():
    # 2 MB of commas: within the 5 MB upload limit, refused without building the row.
    content = b"H\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan\n" + b"," * 2_000_000
    assert refusal(content).startswith("Row 2 has more than 1000 columns")


def test_csv_within_the_bounds_is_accepted():
    text = "Họ và tên,Chức vụ\n" + "Nguyễn Văn An,Viện trưởng\n" * 100
    assert uploads.check_spreadsheet(text.encode()) == "csv"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "This is an old Excel 97-2003"),
        (b"%PDF-1.4\n", "This is a PDF document, not a spreadsheet."),
        (b"  \n", "The file is empty."),
    ],
)
def test_spreadsheet_type_is_decided_by_content(content, message):
    assert refusal(content).startswith(message)


def test_pdf_type_is_decided_by_content_not_name():
    assert refusal(b"PK\x03\x04", UploadKind.PDF) == (
        "The file must be a PDF document; this file is not a PDF."
    )
    uploads.check_content(b"%PDF-1.7\n", kind=UploadKind.PDF)


def test_read_upload_checks_the_declared_and_the_read_size(settings):
    settings.DOSSIER_MAX_BYTES = 1024
    declared = SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 2000)
    with pytest.raises(UploadRefused, match="The file is 2.0\xa0KB; at most 1.0\xa0KB"):
        uploads.read_upload(declared, kind=UploadKind.PDF)
    # A client that declares 100 bytes: the read stops one byte over the limit.
    content = b"%PDF-" + b"0" * 2000
    lying = InMemoryUploadedFile(io.BytesIO(content), "f", "a.pdf", "application/pdf", 100, None)
    with pytest.raises(UploadRefused, match="larger than 1.0\xa0KB, the most accepted"):
        uploads.read_upload(lying, kind=UploadKind.PDF)
    ok = SimpleUploadedFile("a.pdf", b"%PDF-1.7\n" + b"0" * 100)
    assert uploads.read_upload(ok, kind=UploadKind.PDF).startswith(b"%PDF-1.7")


def test_read_path_uses_the_import_limit(settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 1024
    path = tmp_path / "big.csv"
    path.write_bytes(b"ballot,1\n" + b"1,H\n" * 400)
    with pytest.raises(UploadRefused, match="The file is 1.6\xa0KB; at most 1.0\xa0KB"):
        uploads.read_path(path, kind=UploadKind.SPREADSHEET)


def test_a_shared_string_in_many_short_runs_counts_as_one_value():
    runs = "".join("<r><t>" + "x" * 500 + "</t></r>" for _ in range(5))
    sst = f'<sst xmlns="{bombs.MAIN_NS}"><si>{runs}</si></sst>'.encode()
    assert refusal(bombs.with_part(bombs.SHARED_STRINGS, sst)).startswith(
        "A cell holds more than 2000 characters."
    )


def test_a_big_styles_part_is_refused_from_the_directory():
    # openpyxl parses styles.xml whole; 5 MiB of it is not a list's formatting.
    styles = b'<styleSheet xmlns="' + bombs.MAIN_NS.encode() + b'">'
    # Numbered, so that it compresses like real XML and only its size can refuse it.
    formats = "".join(
        f'<numFmt numFmtId="{n}" formatCode="0.{n * 7919 % 10007}"/>' for n in range(120_000)
    )
    styles += b"<numFmts>" + formats.encode() + b"</numFmts>"
    styles += b"</styleSheet>"
    assert len(styles) > uploads.XLSX_MAX_OTHER_XML_BYTES
    assert refusal(bombs.with_part("xl/styles.xml", styles)).startswith(TOO_BIG)


def test_a_csv_of_exactly_the_row_limit_is_accepted():
    text = "Họ và tên\n" + "An\n" * (uploads.SHEET_MAX_ROWS - 1)
    assert uploads.check_spreadsheet(text.encode()) == "csv"
