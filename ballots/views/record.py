"""The record of every change to ballots and the count, for the chair and leadership."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from confidence_vote.lib.paging import page_of
from sessions.access import get_session_for
from sessions.audit import ACTION_LABELS, audit_rows
from sessions.models import AuditEntry

# The actions this record shows: ballots and the count's life.
PREFIXES = ("ballot.", "count.", "tally_sheet.", "session.open_counting")


@login_required
@require_safe
def ballot_record_list(request, pk):
    """The record, newest first, 50 entries a page, filters kept in the page links."""
    session = get_session_for(request, pk, need="ballot_record")
    # Prefixes rather than a regular expression: SQLite runs a REGEXP in Python, row by row.
    shown = Q(action__startswith="ballot.") | Q(action__startswith="count.")
    shown |= Q(action__startswith="tally_sheet.")
    entries = AuditEntry.objects.filter(session=session).select_related("user")
    entries = entries.filter(shown | Q(action="session.open_counting"))
    actions = [(code, label) for code, label in ACTION_LABELS.items() if code.startswith(PREFIXES)]
    action = request.GET.get("action", "")
    if action in dict(actions):
        entries = entries.filter(action=action)
    person = request.GET.get("user", "").strip()
    people = sorted(
        set(
            AuditEntry.objects.filter(shown, session=session)
            .exclude(username="")
            .order_by()
            .values_list("username", flat=True)
            .distinct()
        )
    )
    if person:
        entries = entries.filter(username=person)
    page = page_of(request, entries)
    context = {
        "session": session,
        "rows": audit_rows(page),
        "page": page,
        "actions": actions,
        "action": action,
        "people": people,
        "person": person,
    }
    return render(request, "ballots/record.html", context)


urlpatterns = [
    path("<int:pk>/count/record/", ballot_record_list, name="record"),
]
