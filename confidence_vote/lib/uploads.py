"""Every uploaded file is checked here, before anything parses it.

One validator for size, type (decided by the content's first bytes, never by the name) and
limits. The forms call `read_upload`, the management commands `read_path`; the spreadsheet
readers call `check_spreadsheet` again before openpyxl or the csv module sees a byte, so a
parser can never be reached with an unchecked file.

An .xlsx file is a zip archive of XML parts. A few hundred kilobytes can expand to gigabytes
(one shared string of 200 MB, a row of two million cells), and openpyxl would build all of it
in memory. So the archive's directory is read first (number of parts, each part's declared
size, the compression ratio, the total), then the worksheets and the shared strings are
streamed through expat in small pieces, counting rows, cells per row and characters per cell,
and stopping at the first limit passed. The zip reader never returns more than a part's
declared size, so a part that lies about its size fails its checksum instead of growing.
"""

import hashlib
import io
import re
import zipfile
from enum import Enum
from pathlib import Path
from xml.parsers import expat

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls, Word .doc
PDF_MAGIC = b"%PDF-"
# A PDF may have a few bytes of junk before its header; readers accept it within 1 kB.
PDF_HEADER_WINDOW = 1024

# -- Limits of a spreadsheet (a list of people, a pile of ballots: a few hundred short rows) ----
# Parts in the archive: a workbook has about ten.
XLSX_MAX_PARTS = 200
# Uncompressed size of any one part, and of all of them together.
XLSX_MAX_PART_BYTES = 16 * 1024 * 1024
XLSX_MAX_TOTAL_BYTES = 48 * 1024 * 1024
# Other XML parts (styles, workbook, relationships, theme) are parsed whole by openpyxl: a
# workbook's are a few hundred kilobytes.
XLSX_MAX_OTHER_XML_BYTES = 4 * 1024 * 1024
# XML compresses about 10 to 1; a part over RATIO_FLOOR bytes that compresses better than
# this is padding or a bomb.
XLSX_MAX_RATIO = 100
XLSX_RATIO_FLOOR = 1024 * 1024
# Rows a sheet may hold (reading stops at this row anyway) and cells one row may hold.
SHEET_MAX_ROWS = 20_000
SHEET_MAX_CELLS_PER_ROW = 1000
# Characters in one cell: a name or position is at most 300.
CELL_MAX_CHARS = 2000
# How much of a part is decompressed and parsed at a time.
CHUNK_BYTES = 64 * 1024

_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_SHARED_STRINGS_PART = re.compile(r"xl/sharedstrings\.xml", re.IGNORECASE)
_COLUMN_LETTERS = re.compile(r"[A-Z]+")
# A run of characters with no delimiter and no line break: a lower bound of a cell's length.
_CSV_LONG_RUN = re.compile(rf"[^,;\t\r\n]{{{CELL_MAX_CHARS + 1},}}")
_CSV_DELIMITERS = (",", ";", "\t")


# The SHA-256 of the last spreadsheets found within the limits (the limits are constants).
ACCEPTED_MEMORY = 16
_ACCEPTED: dict[bytes, None] = {}


class UploadRefused(Exception):
    """The file is refused before it is read; the message says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class UploadKind(Enum):
    """What an upload must be; each kind has its size limit setting."""

    SPREADSHEET = "spreadsheet"  # .xlsx or CSV in UTF-8: lists, ballots
    PDF = "pdf"  # dossiers, scanned paper minutes, documents to verify
    SCAN = "scan"  # scanned ballot papers: PDF, TIFF, JPEG or PNG

    @property
    def max_bytes(self) -> int:
        if self is UploadKind.SPREADSHEET:
            return settings.IMPORT_MAX_BYTES
        if self is UploadKind.SCAN:
            return settings.SCAN_MAX_BYTES
        return settings.DOSSIER_MAX_BYTES


# -- Entry points --------------------------------------------------------------------------------


def read_upload(upload: UploadedFile, *, kind: UploadKind) -> bytes:
    """The bytes of an uploaded file, checked (size, type, limits); UploadRefused if not.

    The declared size is checked before reading; the read stops one byte over the limit, so a
    client that declares a wrong size gains nothing."""
    limit = kind.max_bytes
    if upload.size is not None and upload.size > limit:
        raise UploadRefused(_too_large(upload.size, limit))
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    check_content(content, kind=kind)
    return content


def read_path(path: str | Path, *, kind: UploadKind) -> bytes:
    """The bytes of a file named on a command line, checked as an upload is.

    OSError when the file cannot be read; UploadRefused when it is not acceptable."""
    path = Path(path)
    limit = kind.max_bytes
    size = path.stat().st_size
    if size > limit:
        raise UploadRefused(_too_large(size, limit))
    with path.open("rb") as handle:
        content = handle.read(limit + 1)
    check_content(content, kind=kind)
    return content


def check_content(content: bytes, *, kind: UploadKind) -> None:
    """Size, type by content and limits of `content` for `kind`; UploadRefused if not."""
    limit = kind.max_bytes
    if len(content) > limit:
        raise UploadRefused(
            _("The file is larger than %(limit)s, the most accepted.")
            % {"limit": filesizeformat(limit)}
        )
    if kind is UploadKind.PDF:
        check_pdf(content)
    elif kind is UploadKind.SCAN:
        check_scan(content)
    else:
        check_spreadsheet(content)


def _too_large(size: int, limit: int) -> str:
    return _("The file is %(size)s; at most %(limit)s is accepted.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }


# -- PDF -----------------------------------------------------------------------------------------


def is_pdf(content: bytes) -> bool:
    """Lenient: a PDF header within the first kilobyte, as PDF readers accept. For judging a
    file already given (verification); uploads are held to `check_pdf`."""
    return isinstance(content, bytes | bytearray) and PDF_MAGIC in content[:PDF_HEADER_WINDOW]


def check_pdf(content: bytes) -> None:
    if not content:
        raise UploadRefused(_("The file is empty."))
    if not content.startswith(PDF_MAGIC):
        raise UploadRefused(_("The file must be a PDF document; this file is not a PDF."))


# -- Scans ---------------------------------------------------------------------------------------

# What office scanners write: the file's first bytes, by format.
SCAN_MAGICS = (
    PDF_MAGIC,
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",  # PNG
)


def check_scan(content: bytes) -> None:
    if not content:
        raise UploadRefused(_("The file is empty."))
    if not content.startswith(SCAN_MAGICS):
        raise UploadRefused(
            _("A scan must be a PDF, TIFF, JPEG or PNG file; this file is none of them.")
        )


# -- Spreadsheets ----------------------------------------------------------------------------------


def spreadsheet_type(content: bytes) -> str:
    """ "xlsx" or "csv", decided by the first bytes; UploadRefused for anything else we
    recognise (an old .xls, a PDF, an empty file). Text is only "csv" here: whether it is
    UTF-8 is the reader's question."""
    if not content.strip():
        raise UploadRefused(_("The file is empty."))
    if content.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return "xlsx"
    if content.startswith(OLE_MAGIC):
        raise UploadRefused(
            _(
                "This is an old Excel 97-2003 (.xls) file, which cannot be read. "
                "In Excel, save it as .xlsx or 'CSV UTF-8'."
            )
        )
    if content.startswith(PDF_MAGIC):
        raise UploadRefused(
            _("This is a PDF document, not a spreadsheet. Upload the list as .xlsx or 'CSV UTF-8'.")
        )
    return "csv"


def check_spreadsheet(content: bytes) -> str:
    """The type ("xlsx" or "csv") of a spreadsheet within every limit; UploadRefused if not.

    Nothing is built in memory but counters: a bomb is refused in the time it takes to read
    its directory, or to stream as far as the first limit it passes."""
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise UploadRefused(_too_large(len(content), settings.IMPORT_MAX_BYTES))
    kind = spreadsheet_type(content)
    # The form checks a file, then the reader checks the same bytes again before parsing:
    # stream a big list once.
    digest = hashlib.sha256(content).digest()
    if digest in _ACCEPTED:
        return kind
    if kind == "xlsx":
        _check_xlsx(content)
    else:
        _check_csv(content)
    _ACCEPTED[digest] = None
    while len(_ACCEPTED) > ACCEPTED_MEMORY:
        del _ACCEPTED[next(iter(_ACCEPTED))]
    return kind


def _too_big_message() -> str:
    return _(
        "The spreadsheet expands to more than the server accepts when opened: it is not a "
        "list of people or ballots. Copy the rows you need into a new file and upload that."
    )


def _check_xlsx(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(_damaged_message()) from None
    with archive:
        parts = archive.infolist()
        if len(parts) > XLSX_MAX_PARTS:
            raise UploadRefused(
                _("The spreadsheet holds %(count)d parts; a workbook has at most %(max)d.")
                % {"count": len(parts), "max": XLSX_MAX_PARTS}
            )
        total = 0
        for part in parts:
            total += part.file_size
            if total > XLSX_MAX_TOTAL_BYTES or _part_too_big(part):
                raise UploadRefused(_too_big_message())
        for part in parts:
            if _SHEET_PART.fullmatch(part.filename):
                _stream_xml(archive, part, _SheetLimits())
            elif _SHARED_STRINGS_PART.fullmatch(part.filename):
                _stream_xml(archive, part, _TextLimits())


def _part_too_big(part: zipfile.ZipInfo) -> bool:
    """By the sizes the zip directory declares (the reader never returns more)."""
    size = part.file_size
    if size > XLSX_MAX_PART_BYTES:
        return True
    if size > XLSX_RATIO_FLOOR and size > XLSX_MAX_RATIO * max(part.compress_size, 1):
        return True
    streamed = _SHEET_PART.fullmatch(part.filename) or _SHARED_STRINGS_PART.fullmatch(part.filename)
    parsed_whole = part.filename.lower().endswith((".xml", ".rels")) and not streamed
    return parsed_whole and size > XLSX_MAX_OTHER_XML_BYTES


def _damaged_message() -> str:
    return _(
        "The file looks like an .xlsx spreadsheet but could not be read; it may be damaged. "
        "In Excel, save it again as .xlsx or 'CSV UTF-8'."
    )


class _Stop(Exception):
    """Raised from an expat handler to stop at the first limit passed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _TextLimits:
    """Counts the characters of each value and refuses a long one. A value is a shared string
    (<si>) or a cell (<c>), whose text may come in several runs (<r><t>…</t></r>): the
    runs count together."""

    TEXT_ELEMENTS = frozenset({"v", "t"})
    VALUE_ELEMENTS = frozenset({"si", "c"})

    def __init__(self) -> None:
        self.in_text = 0
        self.length = 0
        self.row = 0

    def start(self, name: str, attributes: dict) -> None:
        local = _local(name)
        if local in self.VALUE_ELEMENTS:
            self.length = 0
        elif local in self.TEXT_ELEMENTS:
            self.in_text += 1

    def end(self, name: str) -> None:
        if _local(name) in self.TEXT_ELEMENTS:
            self.in_text -= 1

    def text(self, data: str) -> None:
        if self.in_text:
            self.length += len(data)
            if self.length > CELL_MAX_CHARS:
                raise _Stop(_cell_too_long_message(self.row))


class _SheetLimits(_TextLimits):
    """Also counts the rows and the cells of each row, and the row numbers used."""

    def __init__(self) -> None:
        super().__init__()
        self.rows = 0
        self.cells = 0

    def start(self, name: str, attributes: dict) -> None:
        local = _local(name)
        if local == "row":
            self.rows += 1
            self.cells = 0
            number = attributes.get("r")
            self.row = int(number) if number and number.isdigit() else self.row + 1
            if self.rows > SHEET_MAX_ROWS or self.row > SHEET_MAX_ROWS:
                raise _Stop(
                    _("The sheet has rows beyond row %(max)d; a list has a few hundred.")
                    % {"max": SHEET_MAX_ROWS}
                )
        elif local == "c":
            self.cells += 1
            reference = attributes.get("r", "")
            letters = _COLUMN_LETTERS.match(reference)
            column = _column_number(letters.group()) if letters else self.cells
            if self.cells > SHEET_MAX_CELLS_PER_ROW or column > SHEET_MAX_CELLS_PER_ROW:
                raise _Stop(
                    _(
                        "Row %(row)d has more than %(max)d columns; a list has a few. "
                        "Delete the empty columns to the right of the table."
                    )
                    % {"row": self.row, "max": SHEET_MAX_CELLS_PER_ROW}
                )
        super().start(name, attributes)


def _cell_too_long_message(row: int) -> str:
    if row:
        return _(
            "Row %(row)d: a cell holds more than %(max)d characters. A name or a position is "
            "far shorter: this is not a list of people or ballots."
        ) % {"row": row, "max": CELL_MAX_CHARS}
    return _(
        "A cell holds more than %(max)d characters. A name or a position is far shorter: "
        "this is not a list of people or ballots."
    ) % {"max": CELL_MAX_CHARS}


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]  # expat with namespaces: "uri local"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (ord(letter) - ord("A") + 1)
        if number > SHEET_MAX_CELLS_PER_ROW:
            break
    return number


def _refuse_doctype(*_args) -> None:
    # Office files never declare a DTD; one here can only be an entity expansion attack.
    raise _Stop(_damaged_message())


def _stream_xml(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limits: _TextLimits) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = limits.start
    parser.EndElementHandler = limits.end
    parser.CharacterDataHandler = limits.text
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    read = 0
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                read += len(chunk)
                if read > XLSX_MAX_PART_BYTES:
                    raise UploadRefused(_too_big_message())
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop as stop:
        raise UploadRefused(stop.message) from None
    except (zipfile.BadZipFile, expat.ExpatError, OSError, ValueError, EOFError, RuntimeError):
        # RuntimeError: an encrypted part.
        raise UploadRefused(_damaged_message()) from None


def _check_csv(content: bytes) -> None:
    """Rows, columns and cell length of text, before the csv module builds any row."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return  # the reader refuses it with its own message
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines > SHEET_MAX_ROWS:
        raise UploadRefused(
            _("The file has more than %(max)d lines; a list has a few hundred.")
            % {"max": SHEET_MAX_ROWS}
        )
    for number, line in enumerate(text.split("\n"), start=1):
        separators = max(line.count(delimiter) for delimiter in _CSV_DELIMITERS)
        if separators >= SHEET_MAX_CELLS_PER_ROW:
            raise UploadRefused(
                _(
                    "Row %(row)d has more than %(max)d columns; a list has a few. "
                    "Delete the empty columns to the right of the table."
                )
                % {"row": number, "max": SHEET_MAX_CELLS_PER_ROW}
            )
    if _CSV_LONG_RUN.search(text):
        raise UploadRefused(_cell_too_long_message(0))
