"""The sign-off page: the committee confirms the closed count's result, the chair certifies it
(the signed documents are made then), reopens it with a reason, and uploads the scanned paper
minutes; the signed documents are downloaded here, each download recorded."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from confidence_vote.lib.pdf import render_pool_start_soon
from confidence_vote.security import password_recheck
from reports import services
from reports.details import DETAIL_FIELDS, default_moment, details_for, result_details_update
from reports.forms.signoff import ConfirmForm, PaperMinutesForm, ReopenResultForm, ResultDetailsForm
from reports.models import DocumentKind, SignedDocument
from reports.selectors import confirmation_state
from sessions import lifecycle
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.selectors import certification_readiness


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _documents(session) -> list[SignedDocument]:
    """Every version's documents, the current ones first; the bytes stay in the database."""
    return list(
        SignedDocument.objects.filter(session=session)
        .defer("content")
        .select_related("certified_by")
        .annotate(download_count=Count("downloads"))
        .order_by(F("superseded_at").asc(nulls_first=True), "-version", "kind")
    )


@login_required
@require_safe
def signoff(request, pk):
    session = get_session_for(request, pk, need="view_results")
    state = None
    my_confirmation_pending = False
    if lifecycle.signoff_open(session):
        state = confirmation_state(session=session)
        mine = [row for row in state["members"] if row["user"] == request.user]
        my_confirmation_pending = bool(mine) and mine[0]["confirmed_at"] is None
    documents = _documents(session)
    is_chair = session.access.can("certify")
    is_counted = lifecycle.awaiting_certification(session)
    is_certified = lifecycle.result_final(session)
    context = {
        "session": session,
        "state": state,
        "is_counted": is_counted,
        "is_certified": is_certified,
        "is_chair": is_chair,
        "confirm_form": ConfirmForm() if is_counted and my_confirmation_pending else None,
        "can_certify": is_counted and is_chair and state is not None and state["all_confirmed"],
        "reopen_form": ReopenResultForm() if is_certified and is_chair else None,
        "paper_form": PaperMinutesForm() if is_certified and is_chair else None,
        "current_documents": [d for d in documents if d.superseded_at is None],
        "superseded_documents": [d for d in documents if d.superseded_at is not None],
        "paper_kind": DocumentKind.PAPER_MINUTES,
        "elected": session.profile.body == "elected",
        "details": details_for(session) if state is not None else None,
        "details_form": _details_form(session) if is_counted and is_chair else None,
        "readiness": certification_readiness(organization=session.organization),
        "missing_steps": _missing_steps(session, state) if is_counted and state else [],
    }
    if context["can_certify"]:
        # Certifying is the next step: start the PDF workers it lays its documents out in.
        render_pool_start_soon()
    return render(request, "reports/signoff.html", context)


def _missing_steps(session, state: dict) -> list[dict]:
    """What still stands between the closed count and certification, each with who can fix it
    and where."""
    committee_url = reverse("vote_sessions:committee", kwargs={"pk": session.pk})
    steps = []
    for row in state["members"]:
        name = row["member"].full_name
        if row["user"] is None:
            steps.append(
                {
                    "text": _(
                        "%(name)s has no user account and cannot confirm. The secretariat links "
                        "an account on the committee page (with a reason, now that voting has "
                        "started)."
                    )
                    % {"name": name},
                    "url": committee_url,
                    "link": _("Committee page"),
                }
            )
        elif row["confirmed_at"] is None:
            steps.append(
                {
                    "text": _(
                        "%(name)s (%(username)s) has not confirmed yet: they sign in and confirm "
                        "on this page with their password."
                    )
                    % {"name": name, "username": row["user"].get_username()},
                    "url": "",
                    "link": "",
                }
            )
    return steps


def _details_form(session, data=None) -> ResultDetailsForm:
    details = details_for(session)
    initial = {name: getattr(details, name) for name in DETAIL_FIELDS}
    initial["meeting_body"] = session.meeting_body
    for name in ("count_ended_at", "announced_at"):
        if initial[name] is None:
            initial[name] = default_moment(session)
    return ResultDetailsForm(data, initial=initial, elected=session.profile.body == "elected")


@login_required
@require_POST
def signoff_details(request, pk):
    """The committee chair records the documents' facts (need "chair")."""
    session = get_session_for(request, pk, need="chair")
    form = _details_form(session, request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("reports:signoff", pk=session.pk)
    values = dict(form.cleaned_data)
    meeting_body = values.pop("meeting_body", None)
    for name in ("witnesses", "complaints", "minutes_number", "report_number"):
        values[name] = values.get(name) or ""
    if "resolution_number" in values:
        values["resolution_number"] = values["resolution_number"] or ""
    try:
        result_details_update(
            user=request.user, session=session, meeting_body=meeting_body, **values
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The document details were saved."))
    return redirect("reports:signoff", pk=session.pk)


@login_required
@require_POST
def signoff_confirm(request, pk):
    session = get_session_for(request, pk, need="confirm_result")
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter your password to confirm the result."))
        return redirect("reports:signoff", pk=session.pk)
    try:
        # A wrong password counts as a failed login: guessing it locks the account.
        password_recheck(request, form.cleaned_data["password"])
        services.result_confirm(
            user=request.user, session=session, password=form.cleaned_data["password"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        if not session.access.can("view_results"):
            return redirect("ballots:count", pk=session.pk)
    else:
        messages.success(request, _("You confirmed the result."))
    return redirect("reports:signoff", pk=session.pk)


@login_required
@require_POST
def certify(request, pk):
    session = get_session_for(request, pk, need="chair")
    try:
        documents = services.result_certify(user=request.user, session=session)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The result is certified: %(count)d signed documents were issued.")
            % {"count": len(documents)},
        )
    return redirect("reports:signoff", pk=session.pk)


@login_required
@require_POST
def reopen_result(request, pk):
    session = get_session_for(request, pk, need="chair")
    form = ReopenResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for reopening the certified result."))
        return redirect("reports:signoff", pk=session.pk)
    try:
        services.result_reopen(
            user=request.user, session=session, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "The result was reopened. Its signed documents are kept, marked superseded; "
                "the count is open again."
            ),
        )
    return redirect("reports:signoff", pk=session.pk)


@login_required
@require_POST
def paper_minutes(request, pk):
    session = get_session_for(request, pk, need="chair")
    form = PaperMinutesForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("reports:signoff", pk=session.pk)
    try:
        services.paper_minutes_upload(
            user=request.user,
            session=session,
            content=form.cleaned_data["content"],
            file_name=form.cleaned_data["file_name"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The scanned paper minutes were kept with this version."))
    return redirect("reports:signoff", pk=session.pk)


@login_required
@require_safe
def signed_document(request, pk, document_id):
    session = get_session_for(request, pk, need="view_results")
    document = get_object_or_404(SignedDocument, pk=document_id, session=session)
    return serve_signed(request, document)


def serve_signed(request, document: SignedDocument) -> FileResponse:
    """The stored signed bytes, the download recorded."""
    services.document_download(user=request.user, document=document)
    return FileResponse(
        io.BytesIO(bytes(document.content)),
        as_attachment=True,
        filename=document.file_name,
        content_type="application/pdf",
    )


urlpatterns = [
    path("<int:pk>/results/sign-off/", signoff, name="signoff"),
    path("<int:pk>/results/sign-off/confirm/", signoff_confirm, name="signoff_confirm"),
    path("<int:pk>/results/sign-off/details/", signoff_details, name="signoff_details"),
    path("<int:pk>/results/sign-off/certify/", certify, name="certify"),
    path("<int:pk>/results/sign-off/reopen/", reopen_result, name="reopen_result"),
    path("<int:pk>/results/sign-off/paper-minutes/", paper_minutes, name="paper_minutes"),
    path("<int:pk>/results/signed/<int:document_id>/", signed_document, name="signed_document"),
]
