"""Entering paper ballots, keyboard first: the entry screen of a pass, the ballots entered in
it, correcting one and voiding one.

The entry screen saves with fetch (JSON answers) when its script runs, and as a plain form
(post, redirect, get) when it does not. Either way a save carries a client token, so a
resubmitted save finds the ballot it made instead of making a second one.
"""

import uuid
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ballots import services as ballot_services
from ballots.forms.entry import BallotCorrectForm, BallotEntryForm, BallotVoidForm, mark_field_name
from ballots.models import Ballot, InvalidReason, Mark, MarkValue
from ballots.selectors import entry_progress, entry_snapshot, last_number
from confidence_vote.lib.paging import page_of
from sessions import lifecycle
from sessions.access import admit, get_pass_for
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.views.common import form_error

# The answer buttons of one official's row, in screen order, with their key.
MARK_BUTTONS = [
    {"value": MarkValue.HIGH, "label": MarkValue.HIGH.label, "key": "1", "css": "success"},
    {"value": MarkValue.MEDIUM, "label": MarkValue.MEDIUM.label, "key": "2", "css": "primary"},
    {"value": MarkValue.LOW, "label": MarkValue.LOW.label, "key": "3", "css": "danger"},
    # Invalid for this official only; short labels keep a row on one line (full ones as titles).
    {
        "value": MarkValue.NONE,
        "label": pgettext_lazy("mark button", "No box"),
        "title": MarkValue.NONE.label,
        "key": "0",
        "css": "secondary",
    },
    {
        "value": MarkValue.SEVERAL,
        "label": pgettext_lazy("mark button", "Several"),
        "title": MarkValue.SEVERAL.label,
        "key": "x",
        "css": "secondary",
    },
]

# Short forms for the compact summary of a ballot ("C C T Th C" in Vietnamese).
MARK_LETTERS: dict[str, str | Promise] = {
    MarkValue.HIGH: pgettext_lazy("mark abbreviation", "H"),
    MarkValue.MEDIUM: pgettext_lazy("mark abbreviation", "M"),
    MarkValue.LOW: pgettext_lazy("mark abbreviation", "L"),
    MarkValue.NONE: "–",
    MarkValue.SEVERAL: "×",
}

# The whole-ballot-invalid chooser: keys 1-4 in this order.
INVALID_KEYS = ["1", "2", "3", "4"]

# A ballot on one screen, as on the paper: one line per official, in one column up to this
# many officials and in two beyond (the National Assembly's 44 fit 1366×768 in two of 22).
ONE_COLUMN_MAX = 14


# --- helpers ------------------------------------------------------------------------------


def _wants_json(request) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _limit(session: VoteSession) -> int:
    """How many ballots a pass should hold: those collected once counted, else those issued."""
    if session.ballots_collected is not None:
        return session.ballots_collected
    return session.ballots_issued or 0


def _next_number(*, session: VoteSession, entry_pass: int) -> int:
    # The same rule as ballot_record: one more than the highest number, voided ones and held
    # scanned ballots included.
    return last_number(session=session, entry_pass=entry_pass) + 1


def _closed_message(session: VoteSession) -> str:
    return str(lifecycle.ballots_refused(session) or "")


def _legend() -> list[tuple[str | Promise, str | Promise]]:
    return [(MARK_LETTERS[value], label) for value, label in MarkValue.choices]


def _rows(officials, form, by_order=None) -> list[dict]:
    letters = {value: str(letter) for value, letter in MARK_LETTERS.items()}
    rows = []
    for official in officials:
        field = form[mark_field_name(official.order)]
        # None: counts hidden from this member for now ("–"); the page fills them after a save.
        counts = by_order.get(official.order, {}) if by_order is not None else None
        rows.append(
            {
                "official": official,
                "order": official.order,
                "name": field.html_name,
                "value": field.value() or "",
                "errors": field.errors,
                "counts": [
                    (value, letters[value], "–" if counts is None else counts.get(value, 0))
                    for value in MarkValue.values
                ],
            }
        )
    return rows


def _columns(rows: list[dict]) -> list[list[dict]]:
    """The rows in screen columns, in ballot order down the first column, then the second."""
    if len(rows) <= ONE_COLUMN_MAX:
        return [rows]
    half = (len(rows) + 1) // 2
    return [rows[:half], rows[half:]]


def _widget_context(*, officials, form, by_order=None, editable: bool) -> dict:
    reason = form["invalid_reason"].value() or ""
    rows = _rows(officials, form, by_order)
    return {
        "form": form,
        "rows": rows,
        "columns": _columns(rows),
        # Labels translated once per page, not once per official.
        "buttons": [
            {**button, "label": str(button["label"]), "title": str(button.get("title", ""))}
            for button in MARK_BUTTONS
        ],
        "reasons": [
            {"value": value, "label": label, "key": key}
            for key, (value, label) in zip(INVALID_KEYS, InvalidReason.choices, strict=True)
        ],
        "invalid_reason": reason,
        "editable": editable,
    }


def _progress_json(by_order: dict) -> dict:
    return {str(order): counts for order, counts in by_order.items()}


def _json_form_errors(form) -> JsonResponse:
    errors = [str(message) for messages_ in form.errors.values() for message in messages_]
    field = next((name for name in form.errors if name != "__all__"), None)
    return JsonResponse({"ok": False, "errors": errors, "field": field}, status=400)


# --- the entry screen ---------------------------------------------------------------------


def _render_entry(request, *, session, entry_pass, officials, form):
    progress = entry_progress(session=session, entry_pass=entry_pass)
    # Blind double entry: a member sees the pass's running counts once typing in it.
    by_order = progress["by_order"] if session.access.view_pass(entry_pass) else None
    limit = _limit(session)
    context = {
        "session": session,
        "entry_pass": entry_pass,
        "closed_message": _closed_message(session),
        "entered": progress["entered"],
        "invalid_count": progress["invalid"],
        "limit": limit,
        "limit_is_collected": session.ballots_collected is not None,
        "issued": session.ballots_issued or 0,
        "next_number": _next_number(session=session, entry_pass=entry_pass),
        "legend": _legend(),
        **_widget_context(officials=officials, form=form, by_order=by_order, editable=True),
    }
    return render(request, "ballots/entry.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ballot_entry(request, pk, entry_pass):
    if request.method != "POST":
        session = get_pass_for(request, pk, entry_pass, mode="enter")
        officials = list(session.officials.order_by("order"))
        form = BallotEntryForm(officials=officials, initial={"client_token": uuid.uuid4()})
        return _render_entry(
            request, session=session, entry_pass=entry_pass, officials=officials, form=form
        )

    return _save_entry(request, pk, entry_pass)


class _Row:
    """An official as the entry form needs one: its ballot order."""

    def __init__(self, order: int):
        self.order = order


def _client_token(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _saved_answer(session, snapshot, ballot, entry_pass: int) -> dict:
    """The JSON answer to a save, from the totals just written."""
    answer = {
        "ok": True,
        "number": ballot.number,
        "next_number": snapshot.last_number + 1,
        "entered": snapshot.entered,
        "limit": _limit(session),
    }
    # Secrecy: only this pass's counts, and only to whom the pass is open (a repeated client
    # token of another pass answers with its ballot, never with totals).
    if ballot.entry_pass == entry_pass and session.access.view_pass(entry_pass):
        answer["progress"] = _progress_json(snapshot.progress())
    return answer


def _save_entry(request, pk, entry_pass):
    """The save, in one transaction: the session's row lock (PostgreSQL) and one query for
    every fact the save needs (`entry_snapshot`), the access object's included (the user's
    roles, seat and passes typed: `SessionAccess.from_row`, judged by `admit` as
    `get_session_for` judges: 404 outside the organization, 403 without `enter_ballots`);
    then the ballot, its marks, the audit entry and the running totals (one statement on
    PostgreSQL); the JSON answer comes from the totals just written. The service decides
    whether this user may write in this pass, asking the same access object."""
    wants_json = _wants_json(request)
    token = _client_token(request.POST.get("client_token"))
    ballot = error = form = None
    try:
        with transaction.atomic():
            snapshot = entry_snapshot(
                session_pk=pk, user=request.user, entry_pass=entry_pass, client_token=token
            )
            if snapshot is None:
                raise Http404
            session = admit(snapshot.session, snapshot.access, need="enter_ballots")
            rows = [_Row(order) for order in sorted(snapshot.officials)]
            form = BallotEntryForm(request.POST, officials=rows)
            if form.is_valid():
                ballot = ballot_services.ballot_save(
                    user=request.user,
                    snapshot=snapshot,
                    entry=form.ballot_input(),
                    client_token=form.cleaned_data["client_token"],
                )
    except DomainError as exc:
        error = exc
    if ballot is not None:
        if ballot.entered_by_id == request.user.pk:
            # This user has now typed in the ballot's pass.
            session.access.know_passes_typed(session.access.passes_typed | {ballot.entry_pass})
        if wants_json:
            return JsonResponse(_saved_answer(session, snapshot, ballot, entry_pass))
        messages.success(request, _("Ballot %(number)d saved.") % {"number": ballot.number})
        return redirect("ballots:entry", pk=session.pk, entry_pass=entry_pass)
    if error is not None:
        if wants_json:
            return JsonResponse(
                {"ok": False, "errors": [str(error.message)], "field": error.field}, status=400
            )
    elif wants_json:
        return _json_form_errors(form)
    # Refused: show the input again, unless this pass is closed to the user (blind entry).
    if not session.access.enter_pass(entry_pass):
        raise PermissionDenied
    officials = list(session.officials.order_by("order"))
    form = BallotEntryForm(request.POST, officials=officials)
    form.is_valid()
    if error is not None:
        form_error(form, error)
    return _render_entry(
        request, session=session, entry_pass=entry_pass, officials=officials, form=form
    )


# --- the ballots of a pass ----------------------------------------------------------------


@login_required
@require_safe
def ballot_list(request, pk, entry_pass):
    """The ballots of a pass, 50 a page (in number order): a fixed number of queries."""
    session = get_pass_for(request, pk, entry_pass, mode="view")
    orders = list(session.officials.order_by("order").values_list("order", flat=True))
    ballots = Ballot.objects.filter(session=session, entry_pass=entry_pass)
    counts = ballots.aggregate(
        entered=Count("pk", filter=Q(voided=False)), voided=Count("pk", filter=Q(voided=True))
    )
    page = page_of(request, ballots.select_related("entered_by").order_by("number"))
    marks: dict[int, dict[int, str]] = defaultdict(dict)
    for ballot_id, order, value in Mark.objects.filter(
        ballot_id__in=[ballot.pk for ballot in page]
    ).values_list("ballot_id", "official__order", "value"):
        marks[ballot_id][order] = value
    reasons = dict(InvalidReason.choices)
    rows = []
    for ballot in page:
        stored = marks.get(ballot.pk, {})
        rows.append(
            {
                "ballot": ballot,
                "letters": []
                if ballot.invalid_reason
                else [MARK_LETTERS.get(stored.get(order), "?") for order in orders],
                "invalid_label": reasons.get(ballot.invalid_reason, ""),
            }
        )
    context = {
        "session": session,
        "entry_pass": entry_pass,
        "rows": rows,
        "page": page,
        "entered": counts["entered"],
        "voided": counts["voided"],
        "limit": _limit(session),
        "legend": _legend(),
        "counting": lifecycle.counting_open(session),
    }
    return render(request, "ballots/ballot_list.html", context)


# --- one ballot: correct, void ------------------------------------------------------------


def _ballot_for(session: VoteSession, entry_pass: int, number: int) -> Ballot:
    return get_object_or_404(
        Ballot.objects.select_related("entered_by"),
        session=session,
        entry_pass=entry_pass,
        number=number,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ballot_edit(request, pk, entry_pass, number):
    session = get_pass_for(request, pk, entry_pass, mode="edit")
    ballot = _ballot_for(session, entry_pass, number)
    officials = list(session.officials.order_by("order"))
    stored = dict(ballot.marks.values_list("official__order", "value"))
    initial = {mark_field_name(order): value for order, value in stored.items()}
    initial.update(invalid_reason=ballot.invalid_reason, invalid_note=ballot.invalid_note)
    data = request.POST if request.method == "POST" else None
    form = BallotCorrectForm(data, officials=officials, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ballot_services.ballot_correct(
                user=request.user,
                ballot=ballot,
                entry=form.ballot_input(),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Ballot %(number)d corrected.") % {"number": ballot.number})
            return redirect("ballots:ballot_list", pk=session.pk, entry_pass=entry_pass)
    closed_message = _closed_message(session)
    editable = not closed_message and not ballot.voided
    context = {
        "session": session,
        "entry_pass": entry_pass,
        "ballot": ballot,
        "closed_message": closed_message,
        "void_form": BallotVoidForm(),
        "legend": _legend(),
        **_widget_context(officials=officials, form=form, editable=editable),
    }
    return render(request, "ballots/ballot_edit.html", context)


@login_required
@require_POST
def ballot_void(request, pk, entry_pass, number):
    session = get_pass_for(request, pk, entry_pass, mode="edit")
    ballot = _ballot_for(session, entry_pass, number)
    form = BallotVoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return redirect("ballots:ballot_edit", pk=session.pk, entry_pass=entry_pass, number=number)
    try:
        ballot_services.ballot_void(
            user=request.user, ballot=ballot, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("ballots:ballot_edit", pk=session.pk, entry_pass=entry_pass, number=number)
    messages.success(
        request,
        _("Ballot %(number)d voided: it stays on record but no longer counts.")
        % {"number": number},
    )
    return redirect("ballots:ballot_list", pk=session.pk, entry_pass=entry_pass)


urlpatterns = [
    path("<int:pk>/count/pass/<int:entry_pass>/", ballot_entry, name="entry"),
    path("<int:pk>/count/pass/<int:entry_pass>/ballots/", ballot_list, name="ballot_list"),
    path(
        "<int:pk>/count/pass/<int:entry_pass>/ballots/<int:number>/",
        ballot_edit,
        name="ballot_edit",
    ),
    path(
        "<int:pk>/count/pass/<int:entry_pass>/ballots/<int:number>/void/",
        ballot_void,
        name="ballot_void",
    ),
]
