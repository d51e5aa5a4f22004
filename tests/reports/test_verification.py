"""document_verify: the tamper tests of issue 5. A certified session's signed documents are
built directly: a trial certificate for the organization, the rendered report signed with
sign_pdf, a SignedDocument row."""

import hashlib

import pytest
from django.utils import timezone
from weasyprint import HTML

from confidence_vote.lib.signing import create_trial_certificate, sign_pdf
from reports.documents import render_document, verification_payload
from reports.key_services import trial_signer_install
from reports.keys import organization_signer
from reports.models import SignedDocument
from reports.selectors import tally_for_session
from reports.verification import Verdict, document_verify, fingerprint_lookup, verification_url
from sessions.models import Role, SessionStatus, VoteSession
from tests.factories import make_user
from tests.reports.test_documents import seed_session


@pytest.fixture
def signing_dir(settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"
    return settings.SIGNING_DIR


def store(session, signed: bytes, *, kind="report", version=1, superseded=False):
    certifier = make_user(f"certifier-{version}-{kind}", organization=session.organization)
    return SignedDocument.objects.create(
        session=session,
        version=version,
        kind=kind,
        content=signed,
        sha256=hashlib.sha256(signed).hexdigest(),
        result_fingerprint=tally_for_session(session=session).fingerprint(),
        file_name=f"{kind}-v{version}.pdf",
        certified_by=certifier,
        certified_at=timezone.now(),
        superseded_at=timezone.now() if superseded else None,
    )


def sign_as_organization(session, pdf: bytes) -> bytes:
    bundle, password = organization_signer(session.organization)
    return sign_pdf(pdf, pkcs12=bundle, password=password, reason="Certified", location="VN")


def certify(org):
    """A counted session of `org`, certified, with its signed report stored as version 1.
    Returns (session, unsigned report, signed report)."""
    session = seed_session(org, close=True)
    trial_signer_install(organization=org)
    VoteSession.objects.filter(pk=session.pk).update(status=SessionStatus.CERTIFIED)
    session.refresh_from_db()
    pdf = render_document(session=session, kind="report")
    signed = sign_as_organization(session, pdf)
    store(session, signed)
    return session, pdf, signed


def reopen_and_recertify(session, pdf: bytes) -> bytes:
    """Version 1 superseded, version 2 signed and stored; returns version 2's bytes."""
    SignedDocument.objects.filter(session=session, version=1).update(superseded_at=timezone.now())
    VoteSession.objects.filter(pk=session.pk).update(result_version=2)
    session.refresh_from_db()
    signed = sign_as_organization(session, pdf)
    store(session, signed, version=2)
    return signed


def one_byte_changed(content: bytes, at: float = 0.3) -> bytes:
    changed = bytearray(content)
    index = int(len(changed) * at)
    changed[index] = (changed[index] + 1) % 256
    return bytes(changed)


def resigned_with_another_certificate(pdf: bytes) -> bytes:
    bundle, password = create_trial_certificate(
        organization_name="Kẻ mạo danh", common_name="Người khác"
    )
    return sign_pdf(pdf, pkcs12=bundle, password=password, reason="Forged", location="VN")


def test_the_signed_report_is_authentic(org, signing_dir):
    session, _pdf, signed = certify(org)
    verdict = document_verify(signed)
    assert verdict.status == "authentic"
    assert verdict.is_authentic
    assert verdict.session_id == session.pk
    assert verdict.version == 1
    assert verdict.kind == "report"
    assert verdict.newer_version is None
    assert verdict.certified_at is not None
    assert verdict.signer == org.issuing_body


@pytest.mark.parametrize("at", [0.1, 0.5, 0.999])
def test_one_byte_changed_is_modified(org, signing_dir, at):
    _session, _pdf, signed = certify(org)
    verdict = document_verify(one_byte_changed(signed, at))
    assert verdict == Verdict(status="modified", signer=verdict.signer)
    assert verdict.session_id is None


def test_resigned_with_another_certificate_is_modified(org, signing_dir):
    _session, pdf, signed = certify(org)
    forged = resigned_with_another_certificate(pdf)
    verdict = document_verify(forged)
    assert verdict.status == "modified"
    assert verdict.signer == "Người khác"
    assert verdict.session_id is None
    assert document_verify(signed).status == "authentic"


def test_a_superseded_version_says_which_version_replaced_it(org, signing_dir):
    session, pdf, old = certify(org)
    new = reopen_and_recertify(session, pdf)
    verdict = document_verify(old)
    assert verdict.status == "superseded"
    assert (verdict.session_id, verdict.version, verdict.newer_version) == (session.pk, 1, 2)
    current = document_verify(new)
    assert (current.status, current.version, current.newer_version) == ("authentic", 2, None)


def test_stored_document_that_no_longer_checks_against_the_organization_is_not_authentic(
    org, signing_dir
):
    session, pdf, _signed = certify(org)
    # Stored bytes signed with a certificate the organization never had (the row's content
    # swapped): they do not chain to any of its certificates.
    forged = resigned_with_another_certificate(pdf)
    store(session, forged, kind="minutes")
    assert document_verify(forged).status == "modified"


def test_documents_signed_before_a_renewal_stay_authentic(org, signing_dir):
    _session, _pdf, signed = certify(org)
    # The organization's certificate is replaced (renewed, or a trial by the real one).
    trial_signer_install(organization=org, force=True)
    assert document_verify(signed).status == "authentic"


def test_the_scanned_paper_minutes_are_a_scan_never_authentic(org, signing_dir):
    session, _pdf, _signed = certify(org)
    scan = b"%PDF-1.4\n% a scanned paper with wet signatures\n%%EOF\n"
    store(session, scan, kind="paper_minutes")
    verdict = document_verify(scan)
    assert (verdict.status, verdict.kind, verdict.version) == ("scan", "paper_minutes", 1)
    assert not verdict.is_authentic
    assert verdict.signer == ""


def test_an_unsigned_copy_of_our_report_is_modified(org, signing_dir):
    _session, pdf, _signed = certify(org)
    assert document_verify(pdf).status == "modified"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a pdf at all",
        bytes(range(256)) * 40,
        b"%PDF-1.7\n" + bytes(range(256)) * 40,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    ],
)
def test_garbage_is_unknown_and_never_raises(db, content):
    assert document_verify(content) == Verdict(status="unknown")


def test_someone_elses_pdf_is_unknown(db):
    pdf = HTML(string="<title>Hóa đơn</title><p>Một tài liệu khác</p>").write_pdf()
    assert document_verify(pdf).status == "unknown"


def test_verification_url_is_the_qr_target(org, settings):
    settings.PUBLIC_BASE_URL = "https://phieu.example.gov.vn"
    tally = tally_for_session(session=seed_session(org))
    expected = f"https://phieu.example.gov.vn/verify/?fp={tally.fingerprint()}"
    assert verification_url(tally.fingerprint()) == expected
    assert verification_payload(tally.fingerprint()) == expected


def test_fingerprint_lookup(org, signing_dir):
    session, pdf, _signed = certify(org)
    fingerprint = tally_for_session(session=session).fingerprint()
    assert fingerprint_lookup(fingerprint).session == session
    assert fingerprint_lookup(fingerprint.upper()).version == 1
    reopen_and_recertify(session, pdf)
    assert fingerprint_lookup(fingerprint).version == 2
    assert fingerprint_lookup("0" * 64) is None
    assert fingerprint_lookup("not-hex") is None
    assert fingerprint_lookup("") is None


def test_documents_certified_by_the_service_verify_end_to_end(org, signing_dir):
    from reports.services import result_certify, result_reopen
    from tests.ballots import make_chair_user
    from tests.reports.test_certification_services import confirm_all, counted_session

    chair = make_chair_user(org)
    member = make_user("thanh-vien", organization=org, roles=[Role.COUNTING])
    trial_signer_install(organization=org)
    session = counted_session(org, chair, member)
    confirm_all(session, chair, member)
    documents = result_certify(user=chair, session=session)
    assert {d.kind for d in documents} == {"minutes", "report"}
    for document in documents:
        verdict = document_verify(bytes(document.content))
        assert (verdict.status, verdict.session_id, verdict.version, verdict.kind) == (
            "authentic",
            session.pk,
            1,
            document.kind,
        )
        assert document_verify(one_byte_changed(bytes(document.content))).status == "modified"
    session.refresh_from_db()
    result_reopen(user=chair, session=session, reason="Nhập sai một phiếu")
    verdict = document_verify(bytes(documents[0].content))
    assert (verdict.status, verdict.newer_version) == ("superseded", 2)
