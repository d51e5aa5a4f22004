"""Reading lists of officials and delegates from .xlsx and .csv files.

Pure parsing: bytes and a file name in, parsed rows and problems out; no database.
The caller passes the identities already on the session (`existing`) so that
"listed twice" can be reported in the preview; the import services run
`validate_rows` again inside their transaction before saving.

Row numbers are the spreadsheet's own (the header is usually row 1), so a person
can find the row the message is about.
"""

import csv
import io
import unicodedata
import zipfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from confidence_vote.lib import uploads
from confidence_vote.lib.text import clean_text, identity_key
from sessions.models import Delegate, Official

ImportKind = Literal["officials", "delegates"]
KINDS: tuple[str, ...] = ("officials", "delegates")

# A list of delegates is a few hundred people (the National Assembly: about 480).
# Data below row MAX_ROWS is refused; reading stops for good at row SCAN_ROWS, so a
# hostile or bloated file (a million formatted empty rows, a zip bomb) cannot keep
# the server busy.
MAX_ROWS = 5000
SCAN_ROWS = uploads.SHEET_MAX_ROWS
MAX_COLUMNS = 50
# A title ("DANH SÁCH ĐẠI BIỂU ...") may sit above the header; look this far for it.
HEADER_SEARCH_ROWS = 10

CSV_DELIMITERS = (",", ";", "\t")

# Columns holding the row number ("STT"): allowed and ignored.
_ORDER_HEADERS = ("stt", "số tt", "tt", "số thứ tự", "no.", "no", "#")


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as written in the downloadable template
    aliases: tuple[str, ...]
    required: bool
    max_length: int
    help: Any = ""


@dataclass(frozen=True)
class ImportSpec:
    kind: str
    columns: tuple[Column, ...]
    identity_fields: tuple[str, ...]  # "listed twice" compares these
    template_file_name: str
    examples: tuple[tuple[str, ...], ...]
    verbose_name_plural: Any

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


_NAME_ALIASES = ("Họ và tên", "Họ tên", "Full name", "Name")
_POSITION_ALIASES = ("Chức vụ", "Position")

SPECS: dict[str, ImportSpec] = {
    "officials": ImportSpec(
        kind="officials",
        columns=(
            Column(
                "full_name",
                "Họ và tên",
                _NAME_ALIASES,
                required=True,
                max_length=_max_length(Official, "full_name"),
                help=gettext_lazy("The official's full name, as printed on the ballot."),
            ),
            Column(
                "position",
                "Chức vụ",
                _POSITION_ALIASES,
                required=True,
                max_length=_max_length(Official, "position"),
                help=gettext_lazy("The position, as printed on the ballot."),
            ),
            Column(
                "block",
                "Khối",
                ("Khối", "Khối lấy phiếu", "Block"),
                required=False,
                max_length=_max_length(Official, "block"),
                help=gettext_lazy(
                    "The block the official is rated in (e.g. Khối HĐND, Khối UBND); "
                    "leave empty when the ballot has no blocks."
                ),
            ),
        ),
        identity_fields=("full_name", "position"),
        template_file_name="mau-nguoi-duoc-lay-phieu.xlsx",
        examples=(
            ("Nguyễn Văn An", "Viện trưởng", ""),
            ("Trần Thị Bình", "Phó Viện trưởng", ""),
        ),
        verbose_name_plural=gettext_lazy("officials"),
    ),
    "delegates": ImportSpec(
        kind="delegates",
        columns=(
            Column(
                "full_name",
                "Họ và tên",
                _NAME_ALIASES,
                required=True,
                max_length=_max_length(Delegate, "full_name"),
                help=gettext_lazy("The delegate's full name."),
            ),
            Column(
                "position",
                "Chức vụ",
                _POSITION_ALIASES,
                required=False,
                max_length=_max_length(Delegate, "position"),
                help=gettext_lazy("The delegate's position."),
            ),
            Column(
                "unit",
                "Đơn vị",
                ("Đơn vị", "Unit"),
                required=False,
                max_length=_max_length(Delegate, "unit"),
                help=gettext_lazy("The department or unit the delegate works in."),
            ),
            Column(
                "group",
                "Thành phần",
                ("Thành phần", "Thành phần ghi phiếu", "Nhóm", "Group"),
                required=False,
                max_length=_max_length(Delegate, "group"),
                help=gettext_lazy(
                    "Why the delegate is convened, e.g. member of the Party committee."
                ),
            ),
        ),
        identity_fields=("full_name", "position", "unit"),
        template_file_name="mau-dai-bieu.xlsx",
        examples=(
            ("Nguyễn Văn An", "Viện trưởng", "Lãnh đạo Viện", "Ủy viên Ban Cán sự Đảng"),
            ("Lê Thị Hồng", "Trưởng phòng", "Phòng 1", "Trưởng các phòng"),
        ),
        verbose_name_plural=gettext_lazy("delegates"),
    ),
}


_ROW_TEXTS = ("full_name", "position", "unit", "group", "block")


@dataclass(frozen=True)
class ImportRow:
    """One person read from the file; `row` is the spreadsheet row it came from."""

    row: int
    full_name: str
    position: str = ""
    unit: str = ""
    group: str = ""
    block: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ImportRow":
        """Strictly rebuild a row (e.g. from the session); ValueError if anything is off."""
        if not isinstance(data, Mapping) or set(data) != {"row", *_ROW_TEXTS}:
            raise ValueError("not an import row")
        row = data["row"]
        if type(row) is not int or row < 1:
            raise ValueError("bad row number")
        texts = {name: data[name] for name in _ROW_TEXTS}
        if not all(isinstance(value, str) for value in texts.values()):
            raise ValueError("bad text")
        return cls(row=row, **texts)

    def identity(self, spec: ImportSpec) -> tuple[str, ...]:
        return identity_key(*(getattr(self, name) for name in spec.identity_fields))


@dataclass(frozen=True)
class Problem:
    """An error or a warning; `row is None` for a problem with the whole file."""

    message: str
    row: int | None = None
    column: str | None = None


@dataclass
class ImportResult:
    kind: str
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Each field's column header as written in the file, for messages.
    columns: dict[str, str] = field(default_factory=dict)
    header_row: int | None = None

    @property
    def file_errors(self) -> list[Problem]:
        """Problems that stop the file from being read at all."""
        return [e for e in self.errors if e.row is None]

    @property
    def row_errors(self) -> list[Problem]:
        return [e for e in self.errors if e.row is not None]

    @property
    def error_rows(self) -> set[int]:
        return {e.row for e in self.errors if e.row is not None}

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


class UnreadableFileError(Exception):
    """The file cannot be read as a table; the message says why and what to do."""


def not_readable_message() -> str:
    return _(
        "The file is not UTF-8 text or an .xlsx spreadsheet. "
        "In Excel, save as 'CSV UTF-8' or .xlsx."
    )


# -- Cells -------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell's value as clean text; numbers the way a person would type them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        # Excel stores every number as a float: 12.0 is "12"; 15 digits is what Excel shows.
        text = str(int(value)) if value.is_integer() else f"{value:.15g}"
    elif isinstance(value, Decimal):
        text = format(value.normalize(), "f")
    elif isinstance(value, datetime):
        has_time = (value.hour, value.minute, value.second) != (0, 0, 0)
        text = value.strftime("%d/%m/%Y %H:%M" if has_time else "%d/%m/%Y")
    elif isinstance(value, date):
        text = value.strftime("%d/%m/%Y")
    elif isinstance(value, time):
        text = value.strftime("%H:%M")
    else:
        text = str(value)
    # Invisible characters go; control characters (a stray tab or line break inside a
    # cell) become spaces.
    return clean_text(text)


def header_key(value: str) -> str:
    """How headers are compared: NFC, spaces folded, case ignored, "Họ và tên:" = "họ và tên"."""
    text = clean_text(value).casefold().rstrip(" :*").strip()
    return unicodedata.normalize("NFC", text)


# -- Reading the table -------------------------------------------------------------------------

Table = list[tuple[int, list[str]]]  # (spreadsheet row number, cell texts)


def _read_xlsx(content: bytes) -> tuple[Table, bool]:
    """The first worksheet's rows, and whether there were more rows than MAX_ROWS."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # untrusted input: any failure means "not readable"
        raise UnreadableFileError(_xlsx_unreadable_message(content)) from None
    try:
        if not workbook.worksheets:
            raise UnreadableFileError(_("The spreadsheet has no worksheet."))
        sheet = workbook.worksheets[0]
        # The recorded size may be wrong (or a million formatted rows): read what is there,
        # and let _collect stop at SCAN_ROWS.
        sheet.reset_dimensions()
        return _collect(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True))
    except UnreadableFileError:
        raise
    except Exception:  # a damaged sheet fails while being read
        raise UnreadableFileError(_xlsx_unreadable_message(content)) from None
    finally:
        workbook.close()


def _xlsx_unreadable_message(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except Exception:
        names = set()
    if "mimetype" in names or "content.xml" in names:
        return _(
            "This is an OpenDocument (.ods) file, which cannot be read. "
            "Save it as .xlsx or 'CSV UTF-8'."
        )
    return _(
        "The file looks like an .xlsx spreadsheet but could not be read; it may be damaged. "
        "In Excel, save it again as .xlsx or 'CSV UTF-8'."
    )


def _decode_text(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError(not_readable_message()) from None
    # Valid UTF-8 can still be binary: refuse control characters other than line breaks and tabs.
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f\v" for ch in text):
        raise UnreadableFileError(not_readable_message())
    return text


def _collect(rows: Iterable[Iterable[Any]]) -> tuple[Table, bool]:
    """Number the rows from 1 and clean their cells; True if there is data below MAX_ROWS."""
    table: Table = []
    for number, cells in enumerate(rows, start=1):
        if number > SCAN_ROWS:
            break
        texts = [cell_text(value) for value in cells]
        if number > MAX_ROWS:
            if any(texts):
                return table, True
            continue
        table.append((number, texts))
    return table, False


def _sniff_delimiter(text: str, known_headers: Collection[str]) -> str:
    """The delimiter that makes the first lines most sensible: the most known headers on one
    line, then the most columns. Names may contain commas; headers do not."""
    lines = [line for line in text.splitlines()[:SCAN_ROWS] if line.strip()]
    lines = lines[:HEADER_SEARCH_ROWS]
    best, best_score = ",", (-1, -1)
    for delimiter in CSV_DELIMITERS:
        try:
            records = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        known = max(
            (sum(header_key(cell) in known_headers for cell in record) for record in records),
            default=0,
        )
        score = (known, max((len(record) for record in records), default=0))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(content: bytes, known_headers: Collection[str]) -> tuple[Table, bool]:
    text = _decode_text(content)
    stripped = text.lstrip()
    if stripped.startswith("<"):
        raise UnreadableFileError(
            _(
                "This file is a web page (HTML or XML), not a spreadsheet, even if its name "
                "ends in .xls. Open it in Excel and save as .xlsx or 'CSV UTF-8'."
            )
        )
    delimiter = _sniff_delimiter(text, known_headers)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # In Excel each CSV record is one row (a quoted line break stays inside its cell).
        return _collect(record[:MAX_COLUMNS] for record in reader)
    except csv.Error:
        raise UnreadableFileError(not_readable_message()) from None


def read_table(content: bytes, *, known_headers: Collection[str] = ()) -> tuple[Table, bool]:
    """Rows of an .xlsx or CSV file, decided by content; UnreadableFileError says why not.

    The file passes the upload validator first (type, size, rows, columns, cell length,
    and for .xlsx the archive's sizes), so nothing unbounded reaches openpyxl."""
    try:
        kind = uploads.check_spreadsheet(content)
    except uploads.UploadRefused as exc:
        raise UnreadableFileError(exc.message) from None
    if kind == "xlsx":
        return _read_xlsx(content)
    return _read_csv(content, known_headers)


# -- Parsing -----------------------------------------------------------------------------------


def _alias_map(spec: ImportSpec) -> dict[str, str]:
    return {header_key(alias): column.field for column in spec.columns for alias in column.aliases}


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _find_header(table: Table, aliases: Mapping[str, str]) -> tuple[int, list[str]] | None:
    """The first non-empty row, unless a row just below it (a title above the header)
    holds the name column."""
    non_empty = [(number, cells) for number, cells in table if any(cells)]
    if not non_empty:
        return None
    for number, cells in non_empty[:HEADER_SEARCH_ROWS]:
        if any(aliases.get(header_key(c)) == "full_name" for c in cells):
            return number, cells
    return non_empty[0]


def parse_import(
    content: bytes,
    file_name: str,
    *,
    kind: str,
    existing: Collection[tuple[str, ...]] = (),
    max_bytes: int | None = None,
) -> ImportResult:
    """Read a list of officials or delegates: the rows to add, errors and warnings.

    `existing` holds the identity keys (identity_key of spec.identity_fields) of the
    people already on the session's list. `file_name` is used for nothing but messages:
    the type is decided by the content.
    """
    spec = SPECS[kind]
    result = ImportResult(kind=kind, columns={c.field: c.header for c in spec.columns})
    aliases = _alias_map(spec)
    table, problem = _read_list_table(content, aliases, max_bytes=max_bytes)
    if problem is not None:
        result.errors.append(problem)
        return result

    header = _find_header(table, aliases)
    if header is None:
        result.errors.append(Problem(_("The file is empty: every row is blank.")))
        return result
    header_row, header_cells = header
    result.header_row = header_row

    columns = _map_header(spec, aliases, header_row, header_cells)
    result.columns.update(columns.labels)
    result.errors.extend(columns.errors)
    if result.errors:
        return result

    result.warnings.extend(_header_warnings(header_row, header_cells, columns.unused))
    result.rows, headerless = _read_people(table, header_row, header_cells, columns.positions)
    result.warnings.extend(_headerless_warnings(headerless))
    if not result.rows:
        result.errors.append(
            Problem(
                _("The file has a header (row %(row)d) but no rows of people below it.")
                % {"row": header_row}
            )
        )
        return result

    result.errors.extend(
        validate_rows(kind=kind, rows=result.rows, existing=existing, columns=result.columns)
    )
    return result


def _read_list_table(
    content: bytes, aliases: Mapping[str, str], *, max_bytes: int | None
) -> tuple[Table, Problem | None]:
    """The file's rows, or the problem that stops it from being read."""
    if max_bytes is not None and len(content) > max_bytes:
        return [], Problem(
            _("The file is %(size)s; at most %(limit)s is accepted.")
            % {"size": filesizeformat(len(content)), "limit": filesizeformat(max_bytes)}
        )
    try:
        table, too_many = read_table(content, known_headers=aliases.keys())
    except UnreadableFileError as exc:
        return [], Problem(str(exc))
    if too_many:
        return [], Problem(
            _("The file has more than %(max)d rows. Remove the empty rows at its end.")
            % {"max": MAX_ROWS}
        )
    return table, None


@dataclass
class _HeaderMap:
    """Which column holds which field, as read from the header row."""

    positions: dict[str, int] = field(default_factory=dict)  # field -> column index
    labels: dict[str, str] = field(default_factory=dict)  # field -> header as written
    unused: list[int] = field(default_factory=list)  # headed columns no field uses
    errors: list[Problem] = field(default_factory=list)


def _map_header(
    spec: ImportSpec, aliases: Mapping[str, str], header_row: int, header_cells: list[str]
) -> _HeaderMap:
    """Map the header's cells to fields; a field held twice or a required one missing is
    an error. Row-number columns ("STT") are skipped."""
    columns = _HeaderMap()
    for index, raw in enumerate(header_cells):
        key = header_key(raw)
        if not key or key in _ORDER_HEADERS:
            continue
        name = aliases.get(key)
        if name is None:
            columns.unused.append(index)
        elif name in columns.positions:
            columns.errors.append(
                Problem(
                    _(
                        "Row %(row)d: columns %(first)s and %(second)s both hold '%(column)s'. "
                        "Keep one of them."
                    )
                    % {
                        "row": header_row,
                        "first": get_column_letter(columns.positions[name] + 1),
                        "second": get_column_letter(index + 1),
                        "column": spec.column(name).header,
                    }
                )
            )
        else:
            columns.positions[name] = index
            columns.labels[name] = raw
    found_headers = [c for c in header_cells if c]
    for column in spec.columns:
        if column.required and column.field not in columns.positions:
            columns.errors.append(
                Problem(
                    _(
                        "The column '%(column)s' is missing (also accepted: %(aliases)s). "
                        "Columns found in row %(row)d: %(found)s."
                    )
                    % {
                        "column": column.header,
                        "aliases": _quoted(column.aliases[1:]),
                        "row": header_row,
                        "found": _quoted(found_headers) or _("none"),
                    }
                )
            )
    return columns


def _header_warnings(header_row: int, header_cells: list[str], unused: list[int]) -> list[Problem]:
    """Rows above the header and columns no field uses: ignored, and said so."""
    warnings: list[Problem] = []
    if header_row > 1:
        warnings.append(
            Problem(
                _("Rows above the header (row %(row)d) are ignored.") % {"row": header_row},
                row=header_row,
            )
        )
    for index in unused:
        warnings.append(
            Problem(
                _("Column %(letter)s '%(header)s' is not used and will be ignored.")
                % {"letter": get_column_letter(index + 1), "header": header_cells[index]},
                column=header_cells[index],
            )
        )
    return warnings


def _read_people(
    table: Table, header_row: int, header_cells: list[str], positions: Mapping[str, int]
) -> tuple[list[ImportRow], set[int]]:
    """The people below the header, and the columns without a header that hold data."""
    rows: list[ImportRow] = []
    headerless_with_data: set[int] = set()
    for number, cells in table:
        if number <= header_row:
            continue
        values = {
            name: cells[index] if index < len(cells) else "" for name, index in positions.items()
        }
        # A row with nothing but an STT number (a pre-numbered blank line) is empty too.
        if not any(values.values()):
            continue
        for index, value in enumerate(cells):
            if value and (index >= len(header_cells) or not header_cells[index]):
                headerless_with_data.add(index)
        rows.append(ImportRow(row=number, **values))
    return rows, headerless_with_data


def _headerless_warnings(headerless: Collection[int]) -> list[Problem]:
    return [
        Problem(
            _("Column %(letter)s has no header; its values are ignored.")
            % {"letter": get_column_letter(index + 1)}
        )
        for index in sorted(headerless)
    ]


def validate_rows(
    *,
    kind: str,
    rows: Iterable[ImportRow],
    existing: Collection[tuple[str, ...]] = (),
    columns: Mapping[str, str] | None = None,
) -> list[Problem]:
    """The rules every row must meet: a name (and, for officials, a position), lengths
    within the model's, nobody listed twice in the file or already on the session."""
    spec = SPECS[kind]
    labels = {c.field: c.header for c in spec.columns} | dict(columns or {})
    existing = set(existing)
    problems: list[Problem] = []
    seen: dict[tuple[str, ...], int] = {}

    def add(row: ImportRow, field_name: str, message: str, **values: Any) -> None:
        label = labels[field_name]
        text = message % {"row": row.row, "column": label, **values}
        problems.append(Problem(text, row=row.row, column=label))

    for row in rows:
        if not row.full_name:
            add(row, "full_name", _("Row %(row)d, column '%(column)s': the name is empty."))
        if spec.column("position").required and not row.position:
            add(row, "position", _("Row %(row)d, column '%(column)s': the position is empty."))
        for column in spec.columns:
            length = len(getattr(row, column.field))
            if length > column.max_length:
                add(
                    row,
                    column.field,
                    _(
                        "Row %(row)d, column '%(column)s': %(length)d characters; "
                        "at most %(max)d are allowed."
                    ),
                    length=length,
                    max=column.max_length,
                )
        if not row.full_name:
            continue
        key = row.identity(spec)
        if key in seen:
            add(
                row,
                "full_name",
                _(
                    "Row %(row)d, column '%(column)s': %(name)s is listed twice in the file, "
                    "on rows %(first)d and %(row)d."
                ),
                name=row.full_name,
                first=seen[key],
            )
        else:
            seen[key] = row.row
        if key in existing:
            if kind == "officials":
                message = _(
                    "Row %(row)d, column '%(column)s': %(name)s (%(position)s) is already "
                    "on this session's ballot."
                )
            else:
                message = _(
                    "Row %(row)d, column '%(column)s': %(name)s is already on this session's "
                    "list of delegates."
                )
            add(row, "full_name", message, name=row.full_name, position=row.position)
    return problems


# -- The template ------------------------------------------------------------------------------


def template_workbook(kind: str) -> bytes:
    """An example .xlsx with the Vietnamese headers and two sample rows."""
    spec = SPECS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append(["STT", *(c.header for c in spec.columns)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, example in enumerate(spec.examples, start=1):
        sheet.append([number, *example])
    sheet.column_dimensions["A"].width = 6
    for index in range(len(spec.columns)):
        sheet.column_dimensions[get_column_letter(index + 2)].width = 32
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
