"""The record of every change to ballots and the count, for the chair and leadership."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from sessions.access import get_session_for
from sessions.audit import audit_rows
from sessions.selectors import audit_entries


@login_required
@require_safe
def ballot_record_list(request, pk):
    session = get_session_for(request, pk, need="view_record")
    page = audit_entries(
        session=session,
        can=session.access.can,
        record_only=True,
        action=request.GET.get("action", ""),
        person=request.GET.get("user", ""),
    )
    context = {
        "session": session,
        "rows": audit_rows(page.entries[:1000], session=session, can=session.access.can),
        "actions": page.actions,
        "action": page.action,
        "people": page.people,
        "person": page.person,
    }
    return render(request, "ballots/record.html", context)


urlpatterns = [
    path("<int:pk>/count/record/", ballot_record_list, name="record"),
]
