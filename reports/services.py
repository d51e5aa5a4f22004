"""Certification: the committee confirms the closed count, the chair certifies it (the minutes
and the report rendered once, signed and kept unchangeable), reopens it with a reason, and
leadership downloads the signed documents."""

import hashlib
from pathlib import PurePath
from typing import TypeGuard

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confidence_vote.lib.signing import sign_pdf_with
from confidence_vote.lib.text import clean_text
from confidence_vote.lib.uploads import UploadKind, UploadRefused, check_content
from reports.documents import TITLES, Kind, render_results_documents
from reports.keys import open_organization_signer
from reports.models import (
    Confirmation,
    DocumentDownload,
    DocumentKind,
    SignedDocument,
)
from reports.selectors import confirmation_code, confirmation_state, tally_for_session
from sessions import lifecycle
from sessions.access import Account, User, require
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.services.common import acting_account, lock_session, validate

# The documents the chair signs: DocumentKind.MINUTES and DocumentKind.REPORT.
SIGNED_KINDS: tuple[Kind, ...] = ("minutes", "report")
PAPER_MINUTES_TITLE = "Biên bản kiểm phiếu có chữ ký (bản quét)"


def _is_account(user: User | None) -> TypeGuard[Account]:
    return user is not None and user.is_authenticated


def signed_file_name(*, kind: str, version: int) -> str:
    """ "Biên bản kiểm phiếu - v1.pdf", the diacritics kept."""
    return f"{TITLES[kind]} - v{version}.pdf"


def signature_reason(version: int) -> str:
    return f"Kết quả lấy phiếu tín nhiệm — phiên bản {version}"


# --- confirming ------------------------------------------------------------------------------


@transaction.atomic
def result_confirm(*, user: User | None, session: VoteSession, password: str) -> Confirmation:
    """A committee member confirms the closed count's current result, re-entering their
    password. Confirming again the same result returns the existing confirmation; a
    confirmation of an earlier fingerprint (the count was corrected since) is replaced."""
    session = lock_session(session)
    lifecycle.transition_check(session, "certify")
    member = require(user=user, session=session, capability="confirm_result").seat
    assert member is not None  # confirm_result comes with a seat on the committee
    account = acting_account(user)
    if not account.check_password(password or ""):
        raise DomainError(_("The password is not right."), field="password")
    fingerprint = confirmation_code(session=session)
    version = session.result_version
    existing = Confirmation.objects.filter(session=session, version=version, member=member).first()
    if existing is not None and existing.fingerprint == fingerprint:
        return existing
    data = {"version": version, "fingerprint": fingerprint, "member": member.full_name}
    if existing is not None:
        data["replaces_fingerprint"] = existing.fingerprint
        existing.delete()
    confirmation = Confirmation(
        session=session, version=version, member=member, user=account, fingerprint=fingerprint
    )
    validate(confirmation)
    confirmation.save()
    audit_record(action="result.confirm", user=user, session=session, data=data)
    return confirmation


# --- certifying ------------------------------------------------------------------------------


def _require_all_confirmed(*, session: VoteSession, fingerprint: str) -> None:
    state = confirmation_state(session=session, fingerprint=fingerprint)
    if not state["members"]:
        raise DomainError(_("The counting committee has no members."))
    unlinked = [row["member"].full_name for row in state["members"] if row["user"] is None]
    if unlinked:
        raise DomainError(
            _(
                "%(names)s has no user account and cannot confirm: link an account to them "
                "on the committee page first."
            )
            % {"names": ", ".join(unlinked)}
        )
    if state["missing"]:
        raise DomainError(
            _("Not every committee member has confirmed this result yet. Missing: %(names)s.")
            % {"names": ", ".join(state["missing"])}
        )


def signed_kinds(session: VoteSession) -> tuple[Kind, ...]:
    """What certification signs: the minutes and the report; for an elected body also the
    resolution confirming the result, archived with them."""
    if session.profile.body == "elected":
        return (*SIGNED_KINDS, "resolution")
    return SIGNED_KINDS


def result_certify(*, user: User | None, session: VoteSession) -> list[SignedDocument]:
    """The chair certifies the confirmed result: the minutes and the report are rendered and
    signed OUTSIDE any transaction (slow), then stored in one short transaction that checks
    nothing changed meanwhile. The documents say "KẾT QUẢ CHÍNH THỨC". An elected body's
    confirming resolution is signed and archived with them (signed_kinds)."""
    session = VoteSession.objects.select_related("organization").get(pk=session.pk)
    require(user=user, session=session, capability="certify")
    lifecycle.transition_check(session, "certify")
    version = session.result_version
    tally = tally_for_session(session=session)
    _require_all_confirmed(
        session=session, fingerprint=confirmation_code(session=session, tally=tally)
    )
    fingerprint = tally.fingerprint()
    organization = session.organization

    # The signer the organization's setup names: its .p12, or its key on a PKCS#11 token
    # (whose session stays open for every document). Checked before anything is rendered.
    # Each document is rendered once, from the tally just counted (laid out at the same
    # time as the others), and signed once; what is signed is what is stored.
    signed: dict[str, bytes] = {}
    with open_organization_signer(organization) as signer:
        pdfs = render_results_documents(
            session=session, kinds=signed_kinds(session), official=True, tally=tally
        )
        for kind, pdf in pdfs.items():
            signed[kind] = sign_pdf_with(
                pdf,
                signer=signer,
                reason=signature_reason(version),
                location=organization.place,
            )
    return _store_certified(
        user=user, session=session, version=version, fingerprint=fingerprint, signed=signed
    )


@transaction.atomic
def _store_certified(
    *,
    user: User | None,
    session: VoteSession,
    version: int,
    fingerprint: str,
    signed: dict[str, bytes],
) -> list[SignedDocument]:
    session = lock_session(session)
    if (
        not lifecycle.transition_allowed(session, "certify")
        or session.result_version != version
        or tally_for_session(session=session).fingerprint() != fingerprint
    ):
        raise DomainError(
            _("The result changed while the documents were being signed; certify again.")
        )
    now = timezone.now()
    documents = []
    for kind, content in signed.items():
        document = SignedDocument(
            session=session,
            version=version,
            kind=kind,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            result_fingerprint=fingerprint,
            file_name=signed_file_name(kind=kind, version=version),
            certified_by=acting_account(user),
            certified_at=now,
        )
        validate(document)
        document.save()
        documents.append(document)
    session.save(update_fields=lifecycle.transition_apply(session, "certify"))
    audit_record(
        action="result.certify",
        user=user,
        session=session,
        data={
            "version": version,
            "fingerprint": fingerprint,
            "documents": {d.kind: d.sha256 for d in documents},
        },
    )
    return documents


# --- reopening -------------------------------------------------------------------------------


@transaction.atomic
def result_reopen(*, user: User | None, session: VoteSession, reason: str) -> VoteSession:
    """The chair reopens a certified result, with a reason: the current version's documents
    are marked superseded (kept, still downloadable), a new version begins and the count
    returns to counting, to be corrected, closed, confirmed and certified again."""
    session = lock_session(session)
    require(user=user, session=session, capability="chair")
    lifecycle.transition_check(session, "reopen_result")
    reason = clean_text(reason or "")
    if not reason:
        raise DomainError(_("Give the reason for reopening the certified result."), field="reason")
    now = timezone.now()
    old_version = session.result_version
    superseded = SignedDocument.objects.filter(
        session=session, version=old_version, superseded_at__isnull=True
    )
    superseded_ids = sorted(superseded.values_list("pk", flat=True))
    superseded.update(superseded_at=now)
    session.result_version = old_version + 1
    fields = lifecycle.transition_apply(session, "reopen_result")
    session.save(update_fields=["result_version", *fields])
    audit_record(
        action="result.reopen",
        user=user,
        session=session,
        data={
            "version": [old_version, session.result_version],
            "superseded_documents": superseded_ids,
        },
        reason=reason,
    )
    return session


# --- downloads and the paper minutes ---------------------------------------------------------


@transaction.atomic
def document_download(*, user: User | None, document: SignedDocument) -> DocumentDownload:
    """Record a download of a signed document (the view has checked access)."""
    if not _is_account(user):
        raise DomainError(_("Sign in to download signed documents."))
    download = DocumentDownload(document=document, user=user)
    validate(download)
    download.save()
    audit_record(
        action="document.download",
        user=user,
        session=document.session,
        data={
            "document": document.pk,
            "kind": document.kind,
            "version": document.version,
            "sha256": document.sha256,
        },
    )
    return download


def _paper_file_name(file_name: str, version: int) -> str:
    name = clean_text(PurePath((file_name or "").replace("\\", "/")).name)
    if not name:
        name = f"{PAPER_MINUTES_TITLE} - v{version}.pdf"
    if not name.lower().endswith(".pdf"):
        name = f"{name}.pdf"
    return name[-255:]


@transaction.atomic
def paper_minutes_upload(
    *, user: User | None, session: VoteSession, content: bytes, file_name: str
) -> SignedDocument:
    """The chair uploads the scanned paper minutes with wet signatures, kept with the current
    certified version. Documents never change: a second scan for the same version is refused."""
    session = lock_session(session)
    require(user=user, session=session, capability="chair")
    if not lifecycle.result_final(session):
        raise DomainError(
            _("The scanned paper minutes can be uploaded once the result is certified.")
        )
    try:
        check_content(content, kind=UploadKind.PDF)
    except UploadRefused as exc:
        raise DomainError(exc.message, field="file") from None
    version = session.result_version
    if SignedDocument.objects.filter(
        session=session, version=version, kind=DocumentKind.PAPER_MINUTES
    ).exists():
        raise DomainError(
            _(
                "The scanned paper minutes of version %(version)d are already kept; documents "
                "cannot be replaced."
            )
            % {"version": version},
            field="file",
        )
    sha256 = hashlib.sha256(content).hexdigest()
    if SignedDocument.objects.filter(sha256=sha256).exists():
        raise DomainError(_("This very file is already kept."), field="file")
    document = SignedDocument(
        session=session,
        version=version,
        kind=DocumentKind.PAPER_MINUTES,
        content=content,
        sha256=sha256,
        result_fingerprint="",
        file_name=_paper_file_name(file_name, version),
        certified_by=acting_account(user),
        certified_at=timezone.now(),
    )
    validate(document)
    document.save()
    audit_record(
        action="document.paper_minutes",
        user=user,
        session=session,
        data={"document": document.pk, "version": version, "sha256": sha256},
    )
    return document
