from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from confidence_vote.lib.text import clean_text, fold, identity_key, name_sort_key
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.forms.attendance import AttendanceMarkForm
from sessions.models import Attendance, Delegate, VoteSession
from sessions.selectors import attendance_summary
from sessions.services import attendance as attendance_services


def _screen_state(data) -> tuple[str, str]:
    """The search text and sort order the screen was showing."""
    q = clean_text(data.get("q", ""))[:200]
    sort = "name" if data.get("sort") == "name" else "order"
    return q, sort


def _screen_url(session: VoteSession, *, q: str, sort: str) -> str:
    url = reverse("vote_sessions:attendance", args=[session.pk])
    params = {}
    if q:
        params["q"] = q
    if sort == "name":
        params["sort"] = "name"
    return f"{url}?{urlencode(params)}" if params else url


def _search_text(delegate: Delegate) -> str:
    return fold(" ".join([delegate.full_name, delegate.position, delegate.unit, delegate.group]))


def _matches(search_text: str, q: str) -> bool:
    """Every word of the query appears in the folded text (same rule as attendance.js)."""
    return all(word in search_text for word in fold(q).split())


def _prepare(delegate: Delegate, q: str) -> Delegate:
    delegate.search_text = _search_text(delegate)
    delegate.hidden = bool(q) and not _matches(delegate.search_text, q)
    return delegate


def _exact_match(delegates: list[Delegate], q: str) -> Delegate | None:
    """The one delegate whose full name is the whole query, typed with its accents or else
    without (case ignored): it wins over rows that only contain the words, e.g. in a unit.
    None when nobody's name is the query, or two people share it. Same rule as attendance.js."""
    if not q:
        return None
    for key in (lambda text: identity_key(text)[0], fold):
        wanted = key(q)
        found = [d for d in delegates if key(d.full_name) == wanted]
        if found:
            return found[0] if len(found) == 1 else None
    return None


def _counter_context(session: VoteSession) -> dict:
    summary = attendance_summary(session=session)
    return {
        "summary": summary,
        "quorum_missing": max(summary.quorum_required - summary.present, 0),
    }


def _can_mark(session: VoteSession) -> bool:
    return session.access.can("edit_lists")


@login_required
@require_safe
def attendance(request, pk):
    session = get_session_for(request, pk, need="view")
    q, sort = _screen_state(request.GET)
    delegates = [_prepare(d, q) for d in session.delegates.all()]
    if sort == "name":
        delegates.sort(key=lambda d: (name_sort_key(d.full_name), d.order))
    exact = _exact_match(delegates, q)
    if exact is not None:
        exact.selected = True
    context = {
        "session": session,
        "delegates": delegates,
        "shown": sum(1 for d in delegates if not d.hidden),
        "q": q,
        "sort": sort,
        "can_mark": _can_mark(session),
        **_counter_context(session),
    }
    return render(request, "sessions/attendance.html", context)


@login_required
@require_POST
def attendance_mark(request, pk, delegate_id):
    session = get_session_for(request, pk, need="manage")
    delegate = get_object_or_404(session.delegates, pk=delegate_id)
    form = AttendanceMarkForm(request.POST)
    # The search and sort the screen was showing, to come back to them.
    q, sort = _screen_state(request.POST)
    error = None
    if not form.is_valid():
        if "status" in form.errors:
            error = _("Choose present, absent or not recorded.")
        else:
            field, errors = next(iter(form.errors.items()))
            error = f"{form.fields[field].label}: {errors[0]}"
    else:
        try:
            delegate = attendance_services.attendance_mark(
                user=request.user,
                session=session,
                delegate=delegate,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            error = exc.message
            # The session may have been locked meanwhile: show the row as it now is.
            session.refresh_from_db(fields=["status"])

    if request.htmx:
        # The script filters the new row itself: never send it hidden.
        delegate.search_text = _search_text(delegate)
        delegate.hidden = False
        context = {
            "session": session,
            "delegate": delegate,
            "can_mark": _can_mark(session),
            "q": q,
            "sort": sort,
            "error": error,
            "oob": True,
            **_counter_context(session),
        }
        return render(request, "sessions/_attendance_mark_response.html", context)

    if error:
        messages.error(request, error)
    elif delegate.attendance == Attendance.PRESENT:
        messages.success(request, _("%(name)s: present.") % {"name": delegate.full_name})
    elif delegate.attendance == Attendance.ABSENT:
        messages.success(request, _("%(name)s: absent.") % {"name": delegate.full_name})
    else:
        messages.success(request, _("%(name)s: attendance cleared.") % {"name": delegate.full_name})
    return redirect(_screen_url(session, q=q, sort=sort))


urlpatterns: list = [
    path("<int:pk>/attendance/", attendance, name="attendance"),
    path(
        "<int:pk>/attendance/<int:delegate_id>/mark/",
        attendance_mark,
        name="attendance_mark",
    ),
]
