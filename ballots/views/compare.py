"""The chair compares the two entry passes and resolves each difference from the paper ballot."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ballots import services
from ballots.forms.count import ResolveForm
from ballots.models import InvalidReason, MarkValue, ScannedBallot, ScanStatus
from ballots.scanning.overlay import page_number
from ballots.selectors import pass_difference, pass_difference_numbers, pass_differences
from confidence_vote.lib.paging import page_of
from sessions import lifecycle
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.views.common import form_error

DIFFERENCES_PER_PAGE = 10


def _side_view(side: dict | None) -> dict:
    """One pass's side for people: missing, invalid as a whole (and why), or its marks."""
    if side is None:
        return {"missing": True, "invalid": "", "marks": {}}
    reason = side["invalid_reason"]
    return {
        "missing": False,
        "invalid": InvalidReason(reason).label if reason else "",
        "marks": side["marks"],
    }


def _mark_label(value: str | None) -> str:
    return str(MarkValue(value).label) if value else ""


def _scans(session, numbers: list[int]) -> dict[tuple[int, int], dict]:
    """The scanned ballots among these numbers, by (pass, number): their page numbers and
    whether still held, in the passes whose images this user may see (one query)."""
    access = session.access
    passes = [entry_pass for entry_pass in access.passes() if access.view_scan(entry_pass)]
    if not numbers or not passes:
        return {}
    scanned = ScannedBallot.objects.filter(
        session=session, number__in=numbers, entry_pass__in=passes
    ).values_list("entry_pass", "number", "images", "status")
    return {
        (entry_pass, number): {
            "entry_pass": entry_pass,
            "number": number,
            "pages": [page_number(name) for name in images],
            "held": status == ScanStatus.HELD,
        }
        for entry_pass, number, images, status in scanned
    }


def _difference_view(difference: dict, officials: list, scans: dict | None = None) -> dict:
    """A difference side by side: per official the two values, and whether they differ; the
    page images of a side that was scanned."""
    first, second = _side_view(difference["first"]), _side_view(difference["second"])
    rows = []
    for official in officials:
        one = first["marks"].get(official.order)
        two = second["marks"].get(official.order)
        rows.append(
            {
                "official": official,
                "first": _mark_label(one),
                "second": _mark_label(two),
                "differs": one != two,
            }
        )
    number = difference["number"]
    found = scans or {}
    return {
        "number": number,
        "first": first,
        "second": second,
        "rows": rows,
        "scans": [found[key] for key in ((1, number), (2, number)) if key in found],
    }


@login_required
@require_safe
def compare(request, pk):
    """The differences between the passes, ten a page: a fixed number of queries."""
    session = get_session_for(request, pk, need="compare")
    officials = list(session.officials.order_by("order"))
    # Differing numbers found by one GROUP BY; their two sides read for the page only. Ten a
    # page: each difference shows a row per official (44 at the National Assembly).
    numbers = pass_difference_numbers(session=session) if session.double_entry else []
    page = page_of(request, numbers, per_page=DIFFERENCES_PER_PAGE)
    differences = pass_differences(session=session, numbers=list(page)) if len(page) else []
    scans = _scans(session, [d["number"] for d in differences])
    context = {
        "session": session,
        "differences": [_difference_view(d, officials, scans) for d in differences],
        "difference_count": page.paginator.count,
        "page": page,
        "counting": lifecycle.counting_open(session),
    }
    return render(request, "ballots/compare.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def resolve(request, pk, number):
    session = get_session_for(request, pk, need="compare")
    difference = pass_difference(session=session, number=number) if session.double_entry else None
    if difference is None:
        messages.info(
            request,
            _("The two passes agree on ballot %(number)d: there is nothing to resolve.")
            % {"number": number},
        )
        return redirect("ballots:compare", pk=session.pk)
    officials = list(session.officials.order_by("order"))
    if request.method == "POST":
        form = ResolveForm(request.POST, officials=officials)
        if form.is_valid():
            try:
                services.difference_resolve(
                    user=request.user,
                    session=session,
                    number=number,
                    entry=form.ballot_input(),
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Ballot %(number)d now reads the same in both passes.") % {"number": number},
                )
                return redirect("ballots:compare", pk=session.pk)
    else:
        take = {"1": difference["first"], "2": difference["second"]}.get(request.GET.get("from"))
        form = ResolveForm(
            initial=ResolveForm.initial_from(take, officials=officials), officials=officials
        )
    view = _difference_view(difference, officials, _scans(session, [number]))
    # The form's radios beside each official's two passes (both lists are in ballot order).
    rows = [
        {**row, "field": field, "checked": field.value() or ""}
        for row, (_official, field) in zip(view["rows"], form.mark_rows(), strict=True)
    ]
    context = {
        "session": session,
        "difference": view,
        "rows": rows,
        # The radios of every row, written out in the page (44 officials x 5 choices through
        # Django's widget templates cost more than the rest of the page).
        "mark_choices": [
            (index, value, str(label)) for index, (value, label) in enumerate(MarkValue.choices)
        ],
        "form": form,
        "taken": request.GET.get("from", ""),
    }
    return render(request, "ballots/resolve.html", context)


urlpatterns = [
    path("<int:pk>/count/compare/", compare, name="compare"),
    path("<int:pk>/count/compare/<int:number>/", resolve, name="resolve"),
]
