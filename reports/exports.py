"""The results as files: CSV (the columns of `manage.py tally`) and an .xlsx workbook.

Both are built from a `Tally` only; nothing here reads the database. The workbook is a
companion of the counting minutes, so like the documents it is written in Vietnamese whatever
the reader's interface language.

No cell can run code when the file is opened in a spreadsheet (OWASP "CSV injection"): a text
that starts with =, +, -, @, a tab or a carriage return (an official named
`=HYPERLINK(...)`) is written as text: with a single quote before it in the CSV, and as a
string cell, never a formula, in the workbook. Numbers we write ourselves stay numbers.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from confidence_vote.rules import RuleProfile, get_profile
from reports.selectors import Tally

# The columns of each official, in the order of the JSON officials list.
CSV_COLUMNS = (
    "order",
    "name",
    "position",
    "valid",
    "invalid",
    "high",
    "medium",
    "low",
    "high_pct",
    "medium_pct",
    "low_pct",
    "band",
)
BOM = "\ufeff"
PERCENT_FORMAT = "0.00"

XLSX_HEADERS = (
    "STT",
    "Họ và tên",
    "Chức vụ",
    "Phiếu hợp lệ",
    "Phiếu không hợp lệ",
    "Tín nhiệm cao (số phiếu)",
    "Tín nhiệm cao (%)",
    "Tín nhiệm (số phiếu)",
    "Tín nhiệm (%)",
    "Tín nhiệm thấp (số phiếu)",
    "Tín nhiệm thấp (%)",
    "Ghi chú",
)
PERCENT_COLUMNS = (7, 9, 11)


# The first characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A CSV field that no spreadsheet evaluates: texts starting with a formula trigger get a
    single quote in front; everything else (numbers included) is written as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def xlsx_append(sheet, values) -> None:
    """Append a row; every text cell is a string cell, whatever its first character."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            # openpyxl makes any text starting with "=" a formula; text stays text.
            cell.data_type = "s"


def results_filename(tally: Tally, extension: str) -> str:
    """ "Kết quả lấy phiếu tín nhiệm - 12.xlsx": the download's name, diacritics kept."""
    return f"Kết quả lấy phiếu tín nhiệm - {tally.session}.{extension}"


def band_text_vi(band: str, profile: RuleProfile) -> str:
    """The low-confidence band as the minutes word it (from the rule profile); empty for none."""
    return profile.band_note(band)


def csv_text(tally: Tally) -> str:
    """One row per official with the JSON's columns, percentages with a dot, BOM first."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for official in tally.as_data()["officials"]:
        writer.writerow([csv_cell(official[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()


def csv_bytes(tally: Tally) -> bytes:
    return csv_text(tally).encode("utf-8")


def xlsx_bytes(tally: Tally, *, code: tuple[str, str]) -> bytes:
    """A workbook: the officials' table, and the session's figures; numbers as numbers.
    `code`: the result's (label, code) as documents print it (reports.selectors.result_code)."""
    profile = get_profile(tally.rule_profile)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kết quả"
    xlsx_append(sheet, XLSX_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in tally.officials:
        xlsx_append(
            sheet,
            [
                row.order,
                row.name,
                row.position,
                row.valid,
                row.invalid,
                row.high,
                row.high_pct,
                row.medium,
                row.medium_pct,
                row.low,
                row.low_pct,
                band_text_vi(row.band, profile),
            ],
        )
    for column in PERCENT_COLUMNS:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = PERCENT_FORMAT
    widths = {1: 6, 2: 30, 3: 30, 12: 34}
    for column in range(1, len(XLSX_HEADERS) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(column, 14)
    sheet.freeze_panes = "A2"

    figures = workbook.create_sheet("Số liệu hội nghị")
    base_text = profile.base_sentence(tally.percentage_base)
    rows: list[tuple[str, object]] = [
        ("Số người được triệu tập", tally.convened),
        ("Số người có mặt", tally.present),
        ("Số người vắng mặt", tally.absent),
        (f"Số người có mặt tối thiểu ({profile.quorum})", tally.quorum_required),
        ("Đủ số người có mặt theo quy định", "Có" if tally.quorum_met else "Không"),
        ("Số phiếu phát ra", tally.issued),
        ("Số phiếu thu về", tally.collected),
        ("Số phiếu hợp lệ", tally.ballots_valid),
        ("Số phiếu không hợp lệ", tally.ballots_invalid),
        ("Tỷ lệ phần trăm tính", base_text),
        ("Căn cứ", profile.legal_basis),
        ("Đã kết thúc kiểm phiếu", "Có" if tally.count_closed else "Chưa (kết quả tạm tính)"),
        code,
    ]
    for label, value in rows:
        xlsx_append(figures, [label, value])
    for (cell,) in figures.iter_rows(min_col=1, max_col=1):
        cell.font = Font(bold=True)
    figures.column_dimensions["A"].width = 36
    figures.column_dimensions["B"].width = 70

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
