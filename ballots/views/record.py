"""The record of every change to ballots and the count, for the chair and leadership."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from sessions.access import get_session_for
from sessions.audit import ACTION_LABELS, audit_rows
from sessions.models import AuditEntry

# The actions this record shows: ballots and the count's life.
PREFIXES = ("ballot.", "count.", "tally_sheet.", "session.open_counting")


@login_required
@require_safe
def ballot_record_list(request, pk):
    session = get_session_for(request, pk, need="view_record")
    entries = AuditEntry.objects.filter(session=session).select_related("user")
    entries = entries.filter(
        action__regex=r"^(ballot\.|count\.|tally_sheet\.|session\.open_counting$)"
    )
    actions = [(code, label) for code, label in ACTION_LABELS.items() if code.startswith(PREFIXES)]
    action = request.GET.get("action", "")
    if action in dict(actions):
        entries = entries.filter(action=action)
    person = request.GET.get("user", "").strip()
    people = sorted(
        set(
            AuditEntry.objects.filter(
                session=session, action__regex=r"^(ballot|count|tally_sheet)\."
            )
            .exclude(username="")
            .values_list("username", flat=True)
        )
    )
    if person:
        entries = entries.filter(username=person)
    rows = audit_rows(entries[:1000])
    context = {
        "session": session,
        "rows": rows,
        "actions": actions,
        "action": action,
        "people": people,
        "person": person,
    }
    return render(request, "ballots/record.html", context)


urlpatterns = [
    path("<int:pk>/count/record/", ballot_record_list, name="record"),
]
