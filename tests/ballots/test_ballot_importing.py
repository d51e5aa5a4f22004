"""ballots.importing.parse_ballots: pure parsing of ballot files, no database."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from ballots.importing import parse_ballots
from ballots.inputs import BallotInput

ORDERS = (1, 2, 3, 4, 5)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def parse(text: str, orders=ORDERS, *, bom: bool = False):
    content = text.encode("utf-8-sig" if bom else "utf-8")
    return parse_ballots(content, "phieu.csv", official_orders=orders)


def messages(result) -> list[str]:
    return [problem.message for problem in result.errors]


def test_reads_marks_several_none_and_invalid_ballots():
    result = parse(
        "ballot,1,2,3,4,5,invalid_reason\n1,H,H,M,L,H,\n2,H,,X,H,H,\n3,,,,,,not_issued\n"
    )
    assert result.errors == []
    assert result.ok
    assert result.rows == [2, 3, 4]
    assert result.ballots == [
        BallotInput(number=1, marks={1: "high", 2: "high", 3: "medium", 4: "low", 5: "high"}),
        BallotInput(number=2, marks={1: "high", 2: "none", 3: "several", 4: "high", 5: "high"}),
        BallotInput(number=3, marks={}, invalid_reason="not_issued"),
    ]


def test_invalid_ballot_ignores_its_cells_even_unknown_codes():
    result = parse("ballot,1,2,invalid_reason\n1,Q,??,Name_Added\n", orders=(1, 2))
    assert result.errors == []
    assert result.ballots == [BallotInput(number=1, marks={}, invalid_reason="name_added")]


def test_bom_lowercase_codes_and_no_reason_column():
    result = parse("ballot,2,1\n7,h,m\n8,l,x\n", orders=(1, 2), bom=True)
    assert result.errors == []
    assert result.ballots == [
        BallotInput(number=7, marks={1: "medium", 2: "high"}),
        BallotInput(number=8, marks={1: "several", 2: "low"}),
    ]


def test_blank_rows_are_skipped():
    result = parse("ballot,1\n\n1,H\n,\n2,L\n", orders=(1,))
    assert result.errors == []
    assert [b.number for b in result.ballots] == [1, 2]
    assert result.rows == [3, 5]


def test_reads_xlsx():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ballot", 1, 2, 3, "invalid_reason"])
    sheet.append([1, "H", "m", None, None])
    sheet.append([2.0, "X", "L", "H", ""])
    sheet.append([3, None, None, None, "other"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = parse_ballots(buffer.getvalue(), "phieu.xlsx", official_orders=(1, 2, 3))

    assert result.errors == []
    assert result.ballots == [
        BallotInput(number=1, marks={1: "high", 2: "medium", 3: "none"}),
        BallotInput(number=2, marks={1: "several", 2: "low", 3: "high"}),
        BallotInput(number=3, marks={}, invalid_reason="other"),
    ]


def test_official_missing_from_header():
    result = parse("ballot,1,2,4\n1,H,H,H\n")
    assert messages(result) == ["Row 1: no column for the officials with ballot order 3, 5."]
    assert result.ballots == []


def test_header_number_that_is_no_official():
    result = parse("ballot,1,2,3,4,5,6\n1,H,H,H,H,H,H\n")
    assert messages(result) == ["Row 1, column G ('6'): no official has ballot order 6."]


def test_duplicated_header_columns():
    result = parse("ballot,1,2,3,4,5,3,ballot\n1,H,H,H,H,H,H,1\n")
    assert messages(result) == [
        "Row 1, column G ('3'): '3' is also column D.",
        "Row 1, column H ('ballot'): 'ballot' is also column A.",
    ]


def test_unknown_header_and_missing_ballot_column():
    result = parse("number,1,2,3,4,5\n1,H,H,H,H,H\n")
    assert messages(result) == [
        "Row 1, column A ('number'): unknown column; expected 'ballot', an official's "
        "ballot order or 'invalid_reason'.",
        "Row 1: the column 'ballot' is missing.",
    ]


def test_unknown_code_names_row_and_column():
    result = parse("ballot,1,2,3,4,5\n1,H,H,H,H,H\n2,H,Y,H,HH,H\n")
    assert messages(result) == [
        "Row 3, column C ('2'): unknown mark 'Y'; use H, M, L, X, or leave it empty "
        "for no box ticked.",
        "Row 3, column E ('4'): unknown mark 'HH'; use H, M, L, X, or leave it empty "
        "for no box ticked.",
    ]
    assert (result.errors[0].row, result.errors[0].column) == (3, "C ('2')")
    assert result.ballots == []


def test_unknown_invalid_reason():
    result = parse("ballot,1,invalid_reason\n1,H,torn\n", orders=(1,))
    assert messages(result) == [
        "Row 2, column C ('invalid_reason'): unknown reason 'torn'; use one of "
        "name_added, name_crossed_out, not_issued, other, or leave it empty."
    ]


@pytest.mark.parametrize("number", ["0", "-1", "1.5", "abc", "", "2 3"])
def test_ballot_number_must_be_a_positive_whole_number(number):
    result = parse(f"ballot,1\n{number},H\n", orders=(1,))
    assert messages(result) == [
        f"Row 2, column A ('ballot'): '{number}' is not a ballot number (a positive whole number)."
    ]


def test_ballot_number_too_large():
    result = parse("ballot,1\n1000001,H\n", orders=(1,))
    assert messages(result) == ["Row 2, column A ('ballot'): ballot number 1000001 is too large."]


def test_ballot_number_repeated_in_file():
    result = parse("ballot,1\n1,H\n2,H\n1,L\n", orders=(1,))
    assert messages(result) == ["Row 4, column A ('ballot'): ballot number 1 is already on row 2."]
    assert result.ballots == []


def test_value_under_no_header():
    result = parse("ballot,1,\n1,H,oops\n", orders=(1,))
    assert messages(result) == ["Row 2, column C: a value under no header."]


def test_all_problems_are_listed():
    result = parse("ballot,1,2\n0,Q,H\n2,H,Z\n2,H,H\n", orders=(1, 2))
    assert [(p.row, p.column) for p in result.errors] == [
        (2, "A ('ballot')"),
        (2, "B ('1')"),
        (3, "C ('2')"),
        (4, "A ('ballot')"),
    ]


def test_header_only_and_empty_files():
    assert messages(parse("ballot,1\n", orders=(1,))) == [
        "phieu.csv has a header (row 1) but no ballots below it."
    ]
    assert messages(parse("\n,\n", orders=(1,))) == ["phieu.csv is empty: every row is blank."]
    assert messages(parse("", orders=(1,))) == ["The file is empty."]


def test_not_utf8_is_refused():
    result = parse_ballots("ballot,1\n1,H\n".encode("utf-16"), "x.csv", official_orders=(1,))
    assert messages(result) == [
        "The file is not UTF-8 text or an .xlsx spreadsheet. "
        "In Excel, save as 'CSV UTF-8' or .xlsx."
    ]


def test_too_many_rows_is_refused():
    rows = "".join(f"{n},H\n" for n in range(1, 5002))
    result = parse("ballot,1\n" + rows, orders=(1,))
    assert messages(result) == [
        "phieu.csv has more than 5000 rows. Remove the empty rows at its end."
    ]
