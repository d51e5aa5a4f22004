"""Downloads of the official documents as PDF: the counting minutes, the result report and an
elected body's confirming resolution (need "view_results"), and the blank ballot paper (need
"view": the secretariat prints it before the vote). Fresh renders are "DỰ THẢO" drafts; once
the result is certified every download is the stored signed document of the current version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reports.documents import KINDS, MAX_SPARES, document_filename, render_document
from reports.selectors import current_signed_document
from reports.views.certify import serve_signed
from sessions import lifecycle
from sessions.access import get_session_for
from sessions.errors import DomainError


def _spares(value: str | None) -> int | None:
    """?spares=N as an integer from 0 to MAX_SPARES; None when it is not one."""
    if value is None or value == "":
        return 0
    if not value.isdigit():
        return None
    spares = int(value)
    return spares if spares <= MAX_SPARES else None


@login_required
@require_safe
def document(request, pk: int, kind: str):
    if kind not in KINDS:
        raise Http404
    session = get_session_for(request, pk, need="view" if kind == "ballots" else "view_results")
    spares = _spares(request.GET.get("spares")) if kind == "ballots" else 0
    if spares is None:
        return HttpResponseBadRequest(
            _("Spare ballot papers must be a whole number from 0 to %(max)d.") % {"max": MAX_SPARES}
        )
    if kind != "ballots" and lifecycle.result_final(session):
        # Certified: the stored signed document of the current version, never a fresh render.
        signed = current_signed_document(session=session, kind=kind)
        if signed is None:
            raise Http404
        return serve_signed(request, signed)
    # Reads, then renders: no transaction is held while WeasyPrint works.
    try:
        pdf = render_document(session=session, kind=kind, spares=spares)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reports:results", pk=session.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = content_disposition_header(
        as_attachment=True, filename=document_filename(session=session, kind=kind)
    )
    assert disposition is not None  # always one for an attachment
    response["Content-Disposition"] = disposition
    return response


urlpatterns = [
    path("<int:pk>/results/<str:kind>.pdf", document, name="document"),
]
