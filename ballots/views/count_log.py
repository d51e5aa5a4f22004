"""The count log: every change to ballots and the count, for the chair and leadership."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from confidence_vote.lib.paging import page_of
from sessions.access import get_session_for
from sessions.audit import audit_rows
from sessions.selectors import audit_entries


@login_required
@require_safe
def count_log(request, pk):
    """The log, newest first, 50 entries a page, filters kept in the page links."""
    session = get_session_for(request, pk, need="view_log")
    found = audit_entries(
        session=session,
        can=session.access.can,
        log_only=True,
        action=request.GET.get("action", ""),
        person=request.GET.get("user", ""),
    )
    page = page_of(request, found.entries)
    context = {
        "session": session,
        "rows": audit_rows(page, session=session, can=session.access.can),
        "page": page,
        "actions": found.actions,
        "action": found.action,
        "people": found.people,
        "person": found.person,
    }
    return render(request, "ballots/count_log.html", context)


urlpatterns = [
    path("<int:pk>/count/log/", count_log, name="count_log"),
]
