"""Uploading a scan file of ballot papers in the browser, and following its reading.

The file is checked (the shared upload validator: size, and PDF, TIFF, JPEG or PNG by its
first bytes), its batch queued (refused at once when imported before or the pass is not the
user's), saved to a temporary file and read outside the request (reports.scan_worker). The
progress page polls a small JSON answer until the batch is done or failed.
"""

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from ballots.forms.upload import BallotUploadForm
from ballots.models import EntryPass, ScanBatch, ScanBatchStatus
from ballots.scanning.services import file_sha256, scan_batch_queue
from confidence_vote.lib.text import clean_text
from confidence_vote.lib.uploads import UploadKind, UploadRefused, read_upload
from reports.scan_worker import save_upload, start_reading
from sessions import lifecycle
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.views.common import form_error

FILE_NAME_MAX = 200


class ScanUploadForm(BallotUploadForm):
    """The pass and a scan file; cleaned_data gains "content" and "file_name"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.label = gettext_lazy("Scan file (PDF, TIFF, JPEG or PNG)")
        field.widget = forms.FileInput(
            attrs={"accept": ".pdf,.tif,.tiff,.jpg,.jpeg,.png,application/pdf,image/*"}
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.content = read_upload(upload, kind=UploadKind.SCAN)
        except UploadRefused as exc:
            raise forms.ValidationError(exc.message, code="refused") from None
        return upload

    def clean(self):
        cleaned = forms.Form.clean(self)
        upload = cleaned.get("file")
        if upload is not None and hasattr(self, "content"):
            cleaned["content"] = self.content
            name = clean_text(PurePath(upload.name or "").name.replace("\\", "/").split("/")[-1])
            cleaned["file_name"] = (name or "scan")[:FILE_NAME_MAX]
        return cleaned


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scan_upload(request, pk):
    session = get_session_for(request, pk, need="enter_ballots")
    closed = str(lifecycle.ballots_refused(session) or "")
    entered = session.access.passes_typed
    initial = {"entry_pass": min(entered) if entered else EntryPass.FIRST}
    if request.method == "POST" and not closed:
        form = ScanUploadForm(request.POST, request.FILES, session=session, initial=initial)
        if form.is_valid():
            content = form.cleaned_data["content"]
            try:
                batch = scan_batch_queue(
                    user=request.user,
                    session=session,
                    entry_pass=form.cleaned_data["entry_pass"],
                    file_name=form.cleaned_data["file_name"],
                    sha256=file_sha256(content),
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                start_reading(batch, save_upload(content))
                return redirect("reports:scan_progress", pk=session.pk, batch_id=batch.pk)
    else:
        form = ScanUploadForm(session=session, initial=initial)
    context = {
        "session": session,
        "form": form,
        "closed": closed,
        "max_bytes": settings.SCAN_MAX_BYTES,
    }
    return render(request, "reports/scan_upload.html", context)


def _batch_for(request, pk: int, batch_id: int) -> tuple[VoteSession, ScanBatch]:
    """The batch's own uploader, or the typist of its pass (its results are that pass's
    ballots); a failed upload binds nobody to the pass but stays visible to who sent it."""
    session = get_session_for(request, pk, need="enter_ballots")
    batch = get_object_or_404(ScanBatch, pk=batch_id, session=session)
    mine = batch.imported_by_id == request.user.pk
    if not (mine or session.access.edit_pass(batch.entry_pass)):
        raise PermissionDenied
    return session, batch


def _state(session: VoteSession, batch: ScanBatch) -> dict:
    finished = batch.status in (ScanBatchStatus.DONE, ScanBatchStatus.FAILED)
    total = max(batch.pages_total, batch.pages_done)
    return {
        "status": batch.status,
        "status_label": str(ScanBatchStatus(batch.status).label),
        "finished": finished,
        "pages_done": batch.pages_done,
        "pages_total": total,
        "percent": 100 if finished else (round(100 * batch.pages_done / total) if total else 0),
        "saved": batch.saved,
        "held": batch.held,
        "refused_pages": len(batch.refused),
        "error": batch.error,
        "held_url": reverse(
            "ballots:held_list", kwargs={"pk": session.pk, "entry_pass": batch.entry_pass}
        ),
    }


@login_required
@require_safe
def scan_progress(request, pk, batch_id):
    session, batch = _batch_for(request, pk, batch_id)
    context = {
        "session": session,
        "batch": batch,
        "state": _state(session, batch),
        "refused": batch.result.get("refused", []) if batch.result else [],
        "readings": batch.result.get("readings", []) if batch.result else [],
        "json_url": reverse(
            "reports:scan_progress_json", kwargs={"pk": session.pk, "batch_id": batch.pk}
        ),
    }
    return render(request, "reports/scan_progress.html", context)


@login_required
@require_safe
def scan_progress_json(request, pk, batch_id):
    session, batch = _batch_for(request, pk, batch_id)
    response = JsonResponse(_state(session, batch))
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("<int:pk>/count/scans/upload/", scan_upload, name="scan_upload"),
    path("<int:pk>/count/scans/<int:batch_id>/", scan_progress, name="scan_progress"),
    path(
        "<int:pk>/count/scans/<int:batch_id>/progress.json",
        scan_progress_json,
        name="scan_progress_json",
    ),
]
