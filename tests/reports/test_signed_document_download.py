"""Downloading a signed document: the bytes as stored, under their Vietnamese file name, each
download recorded; only documents of the session in the URL."""

from urllib.parse import quote

from django.urls import reverse

from confidence_vote.lib.signing import signature_report
from reports.keys import organization_certificate
from reports.models import DocumentDownload, DocumentKind, SignedDocument
from reports.services import result_reopen
from sessions.models import AuditEntry
from tests.ballots import make_chair_user
from tests.reports import test_certify_views as certification
from tests.reports.test_certify_views import certified_session

# Fixtures shared with the sign-off views' tests.
certified = certification.certified
chair = certification.chair
counted = certification.counted
signing_dir = certification.signing_dir


def link(session, document):
    return reverse("reports:signed_document", kwargs={"pk": session.pk, "document_id": document.pk})


def report_of(session):
    return SignedDocument.objects.get(session=session, kind=DocumentKind.REPORT)


def test_leader_downloads_the_signed_report(login, org, leader, certified):
    document = report_of(certified)
    response = login(leader).get(link(certified, document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert document.file_name.startswith("Báo cáo")
    assert f"filename*=utf-8''{quote(document.file_name)}" in disposition
    content = b"".join(response.streaming_content)
    assert content == bytes(document.content)
    report = signature_report(content, trusted_certificates=[organization_certificate(org)])
    assert report.signed and report.intact and report.trusted
    download = DocumentDownload.objects.get(document=document)
    assert download.user == leader
    entry = AuditEntry.objects.get(session=certified, action="document.download")
    assert entry.username == "lanh-dao"


def test_each_download_is_recorded(login, leader, counting_member, certified):
    document = report_of(certified)
    login(leader).get(link(certified, document))
    login(counting_member).get(link(certified, document))
    login(leader).get(link(certified, document))
    users = list(
        DocumentDownload.objects.filter(document=document)
        .order_by("pk")
        .values_list("user__username", flat=True)
    )
    assert users == ["lanh-dao", "kiem-phieu", "lanh-dao"]


def test_secretariat_downloads_once_certified(login, secretariat, certified):
    response = login(secretariat).get(link(certified, report_of(certified)))
    assert response.status_code == 200


def test_superseded_document_stays_downloadable(login, leader, chair, certified):
    document = report_of(certified)
    result_reopen(user=chair, session=certified, reason="Sửa phiếu")
    response = login(leader).get(link(certified, document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == bytes(document.content)


def test_document_of_another_session_is_404(login, org, leader, certified, counting_member):
    other = certified_session(org, chair=make_chair_user(org, "to-truong-2"))
    document = report_of(other)
    assert login(leader).get(link(certified, document)).status_code == 404
    assert not DocumentDownload.objects.exists()


def test_unknown_document_is_404(login, leader, certified):
    url = reverse("reports:signed_document", kwargs={"pk": certified.pk, "document_id": 999999})
    assert login(leader).get(url).status_code == 404


def test_permissions(login, outsider, leader, secretariat, chair, certified):
    document = report_of(certified)
    anonymous = login(None).get(link(certified, document))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert login(outsider).get(link(certified, document)).status_code == 404
    assert login(leader).post(link(certified, document)).status_code == 405
    # Reopened: the secretariat waits for the next certification.
    result_reopen(user=chair, session=certified, reason="Sửa phiếu")
    assert login(secretariat).get(link(certified, document)).status_code == 403
    assert not DocumentDownload.objects.exists()


def test_the_obvious_download_after_certification_is_the_signed_file(login, org, leader, certified):
    """ "Báo cáo kết quả (PDF)" on the results page: the stored signed bytes, recorded, that
    verify_document and /verify/ call authentic."""
    from reports.verification import document_verify

    for kind in ("minutes", "report"):
        document = SignedDocument.objects.get(session=certified, kind=kind)
        response = login(leader).get(
            reverse("reports:document", kwargs={"pk": certified.pk, "kind": kind})
        )
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        assert content == bytes(document.content)
        assert document_verify(content).status == "authentic"
        assert DocumentDownload.objects.filter(document=document, user=leader).exists()
