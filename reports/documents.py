"""The official documents as PDF: the counting minutes (biên bản kiểm phiếu), the result report
(báo cáo kết quả lấy phiếu tín nhiệm), the ballot paper (phiếu tín nhiệm) and, for elected
bodies, the resolution confirming the result (nghị quyết xác nhận kết quả lấy phiếu tín nhiệm).

Each document's context is built here from the Tally and the session; numbers are written
the Vietnamese way (vn_percent, vn_decimal) only here, at the edge. The text of the documents
is Vietnamese as the offices write it and does not go through gettext; the rule wording (bands,
the percentage base, the thresholds) comes from the session's rule profile.
"""

import re
from dataclasses import dataclass
from typing import Literal

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ballots.models import InvalidReason
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
from confidence_vote.lib.numbers import percentage, vn_percent
from confidence_vote.lib.pdf import (
    FONT_FAMILY,
    PdfSource,
    balanced_lines,
    layout_document,
    render_pdf,
    render_pdfs,
    text_width_mm,
    write_pdf,
)
from confidence_vote.rules import RuleProfile
from reports.models import ResultDetails
from reports.selectors import Tally, invalid_ballots_by_reason, result_code, tally_for_session
from reports.verification import verification_url
from sessions import lifecycle
from sessions.errors import DomainError
from sessions.models import (
    Attendance,
    AuditEntry,
    CommitteeRole,
    DocumentStyle,
    Organization,
    VoteSession,
)
from sessions.selectors import attendance_summary

Kind = Literal["minutes", "report", "ballots", "resolution"]
KINDS: tuple[Kind, ...] = ("minutes", "report", "ballots", "resolution")
MAX_SPARES = 1000

# The document's name in its title and in the downloaded file's name; its letters in the number.
TITLES = {
    "minutes": "Biên bản kiểm phiếu",
    "report": "Báo cáo kết quả lấy phiếu tín nhiệm",
    "ballots": "Phiếu tín nhiệm",
    "resolution": "Nghị quyết xác nhận kết quả lấy phiếu tín nhiệm",
}
NUMBER_LETTERS = {"minutes": "BB", "report": "BC", "resolution": "NQ"}
# An unnumbered document leaves room for the number, as offices print drafts.
NO_NUMBER = "\u00a0" * 6
# Why ballots were invalid as a whole, as the minutes word it.
INVALID_REASON_WORDS: dict[str, str] = {
    InvalidReason.NOT_ISSUED: "phiếu không do {body} phát ra",
    InvalidReason.NAME_CROSSED_OUT: "phiếu gạch tên người được lấy phiếu",
    InvalidReason.NAME_ADDED: "phiếu ghi thêm tên ngoài danh sách",
    InvalidReason.OTHER: "lý do khác",
}
# The header's columns (mm of the 165 mm text width) and type sizes, by document style:
# Nghị định 30/2020/NĐ-CP, Phụ lục I (State) and Hướng dẫn 36-HD/VPTW (Party).
HEADER_WIDTH_MM = {"state": 64.0, "party": 80.0}
ISSUER_RULE_SHARE = 0.4
HEADER_SIZES = {
    "state": {"parent": 13.0, "issuer": 13.0},
    "party": {"parent": 14.0, "issuer": 14.0},
}


class ResolutionNotApplicable(DomainError):
    """The confirming resolution was asked for a body that passes none."""


@dataclass(frozen=True)
class Row:
    """One official's line of the table, written for print."""

    order: int
    name: str
    position: str
    valid: int
    invalid: int
    high: int
    medium: int
    low: int
    high_pct: str
    medium_pct: str
    low_pct: str
    note: str


@dataclass(frozen=True)
class Block:
    """The officials of one block ("KHỐI HĐND"), or of the whole list when there are none."""

    name: str
    rows: list[Row]


def document_filename(*, session: VoteSession, kind: Kind) -> str:
    """ "Biên bản kiểm phiếu - <title>.pdf", with the diacritics kept."""
    title = session.title.replace("/", "-").replace("\\", "-")
    return f"{TITLES[kind]} - {title}.pdf"


def document_number(*, organization: Organization, kind: Kind, number: str = "") -> str:
    """Party: "Số 01-BB/BCSĐ" (no colon); State: "Số: 01/BB-VKSND". No number yet: a blank
    space where it will be written."""
    letters = NUMBER_LETTERS[kind]
    number = number or NO_NUMBER
    if organization.style == DocumentStyle.STATE:
        return f"Số: {number}/{letters}-{organization.code}"
    return f"Số {number}-{letters}/{organization.code}"


def verification_payload(code: str) -> str:
    """What the QR code on the minutes and report holds: the public verification page's URL
    with the result's code (the fingerprint once certified; a draft code before, which the
    page does not know)."""
    return verification_url(code)


def qr_data_uri(payload: str) -> str:
    return segno.make(payload, error="m").svg_data_uri(scale=4, border=0)


def summary_sentence(tally: Tally, *, profile: RuleProfile) -> str:
    """The report's summary, written from the numbers, e.g. "5/5 đồng chí đạt 28/28 phiếu tín
    nhiệm cao (100,00%); không có đồng chí nào có trên 1/2 phiếu tín nhiệm thấp"."""
    rows = tally.officials
    total = len(rows)
    who = "đồng chí" if profile.body == "party" else "người"
    if total == 0:
        return f"Danh sách lấy phiếu tín nhiệm không có {who} nào"
    base = tally.base
    if base <= 0:
        return "Chưa có phiếu nào được kiểm"
    half = profile.over_half_words
    highs = {row.high for row in rows}
    if len(highs) == 1:
        row = rows[0]
        high = f"{total}/{total} {who} đạt {row.high}/{base} phiếu tín nhiệm cao " + (
            f"({vn_percent(row.high_pct)})"
        )
    else:
        majority = sum(1 for row in rows if profile.over_half(row.high, base=base))
        low_row = min(rows, key=lambda r: r.high)
        high_row = max(rows, key=lambda r: r.high)
        high = (
            f"{majority}/{total} {who} đạt {half} phiếu tín nhiệm cao; số phiếu tín nhiệm "
            f"cao từ {low_row.high}/{base} ({vn_percent(low_row.high_pct)}) đến "
            f"{high_row.high}/{base} ({vn_percent(high_row.high_pct)})"
        )
    banded = [
        (band, [row.name for row in rows if row.band == band])
        for band in ("over_half", "two_thirds")
    ]
    banded = [(band, names) for band, names in banded if names]
    if not banded:
        low = f"không có {who} nào có {half} phiếu tín nhiệm thấp"
    else:
        prefix = "đồng chí " if profile.body == "party" else ""
        low = "; ".join(
            f"{len(names)}/{total} {who} có {profile.band_words(band)} ({prefix}{', '.join(names)})"
            for band, names in banded
        )
    return f"{high}; {low}"


def _rows(tally: Tally, *, profile: RuleProfile) -> list[Row]:
    rows = []
    for row in tally.officials:
        # Valid and invalid ballots have their own columns; the note says the band.
        notes = [profile.band_note(row.band)]
        rows.append(
            Row(
                order=row.order,
                name=row.name,
                position=row.position,
                valid=row.valid,
                invalid=row.invalid,
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


def group_blocks(items: list, block_of) -> list[Block]:
    """Items in ballot order, grouped by their block in the order blocks first appear; one
    unnamed group when no item has a block."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(block_of(item) or "", []).append(item)
    return [Block(name=name, rows=rows) for name, rows in groups.items()]


def _header(*, session: VoteSession, kind: Kind, number: str) -> dict:
    organization = session.organization
    style = "state" if organization.style == DocumentStyle.STATE else "party"
    width, sizes = HEADER_WIDTH_MM[style], HEADER_SIZES[style]
    local = timezone.localtime(session.starts_at)
    issuer_lines = balanced_lines(
        organization.issuing_body.upper(), width_mm=width, size_pt=sizes["issuer"], bold=True
    )
    longest = max(
        (text_width_mm(line, size_pt=sizes["issuer"], bold=True) for line in issuer_lines),
        default=0.0,
    )
    return {
        "style": organization.style,
        "is_state": style == "state",
        "parent_lines": balanced_lines(
            organization.parent_body.upper(), width_mm=width, size_pt=sizes["parent"]
        ),
        "issuer_lines": issuer_lines,
        # Nghị định 30: the rule under the issuing body is 1/3 to 1/2 of its line.
        "issuer_rule_mm": f"{longest * ISSUER_RULE_SHARE:.1f}",
        "number": document_number(organization=organization, kind=kind, number=number)
        if kind in NUMBER_LETTERS
        else "",
        "place_date": vn_place_date(organization.place, local.date()),
    }


def _count_ended(session: VoteSession, tally: Tally, details: ResultDetails | None) -> str:
    """When the count ended: the time entered on the sign-off page; else, once closed, when
    the software closed it if that was the meeting's day or the night after (a count past
    midnight); else "" (the minutes leave room to write it). "10 giờ 15 cùng ngày", or with
    its date when that is not the meeting's day."""
    ended = details.count_ended_at if details else None
    meeting_day = timezone.localtime(session.starts_at).date()
    if ended is None and tally.count_closed:
        closed_at = (
            AuditEntry.objects.filter(session=session, action="count.close")
            .order_by("-created_at", "-pk")
            .values_list("created_at", flat=True)
            .first()
        )
        if (
            closed_at is not None
            and 0 <= (timezone.localtime(closed_at).date() - meeting_day).days <= 1
        ):
            ended = closed_at
    return _time_on(ended, meeting_day)


def _time_on(moment, meeting_day) -> str:
    if moment is None:
        return ""
    moment = timezone.localtime(moment)
    if moment.date() == meeting_day:
        return f"{vn_time(moment)} cùng ngày"
    return f"{vn_time(moment)}, {vn_date(moment.date())}"


def _lines(text: str) -> list[str]:
    return [line.strip().rstrip(";.") for line in (text or "").splitlines() if line.strip()]


def _signature(session: VoteSession) -> dict:
    """The report's and resolution's signature block, as set for the signer: "T/M BAN CÁN SỰ
    ĐẢNG" over "BÍ THƯ"; "TM. HỘI ĐỒNG NHÂN DÂN", "KT. CHỦ TỊCH" over "PHÓ CHỦ TỊCH"."""
    words = session.profile.words
    on_behalf = session.signer_on_behalf or (
        f"{words.on_behalf} {session.organization.issuing_body.upper()}"
    )
    lines = [on_behalf]
    if session.signer_deputy_of:
        lines.append(f"{words.deputy} {session.signer_deputy_of.upper()}")
    lines.append((session.signer_title or words.signer_title).upper())
    return {"lines": lines, "name": session.chair_name}


def _absentees(session: VoteSession) -> list[str]:
    return [
        f"{name} ({reason})" if reason else name
        for name, reason in session.delegates.filter(attendance=Attendance.ABSENT)
        .order_by("order")
        .values_list("full_name", "absence_reason")
    ]


def _invalid_reasons(session: VoteSession, words) -> list[str]:
    body = words.counting_body
    return [
        f"{count} {INVALID_REASON_WORDS[reason].format(body=body)}"
        for reason, count in invalid_ballots_by_reason(session=session)
    ]


def results_context(
    *,
    session: VoteSession,
    kind: Kind,
    number: str | None = None,
    official: bool | None = None,
    tally: Tally | None = None,
) -> dict:
    """The context of the minutes, the report or the resolution. "DỰ THẢO" until the result
    is certified; "KẾT QUẢ CHÍNH THỨC" once it is. Certification renders before the status
    changes, so it passes `official=True`; None means "as the session's status says".
    `number` overrides the number entered on the sign-off page. `tally`: the session's tally
    when the caller has just counted it (certification), else counted here."""
    if tally is None:
        tally = tally_for_session(session=session)
    profile = session.profile
    words = session.words
    details = ResultDetails.objects.filter(session=session).first()
    if number is None:
        number = getattr(details, f"{kind}_number", "") if details else ""
    local = timezone.localtime(session.starts_at)
    committee = list(session.committee_members.order_by("pk").values("full_name", "role"))
    chair = [m["full_name"] for m in committee if m["role"] == CommitteeRole.CHAIR]
    members = [m["full_name"] for m in committee if m["role"] != CommitteeRole.CHAIR]
    rows = _rows(tally, profile=profile)
    blocks_of = {row.order: row.block for row in tally.officials}
    if official is None:
        official = lifecycle.result_final(session)
    code_label, code = result_code(session=session, tally=tally, official=official)
    issuing_body = session.organization.issuing_body
    return {
        "kind": kind,
        "title": TITLES[kind].upper(),
        "session": session,
        "header": _header(session=session, kind=kind, number=number),
        "legal_bases": legal_bases(profile.legal_basis, session.legal_basis, profile=profile),
        "title_in_sentence": in_sentence(session.title),
        "meeting": session.meeting_body or issuing_body,
        "issuing_body": issuing_body,
        "party": profile.body == "party",
        "elected": profile.body == "elected",
        "address": "đồng chí " if profile.body == "party" else "",
        "words": words,
        "time": vn_time(local),
        "date": vn_date(local.date()),
        "tally": tally,
        "absentees": _absentees(session),
        "invalid_reasons": _invalid_reasons(session, words),
        "committee_chair": chair[0] if chair else "",
        "committee_members": members,
        "committee_member_rows": [members[i : i + 3] for i in range(0, len(members), 3)],
        "resolution_bases": [
            f"Căn cứ {basis}" for basis in (*profile.resolution_bases, profile.legal_basis)
        ],
        "supervisors": _lines(session.supervisors),
        "report_to": _lines(session.report_to)
        or ([session.organization.parent_body] if session.organization.parent_body else []),
        "witnesses": _lines(details.witnesses) if details else [],
        "complaints": _lines(details.complaints) if details else [],
        "rows": rows,
        "blocks": group_blocks(rows, lambda row: blocks_of.get(row.order, "")),
        "has_blocks": any(blocks_of.values()),
        "percentage_base": profile.base_sentence(tally.percentage_base),
        "summary": summary_sentence(tally, profile=profile),
        "count_ended": _count_ended(session, tally, details),
        "announced": _time_on(details.announced_at if details else None, local.date()),
        "resolution": _resolution(session, tally, details) if profile.body == "elected" else None,
        "signature": _signature(session),
        "draft": not official,
        "official": official,
        "fingerprint": code,
        "fingerprint_label": code_label,
        "qr": qr_data_uri(verification_payload(code)),
    }


def _resolution(session: VoteSession, tally: Tally, details: ResultDetails | None) -> dict:
    """The confirming resolution's own facts: its number, the approval vote over all deputies
    and the day it passed (the meeting's day until entered)."""
    passed_on = (details.resolution_passed_on if details else None) or timezone.localtime(
        session.starts_at
    ).date()
    votes_for = details.resolution_votes_for if details else None
    body = session.meeting_body or session.organization.issuing_body
    head, _sep, tail = body.partition(" khóa ")
    minutes_day = timezone.localtime(
        details.count_ended_at if details and details.count_ended_at else session.starts_at
    ).date()
    return {
        "number": details.resolution_number if details else "",
        "passed_on": vn_date(passed_on),
        "place_date": vn_place_date(session.organization.place, passed_on),
        "votes_for": votes_for,
        "deputies": tally.convened,
        "votes_pct": vn_percent(percentage(votes_for, tally.convened))
        if votes_for is not None
        else "",
        "body_lines": [head.upper(), f"KHÓA {tail}".upper()] if tail else [body.upper()],
        "body": body,
        "minutes_date": vn_date(minutes_day),
    }


def ballots_context(*, session: VoteSession) -> dict:
    """The context of the blank ballot paper: the officials in ballot order, in their blocks,
    nothing else."""
    local = timezone.localtime(session.starts_at)
    officials = list(
        session.officials.order_by("order").values("order", "full_name", "position", "block")
    )
    return {
        "kind": "ballots",
        "session": session,
        "header": _header(session=session, kind="ballots", number=""),
        "date": vn_date(local.date()),
        "officials": officials,
        "blocks": group_blocks(officials, lambda official: official["block"]),
        "has_blocks": any(official["block"] for official in officials),
    }


def ballot_copies(*, session: VoteSession, spares: int = 0) -> int:
    """As many ballot papers as delegates present plus spares; at least one."""
    if not 0 <= spares <= MAX_SPARES:
        raise ValueError(f"spares must be between 0 and {MAX_SPARES}")
    return max(attendance_summary(session=session).present + spares, 1)


def require_kind_applies(*, session: VoteSession, kind: str) -> None:
    """The confirming resolution exists for elected bodies only: DomainError otherwise."""
    if kind == "resolution" and session.profile.body != "elected":
        raise ResolutionNotApplicable(
            _(
                "A resolution confirming the result is passed by elected bodies (the National "
                "Assembly, People's Councils) only; this session follows %(profile)s."
            )
            % {"profile": session.profile.name}
        )


def render_document(
    *,
    session: VoteSession,
    kind: Kind,
    spares: int = 0,
    number: str | None = None,
    official: bool | None = None,
    machine_readable: bool = False,
) -> bytes:
    """The PDF of one document. Reads, then renders: call it outside any transaction.
    `official=True` marks the documents "KẾT QUẢ CHÍNH THỨC" (see results_context).
    `machine_readable=True` prints the ballot paper a scanner can read (see render_ballot_paper).
    DomainError for a resolution of a body that passes none."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind: {kind}")
    require_kind_applies(session=session, kind=kind)
    if kind == "ballots" and machine_readable:
        copies = ballot_copies(session=session, spares=spares)
        return render_ballot_paper(session=session, copies=copies)[0]
    source = document_source(
        session=session, kind=kind, spares=spares, number=number, official=official
    )
    return render_pdf(source.html, stylesheet=source.stylesheet, copies=source.copies)


def document_source(
    *,
    session: VoteSession,
    kind: Kind,
    spares: int = 0,
    number: str | None = None,
    official: bool | None = None,
    tally: Tally | None = None,
) -> PdfSource:
    """The HTML and CSS of one document (not the machine-readable ballot paper), read from
    the database and ready to lay out anywhere."""
    if kind == "ballots":
        context = ballots_context(session=session)
        copies = ballot_copies(session=session, spares=spares)
    else:
        context = results_context(
            session=session, kind=kind, number=number, official=official, tally=tally
        )
        copies = 1
    context["font_family"] = FONT_FAMILY
    html = render_to_string(f"reports/documents/{kind}.html", context)
    css = render_to_string("reports/documents/documents.css", context)
    return PdfSource(html=html, stylesheet=css, copies=copies)


def render_results_documents(
    *, session: VoteSession, kinds: tuple[Kind, ...], official: bool, tally: Tally
) -> dict[Kind, bytes]:
    """The PDFs of several result documents (the minutes, the report, the resolution) of
    one tally, each exactly as render_document makes it. Their HTML is written here, one
    after the other (reads); then they are laid out at the same time, in worker processes
    when configured (confidence_vote.lib.pdf.render_pdfs). Call it outside any transaction."""
    for kind in kinds:
        if kind not in ("minutes", "report", "resolution"):
            raise ValueError(f"not a result document: {kind}")
        require_kind_applies(session=session, kind=kind)
    sources = [
        document_source(session=session, kind=kind, official=official, tally=tally)
        for kind in kinds
    ]
    return dict(zip(kinds, render_pdfs(sources), strict=True))


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


def _without_act(text: str, profile: RuleProfile) -> str:
    """A session's "Thực hiện …" line without its citation of the profile's act (which the
    profile's "Căn cứ" line prints in full): "Thực hiện Quy định số 96-QĐ/TW ngày … của Bộ
    Chính trị và Kế hoạch số 72-KH/BCSĐ …" -> "Thực hiện Kế hoạch số 72-KH/BCSĐ …"."""
    if not profile.act_number or profile.act_number not in text:
        return text
    full = re.escape(profile.legal_basis)
    short = (
        r"(?:Quy định|Nghị quyết|Luật|Nghị định)\s+(?:số\s+)?"
        + re.escape(profile.act_number)
        + r"(?:(?!,|;| và ).)*"
    )
    stripped = re.sub(full, "", text)
    stripped = re.sub(short, "", stripped)
    stripped = re.sub(r"\s+", " ", stripped).strip()
    # The joints the citation leaves: "Thực hiện  và Kế hoạch" -> "Thực hiện Kế hoạch".
    stripped = re.sub(r"^((?:Căn cứ|Thực hiện)\s*)(?:,|và)\s*", r"\1", stripped, flags=re.I)
    stripped = re.sub(r"\s*(?:,|và)\s*$", "", stripped)
    stripped = re.sub(r"\s+(?:,\s*)?và\s+(?=,|$)", "", stripped)
    return stripped.strip()


def legal_bases(*texts: str, profile: RuleProfile | None = None) -> list[str]:
    """The "Căn cứ …;" lines: each basis once, with "Căn cứ" added unless the secretariat
    already wrote an opening ("Căn cứ …", "Thực hiện …"). With the session's profile, a
    later line that cites the profile's act again drops that citation (the act is printed
    once, with its full title); a line left with nothing but its opening is dropped."""
    lines = []
    for index, text in enumerate(texts):
        text = (text or "").strip().rstrip(";.")
        if profile is not None and index > 0:
            text = _without_act(text, profile)
        if not text or text.lower() in ("căn cứ", "thực hiện"):
            continue
        if not text.lower().startswith(("căn cứ", "thực hiện")):
            text = f"Căn cứ {text}"
        if text not in lines:
            lines.append(text)
    return lines


def in_sentence(title: str) -> str:
    """A title inside a sentence: only its first letter lowered, proper names kept
    ("Hội nghị … VKSND tỉnh Quảng Ninh" -> "hội nghị … VKSND tỉnh Quảng Ninh")."""
    return title[:1].lower() + title[1:]
