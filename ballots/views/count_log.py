"""The count log: every change to ballots and the count, for the chair and leadership."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from sessions.access import get_session_for
from sessions.views.common import audit_page_context


@login_required
@require_safe
def count_log(request, pk):
    """The log, newest first, 50 entries a page, filters kept in the page links."""
    session = get_session_for(request, pk, need="view_log")
    context = audit_page_context(request, session, log_only=True)
    return render(request, "ballots/count_log.html", context)


urlpatterns = [
    path("<int:pk>/count/log/", count_log, name="count_log"),
]
