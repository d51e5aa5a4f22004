"""Held scanned ballots: the list of a pass's ballots the machine did not count, the review
of one (its page images with the machine's reading drawn on them, the keyboard entry widget
prefilled with that reading) and the page images themselves.

Page images are ballots: they are served only through the access-checked view below, never
from MEDIA_URL, and only to whom the access object lets see the pass's scans (`view_scan`:
the pass's typist, or the chair comparing the passes; never a blind typist of the other pass).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ballots.forms.entry import BallotForm, mark_field_name
from ballots.models import ScannedBallot, ScanStatus
from ballots.scanning.overlay import page_number, reading_overlay
from ballots.scanning.services import MARK_VALUES, scanned_ballot_review
from ballots.views.entry import _closed_message, _legend, _widget_context
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.views.common import form_error


def _session_for_pass(request, pk: int, entry_pass: int) -> VoteSession:
    """The typist of this pass: its held ballots belong to it, and with double entry nobody
    sees a pass before typing (or uploading) in it."""
    session = get_session_for(request, pk, need="enter_ballots")
    access = session.access
    if not access.edit_pass(entry_pass):
        raise PermissionDenied
    return session


def _scanned_for(session: VoteSession, entry_pass: int, number: int) -> ScannedBallot:
    return get_object_or_404(
        ScannedBallot.objects.select_related("reviewed_by", "batch"),
        session=session,
        entry_pass=entry_pass,
        number=number,
    )


@login_required
@require_safe
def held_list(request, pk, entry_pass):
    session = _session_for_pass(request, pk, entry_pass)
    scanned = ScannedBallot.objects.filter(session=session, entry_pass=entry_pass).exclude(
        status=ScanStatus.SAVED
    )
    context = {
        "session": session,
        "entry_pass": entry_pass,
        "held": [s for s in scanned.select_related("batch") if s.status == ScanStatus.HELD],
        "reviewed": list(
            scanned.filter(status=ScanStatus.REVIEWED).select_related("reviewed_by", "ballot")
        ),
        "closed_message": _closed_message(session),
    }
    return render(request, "ballots/held_list.html", context)


def _initial(scanned: ScannedBallot) -> dict:
    """The machine's reading as the form's initial marks; rows it could not read stay empty."""
    marks = scanned.reading.get("marks", {}) if isinstance(scanned.reading, dict) else {}
    return {
        mark_field_name(int(order)): MARK_VALUES[letter]
        for order, letter in marks.items()
        if letter in MARK_VALUES
    }


def _pages(session: VoteSession, scanned: ScannedBallot) -> list[int]:
    return [page_number(name) for name in scanned.images]


def _next_held(session: VoteSession, entry_pass: int):
    """After a review: the pass's next held ballot, or the list once none is left."""
    following = (
        ScannedBallot.objects.filter(session=session, entry_pass=entry_pass, status=ScanStatus.HELD)
        .order_by("number")
        .first()
    )
    if following is None:
        return redirect("ballots:held_list", pk=session.pk, entry_pass=entry_pass)
    return redirect(
        "ballots:held_review", pk=session.pk, entry_pass=entry_pass, number=following.number
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def held_review(request, pk, entry_pass, number):
    session = _session_for_pass(request, pk, entry_pass)
    scanned = _scanned_for(session, entry_pass, number)
    officials = list(session.officials.order_by("order"))
    data = request.POST if request.method == "POST" else None
    form = BallotForm(data, officials=officials, initial=_initial(scanned))
    if request.method == "POST" and form.is_valid():
        try:
            scanned_ballot_review(
                user=request.user, session=session, scanned=scanned, entry=form.ballot_input()
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Ballot %(number)d reviewed and entered in pass %(pass)d.")
                % {"number": number, "pass": entry_pass},
            )
            return _next_held(session, entry_pass)
    closed_message = _closed_message(session)
    editable = not closed_message and scanned.status == ScanStatus.HELD
    context = {
        "session": session,
        "entry_pass": entry_pass,
        "scanned": scanned,
        "is_reviewed": scanned.status == ScanStatus.REVIEWED,
        "is_saved": scanned.status == ScanStatus.SAVED,
        "pages": _pages(session, scanned),
        "closed_message": closed_message,
        "legend": _legend(),
        **_widget_context(officials=officials, form=form, editable=editable),
    }
    return render(request, "ballots/held_review.html", context)


@login_required
@require_safe
def held_page_image(request, pk, entry_pass, number, page):
    """One page of a scanned ballot with the machine's reading drawn on it (PNG): for the
    review of a held ballot, and beside a difference between the passes."""
    session = get_session_for(request, pk, need="view")
    if not session.access.view_scan(entry_pass):
        raise PermissionDenied
    scanned = _scanned_for(session, entry_pass, number)
    names = [name for name in scanned.images if page_number(name) == page]
    if not names:
        raise Http404
    try:
        with default_storage.open(names[0]) as stored:
            content = stored.read()
    except OSError:
        raise Http404 from None
    png = reading_overlay(
        content,
        layout=scanned.batch.layout,
        page=page,
        marks=scanned.reading.get("marks", {}),
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("<int:pk>/count/pass/<int:entry_pass>/held/", held_list, name="held_list"),
    path(
        "<int:pk>/count/pass/<int:entry_pass>/held/<int:number>/",
        held_review,
        name="held_review",
    ),
    path(
        "<int:pk>/count/pass/<int:entry_pass>/held/<int:number>/page-<int:page>.png",
        held_page_image,
        name="held_page_image",
    ),
]
