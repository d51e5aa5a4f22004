"""The official documents as PDF: the counting minutes (biên bản kiểm phiếu), the result report
(báo cáo kết quả lấy phiếu tín nhiệm) and the ballot paper (phiếu tín nhiệm).

Each document's context is built here from the Tally and the session; numbers are written
the Vietnamese way (vn_percent, vn_decimal) only here, at the edge. The text of the documents
is Vietnamese as the offices write it and does not go through gettext.
"""

from dataclasses import dataclass
from typing import Literal

import segno
from django.template.loader import render_to_string
from django.utils import timezone

from ballots.scanning.layout import (
    LEVELS,
    BallotLayout,
    PageLayout,
    Rect,
    RowPlace,
    layout_fingerprint,
    payload_text,
)
from confidence_vote.lib.dates import vn_date, vn_place_date, vn_time
from confidence_vote.lib.numbers import vn_percent
from confidence_vote.lib.pdf import FONT_FAMILY, layout_document, render_pdf, write_pdf
from reports.selectors import Tally, tally_for_session
from reports.verification import verification_url
from sessions.models import (
    AuditEntry,
    CommitteeRole,
    DocumentStyle,
    Organization,
    SessionStatus,
    VoteSession,
)
from sessions.selectors import attendance_summary

Kind = Literal["minutes", "report", "ballots"]
KINDS: tuple[str, ...] = ("minutes", "report", "ballots")
MAX_SPARES = 1000

# The document's name in its title and in the downloaded file's name; its letters in the number.
TITLES = {
    "minutes": "Biên bản kiểm phiếu",
    "report": "Báo cáo kết quả lấy phiếu tín nhiệm",
    "ballots": "Phiếu tín nhiệm",
}
NUMBER_LETTERS = {"minutes": "BB", "report": "BC"}
PERCENTAGE_BASES = {
    "collected": "tỷ lệ % tính trên tổng số phiếu thu về",
    "convened": "tỷ lệ % tính trên tổng số đại biểu được triệu tập",
}


@dataclass(frozen=True)
class Row:
    """One official's line of the table, written for print."""

    order: int
    name: str
    position: str
    high: int
    medium: int
    low: int
    high_pct: str
    medium_pct: str
    low_pct: str
    note: str


def document_filename(*, session: VoteSession, kind: Kind) -> str:
    """ "Biên bản kiểm phiếu - <title>.pdf", with the diacritics kept."""
    title = session.title.replace("/", "-").replace("\\", "-")
    return f"{TITLES[kind]} - {title}.pdf"


def document_number(*, organization: Organization, kind: Kind, number: str = "01") -> str:
    """Party: "Số 01-BB/BCSĐ" (no colon); State: "Số: 01/BB-VKSND"."""
    letters = NUMBER_LETTERS[kind]
    if organization.style == DocumentStyle.STATE:
        return f"Số: {number}/{letters}-{organization.code}"
    return f"Số {number}-{letters}/{organization.code}"


def verification_payload(tally: Tally) -> str:
    """What the QR code on the minutes and report holds: the public verification page's URL
    with the fingerprint of the result data."""
    return verification_url(tally)


def qr_data_uri(payload: str) -> str:
    return segno.make(payload, error="m").svg_data_uri(scale=4, border=0)


def band_phrase(band: str, *, two_thirds_inclusive: bool) -> str:
    """The band in words ("trên 1/2 đến dưới 2/3 phiếu tín nhiệm thấp"); "" for none."""
    if band == "over_half":
        upper = "dưới 2/3" if two_thirds_inclusive else "2/3"
        return f"trên 1/2 đến {upper} phiếu tín nhiệm thấp"
    if band == "two_thirds":
        if two_thirds_inclusive:
            return "từ 2/3 phiếu tín nhiệm thấp trở lên"
        return "trên 2/3 phiếu tín nhiệm thấp"
    return ""


def summary_sentence(tally: Tally, *, two_thirds_inclusive: bool) -> str:
    """The report's summary, written from the numbers, e.g. "5/5 đồng chí đạt 28/28 phiếu tín
    nhiệm cao (100,00%); không có đồng chí nào có trên 1/2 phiếu tín nhiệm thấp"."""
    rows = tally.officials
    total = len(rows)
    if total == 0:
        return "Danh sách lấy phiếu tín nhiệm không có đồng chí nào"
    base = tally.base
    if base <= 0:
        return "Chưa có phiếu nào được kiểm"
    highs = {row.high for row in rows}
    if len(highs) == 1:
        row = rows[0]
        high = f"{total}/{total} đồng chí đạt {row.high}/{base} phiếu tín nhiệm cao " + (
            f"({vn_percent(row.high_pct)})"
        )
    else:
        majority = sum(1 for row in rows if 2 * row.high > base)
        low_row = min(rows, key=lambda r: r.high)
        high_row = max(rows, key=lambda r: r.high)
        high = (
            f"{majority}/{total} đồng chí đạt trên 1/2 phiếu tín nhiệm cao; số phiếu tín nhiệm "
            f"cao từ {low_row.high}/{base} ({vn_percent(low_row.high_pct)}) đến "
            f"{high_row.high}/{base} ({vn_percent(high_row.high_pct)})"
        )
    banded = [
        (band, [row.name for row in rows if row.band == band])
        for band in ("over_half", "two_thirds")
    ]
    banded = [(band, names) for band, names in banded if names]
    if not banded:
        low = "không có đồng chí nào có trên 1/2 phiếu tín nhiệm thấp"
    else:
        low = "; ".join(
            f"{len(names)}/{total} đồng chí có "
            f"{band_phrase(band, two_thirds_inclusive=two_thirds_inclusive)} "
            f"(đồng chí {', '.join(names)})"
            for band, names in banded
        )
    return f"{high}; {low}"


def _rows(tally: Tally, *, two_thirds_inclusive: bool) -> list[Row]:
    rows = []
    for row in tally.officials:
        phrase = band_phrase(row.band, two_thirds_inclusive=two_thirds_inclusive)
        notes = [phrase[:1].upper() + phrase[1:]]
        # Ballots invalid for this official's row only (a defect in the row).
        row_invalid = row.invalid - tally.ballots_invalid
        if row_invalid > 0:
            notes.append(f"{row_invalid} phiếu không hợp lệ ở dòng này")
        rows.append(
            Row(
                order=row.order,
                name=row.name,
                position=row.position,
                high=row.high,
                medium=row.medium,
                low=row.low,
                high_pct=vn_percent(row.high_pct),
                medium_pct=vn_percent(row.medium_pct),
                low_pct=vn_percent(row.low_pct),
                note="; ".join(note for note in notes if note),
            )
        )
    return rows


def _header(*, session: VoteSession, kind: Kind, number: str) -> dict:
    organization = session.organization
    local = timezone.localtime(session.starts_at)
    return {
        "style": organization.style,
        "is_state": organization.style == DocumentStyle.STATE,
        "parent_body": organization.parent_body.upper(),
        "issuing_body": organization.issuing_body.upper(),
        "number": document_number(organization=organization, kind=kind, number=number)
        if kind in NUMBER_LETTERS
        else "",
        "place_date": vn_place_date(organization.place, local.date()),
    }


def _count_ended(session: VoteSession, tally: Tally) -> str:
    """When the count ended, from the latest "count.close" entry once closed, else "":
    "10 giờ 15 cùng ngày", or with its date when that is not the meeting's day."""
    if not tally.count_closed:
        return ""
    closed_at = (
        AuditEntry.objects.filter(session=session, action="count.close")
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    if closed_at is None:
        return ""
    closed_at = timezone.localtime(closed_at)
    if closed_at.date() == timezone.localtime(session.starts_at).date():
        return f"{vn_time(closed_at)} cùng ngày"
    return f"{vn_time(closed_at)}, {vn_date(closed_at.date())}"


def results_context(
    *, session: VoteSession, kind: Kind, number: str = "01", official: bool | None = None
) -> dict:
    """The context of the minutes or the report. "DỰ THẢO" until the result is certified;
    "KẾT QUẢ CHÍNH THỨC" once it is. Certification renders before the status changes, so it
    passes `official=True`; None means "as the session's status says"."""
    tally = tally_for_session(session=session)
    profile = session.profile
    inclusive = profile.two_thirds_inclusive
    local = timezone.localtime(session.starts_at)
    committee = list(session.committee_members.order_by("pk").values("full_name", "role"))
    chair = [m["full_name"] for m in committee if m["role"] == CommitteeRole.CHAIR]
    members = [m["full_name"] for m in committee if m["role"] != CommitteeRole.CHAIR]
    fingerprint = tally.fingerprint()
    if official is None:
        official = session.status == SessionStatus.CERTIFIED
    return {
        "kind": kind,
        "title": TITLES[kind].upper(),
        "session": session,
        "header": _header(session=session, kind=kind, number=number),
        "legal_bases": legal_bases(profile.legal_basis, session.legal_basis),
        "title_in_sentence": in_sentence(session.title),
        "time": vn_time(local),
        "date": vn_date(local.date()),
        "tally": tally,
        "committee_chair": chair[0] if chair else "",
        "committee_members": members,
        "rows": _rows(tally, two_thirds_inclusive=inclusive),
        "percentage_base": PERCENTAGE_BASES[tally.percentage_base],
        "summary": summary_sentence(tally, two_thirds_inclusive=inclusive),
        "count_ended": _count_ended(session, tally),
        "draft": not official,
        "official": official,
        "fingerprint": fingerprint,
        "qr": qr_data_uri(verification_payload(tally)),
    }


def ballots_context(*, session: VoteSession) -> dict:
    """The context of the blank ballot paper: the officials in ballot order, nothing else."""
    local = timezone.localtime(session.starts_at)
    return {
        "kind": "ballots",
        "session": session,
        "header": _header(session=session, kind="ballots", number=""),
        "date": vn_date(local.date()),
        "officials": list(
            session.officials.order_by("order").values("order", "full_name", "position")
        ),
    }


def ballot_copies(*, session: VoteSession, spares: int = 0) -> int:
    """As many ballot papers as delegates present plus spares; at least one."""
    if not 0 <= spares <= MAX_SPARES:
        raise ValueError(f"spares must be between 0 and {MAX_SPARES}")
    return max(attendance_summary(session=session).present + spares, 1)


def render_document(
    *,
    session: VoteSession,
    kind: Kind,
    spares: int = 0,
    number: str = "01",
    official: bool | None = None,
    machine_readable: bool = False,
) -> bytes:
    """The PDF of one document. Reads, then renders: call it outside any transaction.
    `official=True` marks the minutes and report "KẾT QUẢ CHÍNH THỨC" (see results_context).
    `machine_readable=True` prints the ballot paper a scanner can read (see render_ballot_paper)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind: {kind}")
    if kind == "ballots" and machine_readable:
        copies = ballot_copies(session=session, spares=spares)
        return render_ballot_paper(session=session, copies=copies)[0]
    if kind == "ballots":
        context = ballots_context(session=session)
        copies = ballot_copies(session=session, spares=spares)
    else:
        context = results_context(session=session, kind=kind, number=number, official=official)
        copies = 1
    context["font_family"] = FONT_FAMILY
    html = render_to_string(f"reports/documents/{kind}.html", context)
    css = render_to_string("reports/documents/documents.css", context)
    return render_pdf(html, stylesheet=css, copies=copies)


# --- the machine-readable ballot paper -------------------------------------------------------

# Millimetres. The page area is A4 less the margins of documents.css (top 20, right 15, left 30)
# and SCAN_GEOMETRY["margin_bottom"]; the corner marks sit 8 mm from the paper's edges, inside
# what office printers can print; the QR code in the bottom margin, aligned with the text.
PX_TO_MM = 25.4 / 96
SCAN_GEOMETRY = {
    "margin_bottom": 32,
    "mark_size": 6,
    "mark_top": 12,  # 20 - 8
    "mark_left": 22,  # 30 - 8
    "mark_right": 7,  # 15 - 8, measured to the mark's right edge
    "mark_bottom": 24,  # 32 - 8, measured to the mark's bottom edge
    "qr_gap": 1,
}
QR_SIZE_MM = 20


def scan_qr_data_uri(payload: str) -> str:
    """The QR code as an SVG exactly QR_SIZE_MM wide, whatever its version: the layout must not
    depend on what the code says."""
    code = segno.make(payload, error="m", micro=False)
    modules = code.symbol_size(border=0)[0]
    return code.svg_data_uri(scale=QR_SIZE_MM / modules, unit="mm", border=0)


def _qr_css(uris: list[str], pages: int) -> str:
    """Each page's code and "Trang k/n", by @page :nth(k) rules."""
    return "\n".join(
        f'@page :nth({k}) {{ @bottom-left {{ content: url("{uri}"); }} '
        f'@bottom-right {{ content: "Trang {k}/{pages}"; }} }}'
        for k, uri in enumerate(uris, start=1)
    )


def _mm(x: float, y: float, width: float, height: float) -> Rect:
    """CSS pixels to millimetres, to 0.01 mm (what the layout file says, exactly)."""
    return Rect(*(round(v * PX_TO_MM, 2) for v in (x, y, width, height)))


def _rect_mm(box) -> Rect:
    return _mm(box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())


def _read_layout(document) -> list[dict]:
    """Where the marks, the code, the rows and the boxes landed on each page, from WeasyPrint's
    layout tree (the outermost box of each element marked data-scan)."""
    pages = []
    for page in document.pages:
        marks: dict[int, Rect] = {}
        rows: dict[int, Rect] = {}
        boxes: dict[int, dict[str, Rect]] = {}
        qr: Rect | None = None
        seen: set[int] = set()
        for box in page._page_box.descendants():
            margin = getattr(box, "at_keyword", None)
            if margin == "@bottom-left":
                for child in box.descendants():
                    if hasattr(child, "replacement"):
                        qr = _mm(
                            child.content_box_x(), child.content_box_y(), child.width, child.height
                        )
                continue
            element = getattr(box, "element", None)
            if element is None or id(element) in seen or element.get("data-scan") is None:
                continue
            seen.add(id(element))
            kind = element.get("data-scan")
            if kind == "mark":
                marks[int(element.get("data-corner"))] = _rect_mm(box)
            elif kind == "row":
                rows[int(element.get("data-order"))] = _rect_mm(box)
            elif kind == "box":
                order = int(element.get("data-order"))
                boxes.setdefault(order, {})[element.get("data-level")] = _rect_mm(box)
        pages.append({"marks": marks, "qr": qr, "rows": rows, "boxes": boxes})
    return pages


def _page_layouts(measured: list[dict]) -> list[PageLayout]:
    layouts = []
    for number, page in enumerate(measured, start=1):
        if sorted(page["marks"]) != [0, 1, 2, 3] or page["qr"] is None:
            raise RuntimeError(f"ballot paper page {number}: corner marks or code not laid out")
        rows = []
        for order, row in sorted(page["rows"].items()):
            boxes = page["boxes"].get(order, {})
            if sorted(boxes) != sorted(LEVELS):
                raise RuntimeError(f"ballot paper row {order} is split across pages")
            label = Rect(row.x, row.y, round(boxes["H"].x - row.x, 2), row.height)
            rows.append(RowPlace(order=order, label=label, boxes=boxes))
        layouts.append(
            PageLayout(
                number=number,
                marks=tuple(page["marks"][i] for i in range(4)),
                qr=page["qr"],
                rows=tuple(rows),
            )
        )
    return layouts


def _scan_sources(session: VoteSession) -> tuple[str, str, list[tuple[int, str, str]]]:
    context = ballots_context(session=session)
    context["font_family"] = FONT_FAMILY
    context["scan"] = SCAN_GEOMETRY
    html = render_to_string("reports/documents/ballots_scan.html", context)
    css = render_to_string("reports/documents/documents.css", context)
    officials = [(o["order"], o["full_name"], o["position"]) for o in context["officials"]]
    return html, css, officials


def _measure(session: VoteSession, html: str, css: str, officials) -> tuple[object, BallotLayout]:
    # Every page gets a code of the real code's size; only its content differs later.
    placeholder = payload_text(session_id=session.pk, fingerprint="0" * 16, page=1, pages=1)
    same_for_all = (
        f'@page {{ @bottom-left {{ content: url("{scan_qr_data_uri(placeholder)}"); }} }}'
    )
    document = layout_document(html, stylesheet=css + same_for_all)
    pages = _page_layouts(_read_layout(document))
    fingerprint = layout_fingerprint(session_id=session.pk, officials=officials, pages=pages)
    layout = BallotLayout(
        session_id=session.pk,
        fingerprint=fingerprint,
        width=210.0,
        height=297.0,
        pages=tuple(pages),
    )
    return document, layout


def ballot_layout(*, session: VoteSession) -> tuple[BallotLayout, bytes]:
    """The layout of the session's machine-readable ballot paper and one copy of it as PDF
    (what a scan is compared with to find writing outside the boxes). Renders: call it
    outside any transaction."""
    pdf, layout = render_ballot_paper(session=session)
    return layout, pdf


def render_ballot_paper(*, session: VoteSession, copies: int = 1) -> tuple[bytes, BallotLayout]:
    """The machine-readable ballot paper: the Phụ lục 4 layout with corner marks and, on each
    page, a QR code holding the session, the layout's fingerprint and "page k of n". Every copy
    is identical (no serial). Laid out twice: once to measure, once with the real codes."""
    html, css, officials = _scan_sources(session)
    _document, layout = _measure(session, html, css, officials)
    n = layout.page_count
    uris = [
        scan_qr_data_uri(
            payload_text(session_id=session.pk, fingerprint=layout.fingerprint, page=k, pages=n)
        )
        for k in range(1, n + 1)
    ]
    document = layout_document(html, stylesheet=css + _qr_css(uris, n))
    if _page_layouts(_read_layout(document)) != list(layout.pages):
        raise RuntimeError("the ballot paper's layout changed when its codes were added")
    return write_pdf(document, copies=copies), layout


def legal_bases(*texts: str) -> list[str]:
    """The "Căn cứ …;" lines: each basis once, with "Căn cứ" added unless the secretariat
    already wrote an opening ("Căn cứ …", "Thực hiện …")."""
    lines = []
    for text in texts:
        text = (text or "").strip().rstrip(";.")
        if not text:
            continue
        if not text.lower().startswith(("căn cứ", "thực hiện")):
            text = f"Căn cứ {text}"
        lines.append(text)
    return lines


def in_sentence(title: str) -> str:
    """A title inside a sentence: only its first letter lowered, proper names kept
    ("Hội nghị … VKSND tỉnh Quảng Ninh" -> "hội nghị … VKSND tỉnh Quảng Ninh")."""
    return title[:1].lower() + title[1:]
