"""The reports app's words in the history: confirmation, certification, reopening, downloads.
A result's fingerprint is shown only to those who may see results."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from reports.models import DocumentKind
from sessions.audit import AuditContext, Vocabulary, register_vocabulary


def _kind(value: Any, ctx: AuditContext) -> str:
    return str(dict(DocumentKind.choices).get(value, value))


def _documents(value: Any, ctx: AuditContext) -> str:
    if not isinstance(value, dict):
        return str(value)
    return "; ".join(f"{_kind(kind, ctx)}: {sha256}" for kind, sha256 in value.items())


register_vocabulary(
    Vocabulary(
        labels={
            "result.confirm": _("Result confirmed by a committee member"),
            "result.details": _("Document details recorded (times, numbers, resolution)"),
            "result.certify": _("Result certified; documents signed"),
            "result.reopen": _("Certified result reopened"),
            "document.download": _("Signed document downloaded"),
            "document.paper_minutes": _("Scanned paper minutes uploaded"),
            # Organization-level entries (no session): the signing key, set by a superuser.
            "signing.upload": _("Signing certificate file installed"),
            "signing.trial": _("Trial signing certificate made"),
            "signing.pkcs11": _("Signing key on a token configured"),
        },
        fields={
            "version": _("Version"),
            "fingerprint": _("Result fingerprint"),
            "replaces_fingerprint": _("Replaces the fingerprint"),
            "documents": _("Documents"),
            "superseded_documents": _("Superseded documents"),
            "document": _("Document"),
            "kind": _("Kind"),
            "sha256": _("SHA-256"),
        },
        formatters={"kind": _kind, "documents": _documents},
        field_needs={"fingerprint": "view_results", "replaces_fingerprint": "view_results"},
    )
)
