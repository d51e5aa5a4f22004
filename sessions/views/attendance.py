from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from confidence_vote.lib.paging import page_of
from confidence_vote.lib.text import clean_text
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.forms.attendance import AttendanceMarkForm
from sessions.models import Attendance, VoteSession
from sessions.selectors import attendance_summary, delegate_named, delegates_found
from sessions.services import attendance as attendance_services


def _screen_state(data) -> tuple[str, str, str]:
    """The search text, sort order and page the screen was showing."""
    q = clean_text(data.get("q", ""))[:200]
    sort = "name" if data.get("sort") == "name" else "order"
    page = str(data.get("page", ""))
    return q, sort, page if page.isdigit() else ""


def _screen_url(session: VoteSession, *, q: str, sort: str, page: str = "") -> str:
    url = reverse("vote_sessions:attendance", args=[session.pk])
    params = {}
    if q:
        params["q"] = q
    if sort == "name":
        params["sort"] = "name"
    if page:
        params["page"] = page
    return f"{url}?{urlencode(params)}" if params else url


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
    """The delegates 50 a page, searched and ordered in SQL (`delegates_found`); the one whose
    name is the whole search first (Enter checks them in); the counter from a count query.
    An htmx request (the live search) gets the list alone."""
    session = get_session_for(request, pk, need="view")
    q, sort, _page = _screen_state(request.GET)
    found = delegates_found(session=session, q=q, sort=sort)
    exact = delegate_named(session=session, q=q)
    if exact is not None:
        found = found.order_by(Case(When(pk=exact.pk, then=0), default=1), *found.query.order_by)
    page = page_of(request, found)
    for delegate in page:
        delegate.selected = exact is not None and delegate.pk == exact.pk
    context = {
        "session": session,
        "page": page,
        "delegates": page.object_list,
        "q": q,
        "sort": sort,
        "can_mark": _can_mark(session),
    }
    if request.htmx:
        return render(request, "sessions/_attendance_results.html", context)
    return render(request, "sessions/attendance.html", context | _counter_context(session))


@login_required
@require_POST
def attendance_mark(request, pk, delegate_id):
    session = get_session_for(request, pk, need="manage")
    delegate = get_object_or_404(session.delegates, pk=delegate_id)
    form = AttendanceMarkForm(request.POST)
    # The search, sort and page the screen was showing, to come back to them.
    q, sort, page = _screen_state(request.POST)
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
        context = {
            "session": session,
            "delegate": delegate,
            "can_mark": _can_mark(session),
            "q": q,
            "sort": sort,
            "page_number": page,
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
    return redirect(_screen_url(session, q=q, sort=sort, page=page))


urlpatterns: list = [
    path("<int:pk>/attendance/", attendance, name="attendance"),
    path(
        "<int:pk>/attendance/<int:delegate_id>/mark/",
        attendance_mark,
        name="attendance_mark",
    ),
]
