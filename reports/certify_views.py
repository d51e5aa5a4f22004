"""The sign-off page: the committee confirms the closed count's result, the chair certifies it
(the signed documents are made then), reopens it with a reason, and uploads the scanned paper
minutes; the signed documents are downloaded here, each download recorded."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from confidence_vote.security import password_recheck
from reports import services
from reports.forms import ConfirmForm, PaperMinutesForm, ReopenResultForm
from reports.models import DocumentKind, SignedDocument
from reports.selectors import confirmation_state
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.models import CommitteeRole, SessionStatus

# The result can be confirmed and certified only once the count is closed.
SIGNOFF_STATUSES = {SessionStatus.COUNTED, SessionStatus.CERTIFIED}


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
    session = get_session_for(request, pk, need="results")
    state = None
    my_confirmation_pending = False
    if session.status in SIGNOFF_STATUSES:
        state = confirmation_state(session=session)
        mine = [row for row in state["members"] if row["user"] == request.user]
        my_confirmation_pending = bool(mine) and mine[0]["confirmed_at"] is None
    documents = _documents(session)
    is_chair = session.viewer_committee_role == CommitteeRole.CHAIR
    is_counted = session.status == SessionStatus.COUNTED
    is_certified = session.status == SessionStatus.CERTIFIED
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
    }
    return render(request, "reports/signoff.html", context)


@login_required
@require_POST
def signoff_confirm(request, pk):
    session = get_session_for(request, pk, need="enter_ballots")
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
    session = get_session_for(request, pk, need="results")
    document = get_object_or_404(SignedDocument, pk=document_id, session=session)
    services.document_download(user=request.user, document=document)
    return FileResponse(
        io.BytesIO(bytes(document.content)),
        as_attachment=True,
        filename=document.file_name,
        content_type="application/pdf",
    )
