"""The count's dashboard and the chair's actions on it: open, record collected, close, reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ballots import services
from ballots.forms.count import CollectedForm, CountOpenForm, ReopenForm, first_error
from ballots.selectors import held_count, pass_difference_numbers, pass_entered_counts
from sessions import lifecycle
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.selectors import attendance_summary


def _steps(session) -> list[dict]:
    """The count's life, each step done or not; the first one not done is the current one."""
    steps = [
        {"label": _("Voting"), "done": lifecycle.lists_locked(session), "detail": ""},
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
        {"label": _("Count closed"), "done": lifecycle.count_closed(session), "detail": ""},
    ]
    current = next((step for step in steps if not step["done"]), None)
    if current is not None:
        current["current"] = True
    return steps


def _passes(session, *, counting: bool, entered: dict[int, int]) -> list[dict]:
    """Per entry pass: how far it has come and whether this user may enter in it."""
    access = session.access
    of = session.ballots_collected
    if of is None:
        of = session.ballots_issued or 0
    passes = []
    for number in access.passes():
        may_enter = counting and access.enter_pass(number)
        passes.append(
            {
                "number": number,
                "entered": entered.get(number, 0),
                "of": of,
                "complete": entered.get(number, 0) == of,
                # Blind double entry: whoever entered in one pass sees no way into the other.
                "may_enter": may_enter,
                # Scanned ballots of the pass waiting for review: for its typist only.
                "held": held_count(session=session, entry_pass=number) if may_enter else 0,
            }
        )
    return passes


def _typing_members(session) -> list:
    """The members the chair assigns to passes when opening a double entry."""
    if not session.double_entry:
        return []
    return list(session.committee_members.order_by("role", "pk"))


@login_required
@require_safe
def count(request, pk):
    """The count's dashboard: a fixed number of queries, whatever the number of ballots (the
    passes' progress from the running totals, the differences by one GROUP BY)."""
    session = get_session_for(request, pk, need="count")
    access = session.access
    is_chair = access.can("chair")
    is_member = access.can("enter_ballots")
    counting = lifecycle.counting_open(session)
    entered_by_me = access.passes_typed
    entered = differing = None
    if session.ballots_issued is not None:
        entered = pass_entered_counts(session=session)
        # Blind double entry: a typist learns nothing of how the passes compare.
        if session.double_entry and not access.blind:
            differing = list(pass_difference_numbers(session=session))
    context = {
        "session": session,
        "is_chair": is_chair,
        "is_member": is_member,
        "counting": counting,
        "closed": lifecycle.count_closed(session),
        "steps": _steps(session),
        "passes": [],
        "entered_by_me": sorted(entered_by_me),
        "differences": None,
        # Blind double entry: a typist learns nothing of how the passes compare.
        "blind": access.blind,
        "problems": services.count_close_problems(
            session=session, entered=entered, differing=differing
        )
        if counting and not access.blind
        else [],
        "has_hand_count": False,
    }
    if entered is not None:
        context["passes"] = _passes(session, counting=counting, entered=entered)
        if differing is not None:
            context["differences"] = len(differing)
        context["has_hand_count"] = session.tally_sheet_rows.exists()
        # No ballot entered one by one: the hand count stands for the pile.
        context["hand_count_only"] = context["has_hand_count"] and not any(
            p["entered"] for p in context["passes"]
        )
    if access.can("chair") and lifecycle.transition_allowed(session, "open_counting"):
        context["summary"] = attendance_summary(session=session)
        context["open_form"] = CountOpenForm(
            initial={"ballots_issued": context["summary"].present},
            members=_typing_members(session),
        )
    if is_chair and counting:
        context["collected_form"] = CollectedForm(
            initial={"ballots_collected": session.ballots_collected}
        )
    if access.can("chair") and lifecycle.transition_allowed(session, "reopen_count"):
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
    form = CountOpenForm(request.POST, members=_typing_members(session))
    if not form.is_valid():
        return _refused(request, session, first_error(form))
    try:
        services.count_open(
            user=request.user,
            session=session,
            ballots_issued=form.cleaned_data["ballots_issued"],
            typing=form.typing() or None,
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
