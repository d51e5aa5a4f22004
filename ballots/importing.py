"""Reading paper ballots from a CSV or .xlsx file (`manage.py import_ballots`).

Pure parsing: bytes in, BallotInput rows and problems out; no database. The file:

    ballot,1,2,3,4,5,invalid_reason
    1,H,H,M,L,H,
    2,H,,X,H,H,
    3,,,,,,not_issued

The header's numbers are the officials' ballot order; every official of the session must
have a column. H, M, L: high, medium, low (any case); empty: no box ticked; X: several
boxes ticked. A non-empty invalid_reason (optional column) makes the whole ballot invalid
and its cells are ignored. Row numbers are the spreadsheet's own, columns its letters.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ballots.inputs import BallotInput
from ballots.models import InvalidReason, MarkValue

# The file readers are shared with the lists import; UnreadableFileError is the one exception
# `read_table` raises, with a message that says what to do.
from sessions.importing import MAX_ROWS, Problem, UnreadableFileError, header_key, read_table

BALLOT_HEADER = "ballot"
REASON_HEADER = "invalid_reason"
# Entry numbers count paper ballots: a few hundred at most.
MAX_NUMBER = 1_000_000

CODES: dict[str, str] = {
    "h": MarkValue.HIGH,
    "m": MarkValue.MEDIUM,
    "l": MarkValue.LOW,
    "x": MarkValue.SEVERAL,
    "": MarkValue.NONE,
}

_WHOLE_NUMBER = re.compile(r"[0-9]+")


@dataclass
class BallotImportResult:
    ballots: list[BallotInput] = field(default_factory=list)
    # The spreadsheet row each ballot came from, in the same order as `ballots`.
    rows: list[int] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.ballots) and not self.errors


def _whole_number(text: str) -> int | None:
    """A positive whole number written with digits only, else None."""
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number >= 1 else None


def _cell_name(index: int, header: str) -> str:
    return (
        f"{get_column_letter(index + 1)} ('{header}')" if header else get_column_letter(index + 1)
    )


def parse_ballots(
    content: bytes, file_name: str, *, official_orders: Collection[int]
) -> BallotImportResult:
    """Read ballots for a session whose officials have the ballot orders `official_orders`.

    The file type is decided by the content (CSV in UTF-8, BOM allowed, or .xlsx);
    `file_name` only names the file in messages. Every problem found is reported.
    """
    result = BallotImportResult()
    orders = set(official_orders)
    known = {BALLOT_HEADER, REASON_HEADER, *(str(order) for order in orders)}
    try:
        table, too_many = read_table(content, known_headers=known)
    except UnreadableFileError as exc:
        result.errors.append(Problem(str(exc)))
        return result
    if too_many:
        result.errors.append(
            Problem(
                _("%(file)s has more than %(max)d rows. Remove the empty rows at its end.")
                % {"file": file_name, "max": MAX_ROWS}
            )
        )
        return result
    non_empty = [(number, cells) for number, cells in table if any(cells)]
    if not non_empty:
        result.errors.append(
            Problem(_("%(file)s is empty: every row is blank.") % {"file": file_name})
        )
        return result

    # The header: 'ballot', one column per official's ballot order, optionally 'invalid_reason'.
    header_row, header = non_empty[0]
    ballot_index: int | None = None
    reason_index: int | None = None
    order_index: dict[int, int] = {}
    seen: dict[str, int] = {}

    def header_error(message: str, **values) -> None:
        text = message % {"row": header_row, **values}
        result.errors.append(Problem(text, row=header_row, column=values.get("column")))

    for index, raw in enumerate(header):
        key = header_key(raw)
        if not key:
            continue
        column = _cell_name(index, raw)
        if key in seen:
            header_error(
                _("Row %(row)d, column %(column)s: '%(header)s' is also column %(first)s."),
                column=column,
                header=raw,
                first=get_column_letter(seen[key] + 1),
            )
            continue
        seen[key] = index
        if key == BALLOT_HEADER:
            ballot_index = index
            continue
        if key == REASON_HEADER:
            reason_index = index
            continue
        order = _whole_number(key)
        if order is None:
            header_error(
                _(
                    "Row %(row)d, column %(column)s: unknown column; expected 'ballot', "
                    "an official's ballot order or 'invalid_reason'."
                ),
                column=column,
            )
        elif order not in orders:
            header_error(
                _("Row %(row)d, column %(column)s: no official has ballot order %(order)d."),
                column=column,
                order=order,
            )
        elif order in order_index:
            header_error(
                _("Row %(row)d, column %(column)s: '%(header)s' is also column %(first)s."),
                column=column,
                header=raw,
                first=get_column_letter(order_index[order] + 1),
            )
        else:
            order_index[order] = index
    if ballot_index is None:
        header_error(_("Row %(row)d: the column 'ballot' is missing."))
    missing = sorted(orders - order_index.keys())
    if missing:
        header_error(
            _("Row %(row)d: no column for the officials with ballot order %(orders)s."),
            orders=", ".join(map(str, missing)),
        )
    if result.errors or ballot_index is None:  # a missing 'ballot' column is among the errors
        return result

    columns = _Columns(header, ballot_index, reason_index, order_index)
    first_row: dict[int, int] = {}
    for row, cells in non_empty[1:]:
        ballot, problems = _parse_row(row, cells, columns, first_row)
        result.errors.extend(problems)
        if ballot is not None:
            result.ballots.append(ballot)
            result.rows.append(row)

    if len(non_empty) == 1:
        result.errors.append(
            Problem(
                _("%(file)s has a header (row %(row)d) but no ballots below it.")
                % {"file": file_name, "row": header_row}
            )
        )
    if result.errors:
        result.ballots, result.rows = [], []
    return result


@dataclass(frozen=True)
class _Columns:
    header: list[str]
    ballot: int
    reason: int | None
    orders: dict[int, int]  # official's ballot order -> column index


def _parse_row(
    row: int, cells: list[str], columns: _Columns, first_row: dict[int, int]
) -> tuple[BallotInput | None, list[Problem]]:
    """One ballot line; `first_row` (ballot number -> row) is updated to catch repeats."""
    header = columns.header
    problems: list[Problem] = []

    def cell(index: int) -> str:
        return cells[index] if index < len(cells) else ""

    def error(index: int, message: str, **values) -> None:
        column = _cell_name(index, header[index] if index < len(header) else "")
        text = message % {"row": row, "column": column, **values}
        problems.append(Problem(text, row=row, column=column))

    for index, value in enumerate(cells):
        if value and (index >= len(header) or not header[index]):
            error(index, _("Row %(row)d, column %(column)s: a value under no header."))

    raw_number = cell(columns.ballot)
    number = _whole_number(raw_number)
    if number is None:
        error(
            columns.ballot,
            _(
                "Row %(row)d, column %(column)s: '%(value)s' is not a ballot number "
                "(a positive whole number)."
            ),
            value=raw_number,
        )
    elif number > MAX_NUMBER:
        error(
            columns.ballot,
            _("Row %(row)d, column %(column)s: ballot number %(number)d is too large."),
            number=number,
        )
    elif number in first_row:
        error(
            columns.ballot,
            _(
                "Row %(row)d, column %(column)s: ballot number %(number)d is already "
                "on row %(first)d."
            ),
            number=number,
            first=first_row[number],
        )
    else:
        first_row[number] = row

    raw_reason = cell(columns.reason) if columns.reason is not None else ""
    reason = raw_reason.casefold()
    if columns.reason is not None and reason and reason not in InvalidReason.values:
        error(
            columns.reason,
            _(
                "Row %(row)d, column %(column)s: unknown reason '%(value)s'; use one of "
                "%(reasons)s, or leave it empty."
            ),
            value=raw_reason,
            reasons=", ".join(sorted(InvalidReason.values)),
        )
    marks: dict[int, str] = {}
    if not reason:
        # A valid ballot: a mark for every official.
        for order, index in sorted(columns.orders.items()):
            value = cell(index)
            mark = CODES.get(value.casefold())
            if mark is None:
                error(
                    index,
                    _(
                        "Row %(row)d, column %(column)s: unknown mark '%(value)s'; use "
                        "%(codes)s, or leave it empty for no box ticked."
                    ),
                    value=value,
                    codes=", ".join(code.upper() for code in CODES if code),
                )
            else:
                marks[order] = str(mark)
    if problems:
        return None, problems
    return BallotInput(number=number, marks=marks, invalid_reason=reason), []
