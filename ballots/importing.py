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
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ballots.inputs import BallotInput
from ballots.models import InvalidReason, MarkValue

# The file readers are shared with the lists import; UnreadableFileError is the one exception
# `read_table` raises, with a message that says what to do.
from sessions.importing import (
    MAX_ROWS,
    Problem,
    Table,
    UnreadableFileError,
    header_key,
    read_table,
)

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
    non_empty, problem = _read_non_empty_rows(content, file_name, orders)
    if problem is not None:
        result.errors.append(problem)
        return result

    header_row, header = non_empty[0]
    columns, header_problems = _HeaderReader(header_row, orders).read(header)
    if columns is None:
        result.errors.extend(header_problems)
        return result

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


def _read_non_empty_rows(
    content: bytes, file_name: str, orders: set[int]
) -> tuple[Table, Problem | None]:
    """The file's rows that hold something, or the problem that stops it from being read."""
    known = {BALLOT_HEADER, REASON_HEADER, *(str(order) for order in orders)}
    try:
        table, too_many = read_table(content, known_headers=known)
    except UnreadableFileError as exc:
        return [], Problem(str(exc))
    if too_many:
        return [], Problem(
            _("%(file)s has more than %(max)d rows. Remove the empty rows at its end.")
            % {"file": file_name, "max": MAX_ROWS}
        )
    non_empty = [(number, cells) for number, cells in table if any(cells)]
    if not non_empty:
        return [], Problem(_("%(file)s is empty: every row is blank.") % {"file": file_name})
    return non_empty, None


@dataclass(frozen=True)
class _Columns:
    header: list[str]
    ballot: int
    reason: int | None
    orders: dict[int, int]  # official's ballot order -> column index


class _HeaderReader:
    """The header: 'ballot', one column per official's ballot order, optionally
    'invalid_reason'; every bad cell is a problem on the header's row."""

    def __init__(self, row: int, orders: set[int]) -> None:
        self.row = row
        self.orders = orders
        self.ballot: int | None = None
        self.reason: int | None = None
        self.order_index: dict[int, int] = {}
        self.seen: dict[str, int] = {}  # header key -> column index
        self.problems: list[Problem] = []

    def read(self, header: list[str]) -> tuple[_Columns | None, list[Problem]]:
        """The columns, or None and the problems when the header is not usable."""
        for index, raw in enumerate(header):
            self._read_cell(index, raw)
        if self.ballot is None:
            self._error(_("Row %(row)d: the column 'ballot' is missing."))
        missing = sorted(self.orders - self.order_index.keys())
        if missing:
            self._error(
                _("Row %(row)d: no column for the officials with ballot order %(orders)s."),
                orders=", ".join(map(str, missing)),
            )
        if self.problems or self.ballot is None:  # a missing 'ballot' is among the problems
            return None, self.problems
        return _Columns(header, self.ballot, self.reason, self.order_index), []

    def _error(self, message: str, **values: Any) -> None:
        text = message % {"row": self.row, **values}
        self.problems.append(Problem(text, row=self.row, column=values.get("column")))

    def _read_cell(self, index: int, raw: str) -> None:
        key = header_key(raw)
        if not key:
            return
        column = _cell_name(index, raw)
        if key in self.seen:
            self._error(
                _("Row %(row)d, column %(column)s: '%(header)s' is also column %(first)s."),
                column=column,
                header=raw,
                first=get_column_letter(self.seen[key] + 1),
            )
            return
        self.seen[key] = index
        if key == BALLOT_HEADER:
            self.ballot = index
        elif key == REASON_HEADER:
            self.reason = index
        else:
            self._read_order_cell(index, raw, key, column)

    def _read_order_cell(self, index: int, raw: str, key: str, column: str) -> None:
        """A column headed by an official's ballot order."""
        order = _whole_number(key)
        if order is None:
            self._error(
                _(
                    "Row %(row)d, column %(column)s: unknown column; expected 'ballot', "
                    "an official's ballot order or 'invalid_reason'."
                ),
                column=column,
            )
        elif order not in self.orders:
            self._error(
                _("Row %(row)d, column %(column)s: no official has ballot order %(order)d."),
                column=column,
                order=order,
            )
        elif order in self.order_index:
            self._error(
                _("Row %(row)d, column %(column)s: '%(header)s' is also column %(first)s."),
                column=column,
                header=raw,
                first=get_column_letter(self.order_index[order] + 1),
            )
        else:
            self.order_index[order] = index


def _parse_row(
    row: int, cells: list[str], columns: _Columns, first_row: dict[int, int]
) -> tuple[BallotInput | None, list[Problem]]:
    """One ballot line; `first_row` (ballot number -> row) is updated to catch repeats."""
    line = _BallotLine(row, cells, columns)
    line.check_headerless_values()
    number = line.ballot_number(first_row)
    reason = line.invalid_reason()
    # A valid ballot has a mark for every official; an invalid one's cells are ignored.
    marks = {} if reason else line.marks()
    if line.problems:
        return None, line.problems
    return BallotInput(number=number, marks=marks, invalid_reason=reason), []


class _BallotLine:
    """The cells of one ballot line, read column by column; each bad cell is a problem."""

    def __init__(self, row: int, cells: list[str], columns: _Columns) -> None:
        self.row = row
        self.cells = cells
        self.columns = columns
        self.problems: list[Problem] = []

    def _cell(self, index: int) -> str:
        return self.cells[index] if index < len(self.cells) else ""

    def _error(self, index: int, message: str, **values: Any) -> None:
        header = self.columns.header
        column = _cell_name(index, header[index] if index < len(header) else "")
        text = message % {"row": self.row, "column": column, **values}
        self.problems.append(Problem(text, row=self.row, column=column))

    def check_headerless_values(self) -> None:
        header = self.columns.header
        for index, value in enumerate(self.cells):
            if value and (index >= len(header) or not header[index]):
                self._error(index, _("Row %(row)d, column %(column)s: a value under no header."))

    def ballot_number(self, first_row: dict[int, int]) -> int | None:
        """The entry number, if it is a new one within the file (recorded in `first_row`)."""
        index = self.columns.ballot
        raw_number = self._cell(index)
        number = _whole_number(raw_number)
        if number is None:
            self._error(
                index,
                _(
                    "Row %(row)d, column %(column)s: '%(value)s' is not a ballot number "
                    "(a positive whole number)."
                ),
                value=raw_number,
            )
        elif number > MAX_NUMBER:
            self._error(
                index,
                _("Row %(row)d, column %(column)s: ballot number %(number)d is too large."),
                number=number,
            )
        elif number in first_row:
            self._error(
                index,
                _(
                    "Row %(row)d, column %(column)s: ballot number %(number)d is already "
                    "on row %(first)d."
                ),
                number=number,
                first=first_row[number],
            )
        else:
            first_row[number] = self.row
        return number

    def invalid_reason(self) -> str:
        """The invalid_reason cell, case folded; empty for a valid ballot (or no column)."""
        index = self.columns.reason
        if index is None:
            return ""
        raw_reason = self._cell(index)
        reason = raw_reason.casefold()
        if reason and reason not in InvalidReason.values:
            self._error(
                index,
                _(
                    "Row %(row)d, column %(column)s: unknown reason '%(value)s'; use one of "
                    "%(reasons)s, or leave it empty."
                ),
                value=raw_reason,
                reasons=", ".join(sorted(InvalidReason.values)),
            )
        return reason

    def marks(self) -> dict[int, str]:
        """A mark per official's ballot order."""
        marks: dict[int, str] = {}
        for order, index in sorted(self.columns.orders.items()):
            value = self._cell(index)
            mark = CODES.get(value.casefold())
            if mark is None:
                self._error(
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
        return marks
