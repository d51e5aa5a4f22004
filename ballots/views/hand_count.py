"""The hand-count sheet: each official's totals as the committee counted them on paper."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ballots import services
from ballots.forms.count import HandCountForm
from ballots.models import Ballot, EntryPass
from ballots.selectors import TALLY_COLUMNS, ballot_totals, hand_count_rows
from sessions import lifecycle
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.views.common import form_error


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def hand_count(request, pk):
    # Everyone counting may read the sheet; only the committee chair records it.
    session = get_session_for(
        request, pk, need="chair" if request.method == "POST" else "view_results"
    )
    officials = list(session.officials.order_by("order"))
    stored = hand_count_rows(session=session)
    sheet = {row.official.order: {c: getattr(row, c) for c in TALLY_COLUMNS} for row in stored}
    entered = Ballot.objects.filter(
        session=session, entry_pass=EntryPass.FIRST, voided=False
    ).exists()
    ballots = ballot_totals(session=session, entry_pass=EntryPass.FIRST) if entered else None
    collected = session.ballots_collected
    editable = (
        session.access.can("chair") and lifecycle.counting_open(session) and collected is not None
    )

    form = None
    if request.method == "POST":
        form = HandCountForm(request.POST, officials=officials)
        if form.is_valid():
            try:
                services.hand_count_record(user=request.user, session=session, rows=form.rows())
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The hand-count totals were recorded."))
                return redirect("ballots:hand_count", pk=session.pk)
    elif editable:
        form = HandCountForm(initial=HandCountForm.initial_from(sheet), officials=officials)

    fields = dict(form.cell_rows()) if form else {}
    rows = []
    for official in officials:
        counts = sheet.get(official.order)
        from_ballots = ballots[official.order] if ballots is not None else None
        total = sum(counts.values()) if counts else None
        rows.append(
            {
                "official": official,
                "cells": list(zip(TALLY_COLUMNS, fields[official], strict=True))
                if official in fields
                else None,
                "counts": [counts[c] for c in TALLY_COLUMNS] if counts else None,
                "total": total,
                "adds_up": total == collected,
                "ballots": [from_ballots[c] for c in TALLY_COLUMNS] if from_ballots else None,
                "matches": counts == from_ballots if counts and from_ballots else None,
            }
        )
    recorded = stored[0] if stored else None
    context = {
        "session": session,
        "form": form,
        "rows": rows,
        "collected": collected,
        "editable": editable,
        "has_sheet": bool(stored),
        "recorded_by": recorded.recorded_by if recorded else None,
        "recorded_at": max(row.recorded_at for row in stored) if stored else None,
        "checked_against_ballots": ballots is not None,
    }
    return render(request, "ballots/hand_count.html", context)


urlpatterns = [
    path("<int:pk>/count/hand-count/", hand_count, name="hand_count"),
]
