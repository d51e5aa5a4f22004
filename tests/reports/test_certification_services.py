"""The certification services: confirm, certify (render and sign outside the transaction),
reopen, download and the scanned paper minutes. Exact messages; nothing saved on refusal."""

import hashlib

import pytest
from django.db import transaction
from django.utils import translation

from ballots.services import ballots_import, count_close, count_record_collected
from confidence_vote.lib.signing import signature_report
from reports import services
from reports.key_services import trial_signer_install
from reports.keys import organization_certificate
from reports.models import Confirmation, DocumentDownload, DocumentKind, SignedDocument
from reports.selectors import confirmation_state, tally_for_session
from reports.services import (
    document_download,
    paper_minutes_upload,
    result_certify,
    result_confirm,
    result_reopen,
)
from sessions.errors import DomainError
from sessions.models import AuditEntry, CommitteeMember, Role, SessionStatus
from tests.ballots import make_chair_user, make_counting_session
from tests.factories import PASSWORD, make_committee_member, make_user
from tests.reports.test_tally import pile

PDF = b"%PDF-1.4\n% scanned paper minutes\n%%EOF\n"


@pytest.fixture(autouse=True)
def signing_dir(settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted on their English msgids.
    with translation.override("en"):
        yield


@pytest.fixture
def chair(org):
    return make_chair_user(org)


@pytest.fixture
def member(org):
    return make_user("thanh-vien", organization=org, roles=[Role.COUNTING])


def counted_session(org, chair, member, *, close=True):
    session = make_counting_session(org, chair=chair, members=[member], double_entry=False)
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(*[("high",) * 5] * 28))
    if close:
        count_record_collected(user=chair, session=session, ballots_collected=28)
        count_close(user=chair, session=session)
    session.refresh_from_db()
    return session


@pytest.fixture
def counted(org, chair, member):
    trial_signer_install(organization=org)
    return counted_session(org, chair, member)


def confirm_all(session, *users):
    for user in users:
        result_confirm(user=user, session=session, password=PASSWORD)


@pytest.fixture
def certified(counted, chair, member):
    confirm_all(counted, chair, member)
    result_certify(user=chair, session=counted)
    counted.refresh_from_db()
    return counted


def audits(session, action):
    return AuditEntry.objects.filter(session=session, action=action)


# --- result_confirm --------------------------------------------------------------------------


def test_confirm_records_version_and_fingerprint(counted, member):
    confirmation = result_confirm(user=member, session=counted, password=PASSWORD)
    assert confirmation.version == 1
    # Members confirm the keyed draft code, never the plain fingerprint (guessable).
    assert confirmation.fingerprint == tally_for_session(session=counted).draft_code(version=1)
    assert confirmation.member == CommitteeMember.objects.get(session=counted, user=member)
    entry = audits(counted, "result.confirm").get()
    assert entry.user == member
    assert entry.data["fingerprint"] == confirmation.fingerprint
    # Confirming again is harmless: the same confirmation, no second entry.
    again = result_confirm(user=member, session=counted, password=PASSWORD)
    assert again.pk == confirmation.pk
    assert Confirmation.objects.filter(session=counted).count() == 1
    assert audits(counted, "result.confirm").count() == 1


def test_confirm_with_a_wrong_password_saves_nothing(counted, member):
    with pytest.raises(DomainError, match="^The password is not right.$") as exc:
        result_confirm(user=member, session=counted, password="sai-mat-khau")
    assert exc.value.field == "password"
    assert not Confirmation.objects.exists()
    assert not audits(counted, "result.confirm").exists()


def test_confirm_only_by_a_committee_member(counted, counting_member, leader):
    for user in (counting_member, leader, None):
        with pytest.raises(
            DomainError, match="Only members of this session's counting committee may do this."
        ):
            result_confirm(user=user, session=counted, password=PASSWORD)
    assert not Confirmation.objects.exists()


def test_confirm_only_once_the_count_is_closed(org, chair, member):
    session = counted_session(org, chair, member, close=False)
    with pytest.raises(
        DomainError,
        match="The result can be confirmed and certified only once the count is closed.",
    ):
        result_confirm(user=member, session=session, password=PASSWORD)
    assert not Confirmation.objects.exists()


def test_confirmation_state_lists_who_is_missing(counted, chair, member):
    state = confirmation_state(session=counted)
    assert state["version"] == 1
    assert [row["member"].full_name for row in state["members"]] == [
        "Đỗ Văn Chánh",
        "Phạm Văn Kiểm 2",
    ]
    assert state["missing"] == ["Đỗ Văn Chánh", "Phạm Văn Kiểm 2"]
    assert state["all_confirmed"] is False
    result_confirm(user=member, session=counted, password=PASSWORD)
    state = confirmation_state(session=counted)
    assert state["missing"] == ["Đỗ Văn Chánh"]
    assert state["members"][1]["confirmed_at"] is not None
    result_confirm(user=chair, session=counted, password=PASSWORD)
    assert confirmation_state(session=counted)["all_confirmed"] is True


# --- result_certify --------------------------------------------------------------------------


def test_certify_signs_both_documents(certified, chair, org):
    documents = SignedDocument.objects.filter(session=certified).order_by("kind")
    assert [d.kind for d in documents] == [DocumentKind.MINUTES, DocumentKind.REPORT]
    assert certified.status == SessionStatus.CERTIFIED
    fingerprint = tally_for_session(session=certified).fingerprint()
    names = {d.kind: d.file_name for d in documents}
    assert names == {
        "minutes": "Biên bản kiểm phiếu - v1.pdf",
        "report": "Báo cáo kết quả lấy phiếu tín nhiệm - v1.pdf",
    }
    certificate = organization_certificate(org)
    for document in documents:
        content = bytes(document.content)
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.result_fingerprint == fingerprint
        assert document.version == 1
        assert document.certified_by == chair
        assert document.superseded_at is None
        report = signature_report(content, trusted_certificates=[certificate])
        assert report.signed and report.intact and report.trusted
    entry = audits(certified, "result.certify").get()
    assert entry.data["documents"] == {d.kind: d.sha256 for d in documents}
    assert entry.data["version"] == 1


def test_certify_only_by_the_chair(counted, chair, member):
    confirm_all(counted, chair, member)
    with pytest.raises(DomainError, match="Only the chair of the counting committee may do this."):
        result_certify(user=member, session=counted)
    counted.refresh_from_db()
    assert counted.status == SessionStatus.COUNTED
    assert not SignedDocument.objects.exists()


def test_certify_names_who_has_not_confirmed(counted, chair, member):
    result_confirm(user=chair, session=counted, password=PASSWORD)
    with pytest.raises(
        DomainError,
        match="^Not every committee member has confirmed this result yet. Missing: "
        "Phạm Văn Kiểm 2.$",
    ):
        result_certify(user=chair, session=counted)
    counted.refresh_from_db()
    assert counted.status == SessionStatus.COUNTED
    assert not SignedDocument.objects.exists()
    assert not audits(counted, "result.certify").exists()


def test_certify_asks_to_link_a_member_without_an_account(counted, chair, member):
    confirm_all(counted, chair, member)
    make_committee_member(counted, full_name="Trần Thị Không Tài Khoản")
    with pytest.raises(
        DomainError,
        match="Trần Thị Không Tài Khoản has no user account and cannot confirm: link an "
        "account to them on the committee page first.",
    ):
        result_certify(user=chair, session=counted)
    assert not SignedDocument.objects.exists()


def test_certify_only_a_closed_count(org, chair, member):
    trial_signer_install(organization=org)
    session = counted_session(org, chair, member, close=False)
    with pytest.raises(
        DomainError,
        match="The result can be confirmed and certified only once the count is closed.",
    ):
        result_certify(user=chair, session=session)
    assert not SignedDocument.objects.exists()


def test_certify_without_a_certificate_is_refused(org, chair, member):
    session = counted_session(org, chair, member)
    confirm_all(session, chair, member)
    with pytest.raises(DomainError, match="No signing certificate is configured"):
        result_certify(user=chair, session=session)
    session.refresh_from_db()
    assert session.status == SessionStatus.COUNTED
    assert not SignedDocument.objects.exists()


def test_a_confirmation_of_an_older_result_does_not_count(counted, chair, member):
    confirm_all(counted, chair, member)
    # The stored confirmation is of other data: as if the count was corrected since.
    Confirmation.objects.filter(user=member).update(fingerprint="0" * 64)
    with pytest.raises(DomainError, match="Missing: Phạm Văn Kiểm 2."):
        result_certify(user=chair, session=counted)
    # Confirming again replaces the stale confirmation.
    result_confirm(user=member, session=counted, password=PASSWORD)
    assert Confirmation.objects.filter(user=member).get().fingerprint != "0" * 64
    assert audits(counted, "result.confirm").count() == 3


def test_certify_refuses_when_the_result_changed_while_signing(counted, chair, member, monkeypatch):
    confirm_all(counted, chair, member)
    real_sign = services.sign_pdf_with

    def sign_then_change(pdf, **kwargs):
        # Someone reopens the version meanwhile (simulated by bumping it in the database).
        type(counted).objects.filter(pk=counted.pk).update(result_version=2)
        return real_sign(pdf, **kwargs)

    monkeypatch.setattr(services, "sign_pdf_with", sign_then_change)
    with pytest.raises(
        DomainError,
        match="^The result changed while the documents were being signed; certify again.$",
    ):
        result_certify(user=chair, session=counted)
    counted.refresh_from_db()
    assert counted.status == SessionStatus.COUNTED
    assert not SignedDocument.objects.exists()
    assert not audits(counted, "result.certify").exists()


@pytest.mark.django_db(transaction=True)
def test_rendering_and_signing_run_outside_any_transaction(org, chair, member, monkeypatch):
    trial_signer_install(organization=org)
    session = counted_session(org, chair, member)
    confirm_all(session, chair, member)
    real_render = services.render_results_documents
    real_sign = services.sign_pdf_with
    calls = []

    def render(**kwargs):
        assert not transaction.get_connection().in_atomic_block
        calls.append(("render", kwargs["kinds"], kwargs["official"]))
        return real_render(**kwargs)

    def sign(pdf, **kwargs):
        assert not transaction.get_connection().in_atomic_block
        calls.append(("sign", kwargs["reason"], kwargs["location"]))
        return real_sign(pdf, **kwargs)

    monkeypatch.setattr(services, "render_results_documents", render)
    monkeypatch.setattr(services, "sign_pdf_with", sign)
    documents = result_certify(user=chair, session=session)
    assert len(documents) == 2
    reason = "Kết quả lấy phiếu tín nhiệm — phiên bản 1"
    # Each document rendered once (both at the same time), then each signed once.
    assert calls == [
        ("render", ("minutes", "report"), True),
        ("sign", reason, org.place),
        ("sign", reason, org.place),
    ]


def test_certification_signs_the_documents_render_document_makes(
    counted, chair, member, monkeypatch
):
    from reports.documents import render_document

    confirm_all(counted, chair, member)
    signed_pdfs = {}
    real_sign = services.sign_pdf_with

    def sign(pdf, **kwargs):
        signed_pdfs[len(signed_pdfs)] = pdf
        return real_sign(pdf, **kwargs)

    monkeypatch.setattr(services, "sign_pdf_with", sign)
    documents = result_certify(user=chair, session=counted)
    # Rendered at the same time (a worker process may lay one out), yet byte for byte what
    # the one-document path makes; the stored file is that PDF with the signature appended.
    expected = [
        render_document(session=counted, kind=kind, official=True) for kind in ("minutes", "report")
    ]
    assert [signed_pdfs[0], signed_pdfs[1]] == expected
    for document, pdf in zip(documents, expected, strict=True):
        assert bytes(document.content).startswith(pdf)


# --- result_reopen ---------------------------------------------------------------------------


def test_reopen_supersedes_and_starts_a_new_version(certified, chair):
    session = result_reopen(user=chair, session=certified, reason="  Sai sót   ở phiếu số 7 ")
    assert session.status == SessionStatus.COUNTING
    assert session.result_version == 2
    documents = SignedDocument.objects.filter(session=certified)
    assert documents.count() == 2
    assert all(d.superseded_at is not None for d in documents)
    entry = audits(certified, "result.reopen").get()
    assert entry.reason == "Sai sót ở phiếu số 7"
    assert entry.data["version"] == [1, 2]
    assert sorted(entry.data["superseded_documents"]) == sorted(d.pk for d in documents)
    # The new version needs confirming again: no confirmation of version 2 yet.
    state = confirmation_state(session=session)
    assert state["version"] == 2
    assert state["all_confirmed"] is False


def test_reopen_then_certify_again_as_version_two(certified, chair, member):
    result_reopen(user=chair, session=certified, reason="Sửa phiếu")
    certified.refresh_from_db()
    count_close(user=chair, session=certified)
    confirm_all(certified, chair, member)
    documents = result_certify(user=chair, session=certified)
    assert {d.version for d in documents} == {2}
    assert {d.file_name for d in documents} == {
        "Biên bản kiểm phiếu - v2.pdf",
        "Báo cáo kết quả lấy phiếu tín nhiệm - v2.pdf",
    }
    assert SignedDocument.objects.filter(session=certified, superseded_at__isnull=True).count() == 2
    assert SignedDocument.objects.filter(session=certified).count() == 4


def test_reopen_needs_a_reason(certified, chair):
    with pytest.raises(DomainError, match="^Give the reason for reopening the certified result.$"):
        result_reopen(user=chair, session=certified, reason="   ")
    certified.refresh_from_db()
    assert certified.status == SessionStatus.CERTIFIED
    assert certified.result_version == 1
    assert not SignedDocument.objects.filter(superseded_at__isnull=False).exists()


def test_reopen_only_by_the_chair_and_only_certified(certified, counted, member, chair):
    with pytest.raises(DomainError, match="Only the chair of the counting committee may do this."):
        result_reopen(user=member, session=certified, reason="x")
    result_reopen(user=chair, session=certified, reason="x")
    with pytest.raises(DomainError, match="^Only a certified result can be reopened.$"):
        result_reopen(user=chair, session=certified, reason="x")
    certified.refresh_from_db()
    assert certified.result_version == 2


# --- downloads and the paper minutes ---------------------------------------------------------


def test_download_is_recorded(certified, leader):
    document = SignedDocument.objects.filter(session=certified, kind="report").get()
    download = document_download(user=leader, document=document)
    assert download.user == leader
    assert DocumentDownload.objects.filter(document=document).count() == 1
    entry = audits(certified, "document.download").get()
    assert entry.user == leader
    assert entry.data["sha256"] == document.sha256


def test_paper_minutes_kept_once_per_version(certified, chair):
    document = paper_minutes_upload(
        user=chair, session=certified, content=PDF, file_name="C:\\scan\\Biên bản ký tay.pdf"
    )
    assert document.kind == DocumentKind.PAPER_MINUTES
    assert document.version == 1
    assert document.file_name == "Biên bản ký tay.pdf"
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert audits(certified, "document.paper_minutes").count() == 1
    with pytest.raises(
        DomainError,
        match="^The scanned paper minutes of version 1 are already kept; documents cannot be "
        "replaced.$",
    ):
        paper_minutes_upload(user=chair, session=certified, content=PDF + b"2", file_name="b.pdf")
    assert SignedDocument.objects.filter(kind=DocumentKind.PAPER_MINUTES).count() == 1


def test_paper_minutes_refusals(certified, counted, chair, member, settings):
    settings.DOSSIER_MAX_BYTES = 1024 * 1024
    cases = [
        (member, PDF, "Only the chair of the counting committee may do this."),
        (chair, b"GIF89a", "The file must be a PDF document; this file is not a PDF."),
        (chair, PDF + b"0" * 1024 * 1024, "The file is larger than 1.0\xa0MB, the most accepted."),
    ]
    for user, content, message in cases:
        with pytest.raises(DomainError) as exc:
            paper_minutes_upload(user=user, session=certified, content=content, file_name="a.pdf")
        assert str(exc.value) == message
    assert not SignedDocument.objects.filter(kind=DocumentKind.PAPER_MINUTES).exists()
    assert not audits(certified, "document.paper_minutes").exists()


def test_paper_minutes_only_once_certified(org, chair, member):
    session = counted_session(org, chair, member)
    with pytest.raises(
        DomainError,
        match="^The scanned paper minutes can be uploaded once the result is certified.$",
    ):
        paper_minutes_upload(user=chair, session=session, content=PDF, file_name="a.pdf")
    assert not SignedDocument.objects.exists()
