"""Is this PDF a document this system issued, unchanged? For the public page and the command.

A file is found by the SHA-256 of its bytes among the stored SignedDocuments: the same bytes
are the same document. The minutes, the report and the resolution are then checked once more
against their organization's signing certificates (the configured one and those it replaced).
A file that is not stored but carries a signature or our document marks was issued here and
changed afterwards (one byte edited, or re-signed with another certificate): "modified". An
unsigned file marked as one of our drafts is a "draft": never an official result. A stored scan
of the paper minutes is a "scan": kept with its version, but its content was not produced here
and is not vouched for. Anything else, garbage included, is "unknown".

verify_document's exit status says the same (README): 0 authentic, 1 modified, 2 superseded,
3 draft, 4 scan, 5 unknown.
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

Status = Literal["authentic", "superseded", "modified", "draft", "scan", "unknown"]
EXIT_STATUS: dict[str, int] = {
    "authentic": 0,
    "modified": 1,
    "superseded": 2,
    "draft": 3,
    "scan": 4,
    "unknown": 5,
}
# The keywords our documents carry in their PDF metadata (reports/documents/base.html).
DRAFT_KEYWORD = "confidence-vote-draft"
OFFICIAL_KEYWORD = "confidence-vote-official"
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
    if document.kind == DocumentKind.PAPER_MINUTES:
        return Verdict(
            status="scan",
            session_id=session.pk,
            version=document.version,
            kind=document.kind,
            certified_at=document.certified_at,
            newer_version=session.result_version if document.superseded_at else None,
        )
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
    title, keywords = _metadata(content)
    if title in DOCUMENT_TITLES and DRAFT_KEYWORD in keywords:
        return Verdict(status="draft")
    if b"/ByteRange" in content or title in DOCUMENT_TITLES:
        return Verdict(status="modified")
    return Verdict(status="unknown")


def _signature_report(content: bytes, *, trusted: list[bytes]):
    try:
        return signature_report(content, trusted_certificates=trusted)
    except Exception:  # noqa: BLE001 - a damaged file must give a verdict, never an error page
        logger.info("Signature check failed on an uploaded file", exc_info=True)
        return None


def _metadata(content: bytes) -> tuple[str, str]:
    """The PDF's title and keywords ("" when unreadable): our documents' marks."""
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        info = reader.trailer_view["/Info"]
        return str(info.get("/Title", "")).strip(), str(info.get("/Keywords", ""))
    except Exception:  # noqa: BLE001 - unreadable: not ours as far as we can tell
        return "", ""
