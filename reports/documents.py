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

from confidence_vote.lib.dates import vn_date, vn_place_date, vn_time
from confidence_vote.lib.numbers import vn_percent
from confidence_vote.lib.pdf import FONT_FAMILY, render_pdf
from reports.selectors import Tally, tally_for_session
from reports.verification import verification_url
from sessions import lifecycle
from sessions.models import (
    AuditEntry,
    CommitteeRole,
    DocumentStyle,
    Organization,
    VoteSession,
)
from sessions.selectors import attendance_summary

Kind = Literal["minutes", "report", "ballots"]
KINDS: tuple[Kind, ...] = ("minutes", "report", "ballots")
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
        official = lifecycle.result_final(session)
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
) -> bytes:
    """The PDF of one document. Reads, then renders: call it outside any transaction.
    `official=True` marks the minutes and report "KẾT QUẢ CHÍNH THỨC" (see results_context)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind: {kind}")
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
