"""The record of every change to ballots and the count, for the chair and leadership."""

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
def ballot_record_list(request, pk):
    """The record, newest first, 50 entries a page, filters kept in the page links."""
    session = get_session_for(request, pk, need="view_record")
    found = audit_entries(
        session=session,
        can=session.access.can,
        record_only=True,
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
    return render(request, "ballots/record.html", context)


urlpatterns = [
    path("<int:pk>/count/record/", ballot_record_list, name="record"),
]
