"""The count's dashboard and the chair's actions on it: open, record collected, close, reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ballots import services
from ballots.forms_count import CollectedForm, CountOpenForm, ReopenForm, first_error
from ballots.models import EntryPass
from ballots.selectors import pass_difference_numbers, pass_entered_counts, passes_entered_by
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.models import CommitteeRole, SessionStatus
from sessions.selectors import attendance_summary

CLOSED = (SessionStatus.COUNTED, SessionStatus.CERTIFIED)


def _steps(session) -> list[dict]:
    """The count's life, each step done or not; the first one not done is the current one."""
    status = session.status
    steps = [
        {"label": _("Voting"), "done": status != SessionStatus.DRAFT, "detail": ""},
        {
            "label": _("Counting opened"),
            "done": session.ballots_issued is not None,
            "detail": _("%(issued)d ballots issued") % {"issued": session.ballots_issued}
            if session.ballots_issued is not None
            else "",
        },
        {
            "label": _("Ballots collected recorded"),
            "done": session.ballots_collected is not None,
            "detail": _("%(collected)d ballots collected")
            % {"collected": session.ballots_collected}
            if session.ballots_collected is not None
            else "",
        },
        {"label": _("Count closed"), "done": status in CLOSED, "detail": ""},
    ]
    current = next((step for step in steps if not step["done"]), None)
    if current is not None:
        current["current"] = True
    return steps


def _passes(
    session, *, entered: dict[int, int], may_enter: bool, entered_by_me: set[int]
) -> list[dict]:
    """Per entry pass: how far it has come and whether this user may enter in it."""
    numbers = [EntryPass.FIRST, EntryPass.SECOND] if session.double_entry else [EntryPass.FIRST]
    of = session.ballots_collected
    if of is None:
        of = session.ballots_issued or 0
    passes = []
    for number in numbers:
        # Blind double entry: whoever entered in one pass sees no way into the other.
        blind_ok = not session.double_entry or not entered_by_me or number in entered_by_me
        passes.append(
            {
                "number": int(number),
                "entered": entered[number],
                "of": of,
                "complete": entered[number] == of,
                "may_enter": may_enter and blind_ok,
            }
        )
    return passes


@login_required
@require_safe
def count(request, pk):
    """The count's dashboard: a fixed number of queries, whatever the number of ballots (the
    passes' progress from the running totals, the differences by one GROUP BY)."""
    session = get_session_for(request, pk, need="count")
    is_chair = session.viewer_committee_role == CommitteeRole.CHAIR
    is_member = session.viewer_committee_role is not None
    counting = session.status == SessionStatus.COUNTING
    entered_by_me = passes_entered_by(session=session, user=request.user) if is_member else set()
    entered = differing = None
    if session.ballots_issued is not None:
        entered = pass_entered_counts(session=session)
        if session.double_entry:
            differing = list(pass_difference_numbers(session=session))
    context = {
        "session": session,
        "is_chair": is_chair,
        "is_member": is_member,
        "counting": counting,
        "closed": session.status in CLOSED,
        "steps": _steps(session),
        "passes": [],
        "entered_by_me": sorted(entered_by_me),
        "differences": None,
        "problems": services.count_close_problems(
            session=session, entered=entered, differing=differing
        )
        if counting
        else [],
        "has_tally_sheet": False,
    }
    if entered is not None:
        may_enter = is_member and counting
        context["passes"] = _passes(
            session, entered=entered, may_enter=may_enter, entered_by_me=entered_by_me
        )
        if differing is not None:
            context["differences"] = len(differing)
        context["has_tally_sheet"] = session.tally_sheet_rows.exists()
        # No ballot entered one by one: the hand count stands for the pile.
        context["hand_count_only"] = context["has_tally_sheet"] and not any(
            p["entered"] for p in context["passes"]
        )
    if is_chair and session.status == SessionStatus.VOTING:
        context["summary"] = attendance_summary(session=session)
        context["open_form"] = CountOpenForm(initial={"ballots_issued": context["summary"].present})
    if is_chair and counting:
        context["collected_form"] = CollectedForm(
            initial={"ballots_collected": session.ballots_collected}
        )
    if is_chair and session.status == SessionStatus.COUNTED:
        context["reopen_form"] = ReopenForm()
    return render(request, "ballots/count.html", context)


def _done(request, session, message: str):
    messages.success(request, message)
    return redirect("ballots:count", pk=session.pk)


def _refused(request, session, message: str):
    messages.error(request, message)
    return redirect("ballots:count", pk=session.pk)


@login_required
@require_POST
def count_open(request, pk):
    session = get_session_for(request, pk, need="chair")
    form = CountOpenForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, first_error(form))
    try:
        services.count_open(
            user=request.user,
            session=session,
            ballots_issued=form.cleaned_data["ballots_issued"],
        )
    except DomainError as exc:
        return _refused(request, session, exc.message)
    return _done(
        request,
        session,
        _("Counting is open: %(issued)d ballots issued.")
        % {"issued": form.cleaned_data["ballots_issued"]},
    )


@login_required
@require_POST
def count_collected(request, pk):
    session = get_session_for(request, pk, need="chair")
    form = CollectedForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, first_error(form))
    try:
        services.count_record_collected(
            user=request.user,
            session=session,
            ballots_collected=form.cleaned_data["ballots_collected"],
        )
    except DomainError as exc:
        return _refused(request, session, exc.message)
    return _done(
        request,
        session,
        _("%(collected)d ballots collected, recorded.")
        % {"collected": form.cleaned_data["ballots_collected"]},
    )


@login_required
@require_POST
def count_close(request, pk):
    session = get_session_for(request, pk, need="chair")
    try:
        services.count_close(user=request.user, session=session)
    except DomainError as exc:
        return _refused(request, session, exc.message)
    return _done(request, session, _("The count is closed."))


@login_required
@require_POST
def count_reopen(request, pk):
    session = get_session_for(request, pk, need="chair")
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, first_error(form))
    try:
        services.count_reopen(
            user=request.user, session=session, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _refused(request, session, exc.message)
    return _done(request, session, _("The count is open again; ballots can be corrected."))


urlpatterns = [
    path("<int:pk>/count/", count, name="count"),
    path("<int:pk>/count/open/", count_open, name="count_open"),
    path("<int:pk>/count/collected/", count_collected, name="count_collected"),
    path("<int:pk>/count/close/", count_close, name="count_close"),
    path("<int:pk>/count/reopen/", count_reopen, name="count_reopen"),
]
