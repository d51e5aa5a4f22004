"""Hostile spreadsheets, built in memory: the tests and bench/upload_bomb.py share them.

Each starts from a real workbook written by openpyxl (a header and one person), then one part
is replaced while the archive is written, so nothing large is ever held in memory here.
"""

import io
import zipfile

from openpyxl import Workbook

SHARED_STRINGS = "xl/sharedStrings.xml"
FIRST_SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CHUNK = 1024 * 1024


def base_workbook(rows=(("Họ và tên", "Chức vụ"), ("Nguyễn Văn An", "Viện trưởng"))) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite(replace: dict[str, object], base: bytes | None = None) -> bytes:
    """The base workbook with some parts replaced: bytes, or an iterable of byte chunks."""
    source = zipfile.ZipFile(io.BytesIO(base or base_workbook()))
    out = io.BytesIO()
    names = source.namelist() + [name for name in replace if name not in source.namelist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in names:
            content = replace.get(name)
            if content is None:
                archive.writestr(name, source.read(name))
            elif isinstance(content, bytes):
                archive.writestr(name, content)
            else:
                with archive.open(name, "w", force_zip64=True) as part:
                    for chunk in content:
                        part.write(chunk)
    return out.getvalue()


def _with_shared_strings(strings) -> dict[str, object]:
    """Replacements that make the first sheet's four cells shared strings 0 to 3 (as Excel
    writes them), with `strings` (bytes or chunks) as the shared strings part."""
    cells = "".join(
        f'<row r="{row}"><c r="A{row}" t="s"><v>{2 * row - 2}</v></c>'
        f'<c r="B{row}" t="s"><v>{2 * row - 1}</v></c></row>'
        for row in (1, 2)
    )
    base = zipfile.ZipFile(io.BytesIO(base_workbook()))
    rels = base.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/></Relationships>',
    )
    types = base.read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return {
        FIRST_SHEET: sheet_xml([cells]),
        "xl/_rels/workbook.xml.rels": rels,
        "[Content_Types].xml": types,
        SHARED_STRINGS: strings,
    }


def shared_strings_xml(first: str) -> bytes:
    """A shared strings part whose first string is `first`, then the other three cells."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="4" '
        f'uniqueCount="4"><si><t>{first}</t></si><si><t>Chức vụ</t></si>'
        "<si><t>Nguyễn Văn An</t></si><si><t>Viện trưởng</t></si></sst>"
    ).encode()


def with_shared_strings(first: str) -> bytes:
    """A workbook read through shared strings, as Excel writes it."""
    return _rewrite(_with_shared_strings(shared_strings_xml(first)))


def _repeat(head: bytes, unit: bytes, count: int, tail: bytes):
    yield head
    per_chunk = max(CHUNK // len(unit), 1)
    while count > 0:
        n = min(per_chunk, count)
        yield unit * n
        count -= n
    yield tail


def huge_shared_string(size: int = 200 * 1024 * 1024) -> bytes:
    """The workbook whose first shared string (the header "Họ và tên") is `size` letters:
    about 200 kB on disk for 200 MB in memory."""
    head, tail = shared_strings_xml("\x00").split(b"\x00")
    return _rewrite(_with_shared_strings(_repeat(head, b"A", size, tail)))


def wide_row(cells: int = 2_000_000) -> bytes:
    """The workbook whose first sheet is one row of `cells` cells."""
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
    ).encode()
    tail = b"</row></sheetData></worksheet>"
    return _rewrite({FIRST_SHEET: _repeat(head, b"<c><v>1</v></c>", cells, tail)})


def sheet_xml(rows: list[str]) -> bytes:
    """A sheet part with the given <row> elements."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        + "".join(rows)
        + "</sheetData></worksheet>"
    ).encode()


def with_sheet(rows: list[str]) -> bytes:
    return _rewrite({FIRST_SHEET: sheet_xml(rows)})


def with_part(name: str, content: bytes) -> bytes:
    return _rewrite({name: content})


def lying_about_size(content: bytes, part: str, declared: int) -> bytes:
    """`content` with `part`'s uncompressed size written as `declared` in both zip headers
    (the local header and the central directory), its data unchanged."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(part)
    if info.file_size >= 0xFFFFFFFF or info.compress_size >= 0xFFFFFFFF:
        raise ValueError("zip64 parts are not patched")
    size = declared.to_bytes(4, "little")
    # Local file header: signature PK\x03\x04, uncompressed size at offset 22.
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    data[local + 22 : local + 26] = size
    # Central directory entry: signature PK\x01\x02, uncompressed size at offset 24.
    name = part.encode()
    start = 0
    while True:
        central = data.index(b"PK\x01\x02", start)
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_length] == name:
            data[central + 24 : central + 28] = size
            return bytes(data)
        start = central + 4
