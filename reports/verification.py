"""Is this PDF a document this system issued, unchanged? For the public page and the command.

A file is found by the SHA-256 of its bytes among the stored SignedDocuments: the same bytes
are the same document. The minutes, the report and the resolution are then checked once more
against their organization's signing certificates (the configured one and those it replaced).
A file that is not stored but carries a signature or our document marks was issued here and
changed afterwards (one byte edited, or re-signed with another certificate): "modified".
Anything else, garbage included, is "unknown".
The verdict holds only what the document itself shows; nothing here raises on bad input.
"""

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from confidence_vote.lib.signing import signature_report
from confidence_vote.lib.uploads import is_pdf
from reports.keys import organization_trusted_certificates
from reports.models import DocumentKind, SignedDocument

logger = logging.getLogger(__name__)

Status = Literal["authentic", "superseded", "modified", "unknown"]
SIGNED_KINDS = (DocumentKind.MINUTES, DocumentKind.REPORT, DocumentKind.RESOLUTION)
# The titles our signed documents carry in their PDF metadata (reports/documents/*.html).
DOCUMENT_TITLES = (
    "Biên bản kiểm phiếu",
    "Báo cáo kết quả lấy phiếu tín nhiệm",
    "Nghị quyết xác nhận kết quả lấy phiếu tín nhiệm",
)
# A PDF header may follow up to 1024 bytes of junk.
PDF_HEADER_WINDOW = 1024


@dataclass(frozen=True)
class Verdict:
    status: Status
    session_id: int | None = None
    version: int | None = None
    kind: str = ""
    certified_at: datetime | None = None
    newer_version: int | None = None
    signer: str = ""

    @property
    def is_authentic(self) -> bool:
        return self.status == "authentic"


def verification_url(code: str) -> str:
    """The QR code's target: the public verification page, asking about this result."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{reverse('verify')}?fp={code}"


def document_verify(content: bytes) -> Verdict:
    """The verdict on an uploaded file's bytes."""
    if not is_pdf(content):
        return Verdict(status="unknown")
    digest = hashlib.sha256(content).hexdigest()
    document = (
        SignedDocument.objects.select_related("session__organization").filter(sha256=digest).first()
    )
    if document is None:
        return _not_stored(content)
    session = document.session
    signer = ""
    if document.kind in SIGNED_KINDS:
        report = _signature_report(
            content, trusted=organization_trusted_certificates(session.organization)
        )
        if report is None or not (report.signed and report.intact and report.trusted):
            # Our stored bytes no longer check against the organization's certificate.
            return Verdict(status="modified", signer=report.signer if report else "")
        signer = report.signer
    superseded = document.superseded_at is not None
    return Verdict(
        status="superseded" if superseded else "authentic",
        session_id=session.pk,
        version=document.version,
        kind=document.kind,
        certified_at=document.certified_at,
        newer_version=session.result_version if superseded else None,
        signer=signer,
    )


def fingerprint_lookup(fingerprint: str) -> SignedDocument | None:
    """The newest signed minutes or report printed with this result fingerprint, if any."""
    fingerprint = (fingerprint or "").strip().lower()
    if len(fingerprint) != 64 or any(c not in "0123456789abcdef" for c in fingerprint):
        return None
    return (
        SignedDocument.objects.select_related("session__organization")
        .filter(result_fingerprint=fingerprint, kind__in=SIGNED_KINDS)
        .order_by("-version", "kind")
        .first()
    )


def _not_stored(content: bytes) -> Verdict:
    report = _signature_report(content, trusted=[])
    if report is not None and report.signed:
        return Verdict(status="modified", signer=report.signer)
    if _carries_our_marks(content):
        return Verdict(status="modified")
    return Verdict(status="unknown")


def _signature_report(content: bytes, *, trusted: list[bytes]):
    try:
        return signature_report(content, trusted_certificates=trusted)
    except Exception:  # noqa: BLE001 - a damaged file must give a verdict, never an error page
        logger.info("Signature check failed on an uploaded file", exc_info=True)
        return None


def _carries_our_marks(content: bytes) -> bool:
    """A signature dictionary left in the bytes, or our minutes' or report's title in the
    PDF's metadata: a document of ours, changed."""
    if b"/ByteRange" in content:
        return True
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        info = reader.trailer_view["/Info"]
        title = str(info.get("/Title", ""))
    except Exception:  # noqa: BLE001 - unreadable: not ours as far as we can tell
        return False
    return title.strip() in DOCUMENT_TITLES
