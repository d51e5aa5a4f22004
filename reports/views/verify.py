"""The public verification page: anyone holding a PDF can check it, without logging in.

It says only what the document itself shows (session title, organization, date, version,
kind) and is rate-limited per client IP address, so it cannot be used to probe the archive.
"""

import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from confidence_vote.lib.uploads import UploadKind, UploadRefused, read_upload
from confidence_vote.security import client_ip
from reports.models import DocumentKind
from reports.verification import document_verify, fingerprint_lookup
from sessions.models import VoteSession

RATE_WINDOW_SECONDS = 10 * 60


class VerifyForm(forms.Form):
    document = forms.FileField(
        label=gettext_lazy("Document (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        try:
            self.content = read_upload(document, kind=UploadKind.PDF)
        except UploadRefused as exc:
            raise forms.ValidationError(exc.message, code="refused") from None
        return document


def _over_limit(request) -> bool:
    """Count one check for this client; True when it is over VERIFY_RATE_LIMIT in the
    current 10-minute window. The count lives in the shared cache (the database, or Redis),
    so every worker and restart sees it."""
    window = int(time.time() // RATE_WINDOW_SECONDS)
    key = f"verify-rate:{client_ip(request) or 'unknown'}:{window}"
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
        count = 1
    return count > settings.VERIFY_RATE_LIMIT


def _session_facts(session_id: int | None) -> VoteSession | None:
    if session_id is None:
        return None
    return VoteSession.objects.select_related("organization").filter(pk=session_id).first()


def _lookup(fingerprint: str) -> dict:
    document = fingerprint_lookup(fingerprint)
    if document is None:
        return {"found": False}
    return {
        "found": True,
        "session": document.session,
        "version": document.version,
        "superseded": document.superseded_at is not None,
        "newer_version": document.session.result_version,
    }


@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    fingerprint = request.GET.get("fp", "").strip()
    checking = request.method == "POST" or bool(fingerprint)
    if checking and _over_limit(request):
        return render(
            request,
            "reports/verify.html",
            {"form": VerifyForm(), "limited": True, "limit": settings.VERIFY_RATE_LIMIT},
            status=429,
        )
    context = {"fingerprint": fingerprint}
    if fingerprint:
        context["lookup"] = _lookup(fingerprint)
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            verdict = document_verify(form.content)
            context["verdict"] = verdict
            context["verdict_session"] = _session_facts(verdict.session_id)
            context["verdict_kind"] = (
                DocumentKind(verdict.kind).label if verdict.kind in DocumentKind.values else ""
            )
            form = VerifyForm()
    else:
        form = VerifyForm()
    context["form"] = form
    return render(request, "reports/verify.html", context)


# Mounted at the site's root: "/verify/", no login.
urlpatterns = [
    path("verify/", verify, name="verify"),
]
