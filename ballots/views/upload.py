"""Uploading a pile of paper ballots from a CSV or .xlsx file: every row or none.

The same file format as `manage.py import_ballots` (ballots.importing). The file is parsed
first; any problem lists its row and column and saves nothing. A clean file goes to
`ballots_import`, which refuses as a whole too (numbers taken, more than issued, blind rule).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ballots.forms.upload import BallotUploadForm
from ballots.importing import BALLOT_HEADER, CODES, REASON_HEADER, parse_ballots
from ballots.models import EntryPass, InvalidReason, MarkValue
from ballots.services import ballots_import
from sessions import lifecycle
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.views.common import form_error

# A file with a wrong header can yield a problem per cell; the first ones tell the cause.
MAX_PROBLEMS = 100
# Example row 2 of the format help cycles through these codes.
EXAMPLE_CODES = ["H", "M", "L", "", "X"]


def _closed_message(session: VoteSession) -> str:
    """Why ballots cannot be entered now, or "" while counting."""
    return str(lifecycle.ballots_refused(session) or "")


def _format_help(session: VoteSession) -> dict:
    orders = list(session.officials.order_by("order").values_list("order", flat=True))
    header = [BALLOT_HEADER, *map(str, orders), REASON_HEADER]
    valid = ["1", *("H" for _order in orders), ""]
    mixed = ["2", *(EXAMPLE_CODES[n % len(EXAMPLE_CODES)] for n in range(len(orders))), ""]
    invalid = ["3", *("" for _order in orders), InvalidReason.NOT_ISSUED.value]
    return {
        "example": "\n".join(",".join(row) for row in (header, valid, mixed, invalid)),
        "officials": session.officials.order_by("order").values("order", "full_name", "position"),
        "codes": [(code.upper(), MarkValue(value).label) for code, value in CODES.items()],
        "reasons": InvalidReason.choices,
    }


@login_required
@require_http_methods(["GET", "POST"])
def ballot_upload(request, pk):
    session = get_session_for(request, pk, need="enter_ballots")
    closed = _closed_message(session)
    entered = session.access.passes_typed
    initial = {"entry_pass": min(entered) if entered else EntryPass.FIRST}
    problems = []
    if request.method == "POST" and not closed:
        form = BallotUploadForm(request.POST, request.FILES, session=session, initial=initial)
        if form.is_valid():
            orders = list(session.officials.values_list("order", flat=True))
            result = parse_ballots(
                form.cleaned_data["content"],
                form.cleaned_data["file_name"],
                official_orders=orders,
            )
            problems = result.errors
            if not problems:
                entry_pass = form.cleaned_data["entry_pass"]
                try:
                    created = ballots_import(
                        user=request.user,
                        session=session,
                        entry_pass=entry_pass,
                        rows=result.ballots,
                    )
                except DomainError as exc:
                    form_error(form, exc)
                else:
                    count = len(created)
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d ballot imported into pass %(pass)d.",
                            "%(count)d ballots imported into pass %(pass)d.",
                            count,
                        )
                        % {"count": count, "pass": entry_pass},
                    )
                    return redirect("ballots:count", pk=session.pk)
    else:
        form = BallotUploadForm(session=session, initial=initial)
    context = {
        "session": session,
        "form": form,
        "closed": closed,
        "problems": problems[:MAX_PROBLEMS],
        "more_problems": max(len(problems) - MAX_PROBLEMS, 0),
        "file_name": form.cleaned_data.get("file_name", "") if form.is_bound else "",
        "max_bytes": settings.IMPORT_MAX_BYTES,
        **_format_help(session),
    }
    return render(request, "ballots/upload.html", context)


urlpatterns = [
    path("<int:pk>/count/upload/", ballot_upload, name="upload"),
]
