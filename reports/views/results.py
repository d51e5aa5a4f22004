"""The results page and its downloads (.csv, .xlsx): the counting committee and leadership,
the secretariat once the result is certified."""

import re
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from confidence_vote.lib.numbers import vn_percent
from confidence_vote.rules import RuleProfile
from reports.exports import csv_bytes, results_filename, xlsx_bytes
from reports.selectors import ChainCheck, OfficialResult, Tally, result_code, tally_for_session
from sessions.access import get_session_for

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFICIAL_CHECK = re.compile(r"official_(?P<order>\d+)_(?P<kind>collected|valid)")


def band_label(band: str, profile: RuleProfile) -> str:
    """The low-confidence band in words, as the rule profile words it."""
    return profile.band_label(band)


def check_label(check: ChainCheck) -> str:
    """A chain check's rule in words."""
    labels = {
        "convened_present": _("Convened ≥ present"),
        "present_issued": _("Present ≥ ballots issued"),
        "issued_collected": _("Ballots issued ≥ ballots collected"),
        "collected_counted": _("Ballots entered = ballots collected (counted by the chair)"),
    }
    if check.code in labels:
        return labels[check.code]
    match = OFFICIAL_CHECK.fullmatch(check.code)
    if match is None:
        return check.code
    order = int(match["order"])
    if match["kind"] == "collected":
        return _("No. %(order)d: ballots collected = valid + invalid") % {"order": order}
    return _("No. %(order)d: high + medium + low = valid") % {"order": order}


def _level(key: str, count: int, pct, base: int, label: str) -> dict:
    return {
        "key": key,
        "label": label,
        "count": count,
        "of_base": f"{count}/{base}",
        "percent": vn_percent(pct),
        # CSS wants a dot whatever the language: str() of the Decimal, never localized.
        "width": str(pct),
    }


def _official_row(row: OfficialResult, tally: Tally, profile: RuleProfile) -> dict:
    levels = [
        _level("high", row.high, row.high_pct, tally.base, _("High confidence")),
        _level("medium", row.medium, row.medium_pct, tally.base, _("Confidence")),
        _level("low", row.low, row.low_pct, tally.base, _("Low confidence")),
    ]
    # Each level's bar starts where the one before it ends.
    offset = Decimal(0)
    for level, pct in zip(levels, (row.high_pct, row.medium_pct, row.low_pct), strict=True):
        level["offset"] = str(offset)
        offset += pct
    return {
        "order": row.order,
        "name": row.name,
        "position": row.position,
        "block": row.block,
        "valid": row.valid,
        "invalid": row.invalid,
        "valid_of_collected": f"{row.valid}/{tally.collected}",
        "levels": levels,
        "chart_text": "; ".join(f"{level['label']}: {level['percent']}" for level in levels),
        "band": row.band,
        "band_label": band_label(row.band, profile),
    }


def _by_block(officials: list[OfficialResult]) -> list[OfficialResult]:
    """Ballot order within each block, the blocks in the order they first appear (as the
    documents group them)."""
    first: dict[str, int] = {}
    for row in officials:
        first.setdefault(row.block, len(first))
    return sorted(officials, key=lambda row: first[row.block])


@login_required
@require_safe
def results(request, pk):
    session = get_session_for(request, pk, need="view_results")
    tally = tally_for_session(session=session, running_totals=True)
    profile = session.profile
    checks = [
        {"label": check_label(check), "passed": check.passed, "detail": check.detail}
        for check in tally.checks
    ]
    context = {
        "session": session,
        "tally": tally,
        "profile": profile,
        "rows": [_official_row(row, tally, profile) for row in _by_block(tally.officials)],
        "checks": checks,
        # Failures are shown in full; the checks that passed fold into one line.
        "failed_checks": [check for check in checks if not check["passed"]],
        "passed_checks": [check for check in checks if check["passed"]],
        "percentage_base_label": profile.base_label(session.percentage_base),
        "over_half_label": band_label("over_half", profile),
        "two_thirds_label": band_label("two_thirds", profile),
    }
    return render(request, "reports/results.html", context)


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


@login_required
@require_safe
def results_csv(request, pk):
    session = get_session_for(request, pk, need="view_results")
    tally = tally_for_session(session=session)
    return _download(
        csv_bytes(tally),
        content_type="text/csv; charset=utf-8",
        filename=results_filename(tally, "csv"),
    )


@login_required
@require_safe
def results_xlsx(request, pk):
    session = get_session_for(request, pk, need="view_results")
    tally = tally_for_session(session=session)
    return _download(
        xlsx_bytes(tally, code=result_code(session=session, tally=tally)),
        content_type=XLSX_TYPE,
        filename=results_filename(tally, "xlsx"),
    )


# Mounted under /sessions/: every path starts with the session's id.
urlpatterns = [
    path("<int:pk>/results/", results, name="results"),
    path("<int:pk>/results.csv", results_csv, name="results_csv"),
    path("<int:pk>/results.xlsx", results_xlsx, name="results_xlsx"),
]
