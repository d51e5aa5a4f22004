"""The sign-off's POST views: a member confirms with their password, the chair certifies,
reopens with a reason and uploads the scanned paper minutes. Never a 500; nothing half-saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ballots.services import ballots_import, count_close, count_record_collected
from reports.key_services import trial_signer_install
from reports.keys import organization_certificate
from reports.models import Confirmation, DocumentKind, SignedDocument
from reports.services import result_certify, result_confirm
from sessions.models import AuditEntry, SessionStatus
from tests.ballots import make_chair_user, make_counting_session
from tests.factories import PASSWORD
from tests.reports.test_tally import pile

# --- helpers shared by the certification tests ------------------------------------------------


def counted_session(org, *, chair, members=()):
    """The seed case with its count closed: 28 ballots, every official rated "high"; the
    committee is `chair` and `members`."""
    session = make_counting_session(org, chair=chair, members=members, double_entry=False)
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(*[("high",) * 5] * 28))
    count_record_collected(user=chair, session=session, ballots_collected=28)
    count_close(user=chair, session=session)
    session.refresh_from_db()
    return session


def confirm_all(session):
    for member in session.committee_members.select_related("user"):
        result_confirm(user=member.user, session=session, password=PASSWORD)


def certified_session(org, *, chair, members=()):
    """Counted, confirmed by everyone and certified with a trial certificate."""
    session = counted_session(org, chair=chair, members=members)
    confirm_all(session)
    if organization_certificate(org) is None:
        trial_signer_install(organization=org)
    result_certify(user=chair, session=session)
    session.refresh_from_db()
    return session


@pytest.fixture
def signing_dir(settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"
    return settings.SIGNING_DIR


@pytest.fixture
def signer(org, signing_dir):
    """The organization's trial signing certificate, installed."""
    trial_signer_install(organization=org)
    return organization_certificate(org)


@pytest.fixture
def chair(org):
    return make_chair_user(org)


@pytest.fixture
def counted(org, chair, counting_member, signing_dir):
    return counted_session(org, chair=chair, members=[counting_member])


@pytest.fixture
def certified(org, chair, counting_member, signing_dir):
    return certified_session(org, chair=chair, members=[counting_member])


def url(name, session):
    return reverse(f"reports:{name}", kwargs={"pk": session.pk})


def signoff_page(session):
    return url("signoff", session)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- confirm -------------------------------------------------------------------------------


def test_member_confirms_with_the_right_password(login, counting_member, counted):
    response = login(counting_member).post(
        url("signoff_confirm", counted), {"password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == signoff_page(counted)
    assert "You confirmed the result." in messages_of(response)
    confirmation = Confirmation.objects.get(session=counted)
    assert confirmation.user == counting_member
    assert confirmation.version == 1
    assert AuditEntry.objects.filter(session=counted, action="result.confirm").count() == 1


def test_wrong_password_is_refused_and_nothing_saved(login, counting_member, counted):
    response = login(counting_member).post(
        url("signoff_confirm", counted), {"password": "not-my-password"}, follow=True
    )
    assert response.status_code == 200
    assert "The password is not right." in messages_of(response)
    assert not Confirmation.objects.filter(session=counted).exists()
    assert not AuditEntry.objects.filter(session=counted, action="result.confirm").exists()


def test_empty_password_is_refused(login, counting_member, counted):
    response = login(counting_member).post(url("signoff_confirm", counted), {}, follow=True)
    assert "Enter your password to confirm the result." in messages_of(response)
    assert not Confirmation.objects.filter(session=counted).exists()


def test_confirming_an_open_count_is_refused(login, org, counting_member, chair, signing_dir):
    session = make_counting_session(org, chair=chair, members=[counting_member])
    response = login(counting_member).post(
        url("signoff_confirm", session), {"password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert messages_of(response) == [
        "The result can be confirmed and certified only once the count is closed."
    ]
    assert not Confirmation.objects.filter(session=session).exists()


def test_confirm_permissions(login, counting_member, leader, secretariat, outsider, counted):
    target = url("signoff_confirm", counted)
    data = {"password": PASSWORD}
    assert login(counting_member).get(target).status_code == 405
    anonymous = login(None).post(target, data)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert login(outsider).post(target, data).status_code == 404
    assert login(leader).post(target, data).status_code == 403
    assert login(secretariat).post(target, data).status_code == 403
    assert not Confirmation.objects.filter(session=counted).exists()


# --- certify -------------------------------------------------------------------------------


def test_chair_certifies_once_everyone_confirmed(login, chair, counted, signer):
    confirm_all(counted)
    response = login(chair).post(url("certify", counted), follow=True)
    assert response.redirect_chain[-1][0] == signoff_page(counted)
    assert "The result is certified: 2 signed documents were issued." in messages_of(response)
    counted.refresh_from_db()
    assert counted.status == SessionStatus.CERTIFIED
    kinds = set(SignedDocument.objects.filter(session=counted).values_list("kind", flat=True))
    assert kinds == {DocumentKind.MINUTES, DocumentKind.REPORT}
    assert "KẾT QUẢ CHÍNH THỨC" in response.content.decode()


def test_certify_before_everyone_confirmed_is_refused(login, chair, counted, signer):
    result_confirm(user=chair, session=counted, password=PASSWORD)
    response = login(chair).post(url("certify", counted), follow=True)
    (message,) = messages_of(response)
    assert "Not every committee member has confirmed this result yet." in message
    assert "Phạm Văn Kiểm" in message  # the member's seat, made by make_committee_member
    counted.refresh_from_db()
    assert counted.status == SessionStatus.COUNTED
    assert not SignedDocument.objects.filter(session=counted).exists()


def test_certify_without_a_signing_certificate_is_refused(login, chair, counted):
    confirm_all(counted)
    response = login(chair).post(url("certify", counted), follow=True)
    (message,) = messages_of(response)
    assert "No signing certificate is configured" in message
    counted.refresh_from_db()
    assert counted.status == SessionStatus.COUNTED
    assert not SignedDocument.objects.filter(session=counted).exists()


def test_certify_permissions(login, counting_member, leader, outsider, counted):
    confirm_all(counted)
    target = url("certify", counted)
    assert login(counting_member).get(target).status_code == 405
    assert login(None).post(target).status_code == 302
    assert login(outsider).post(target).status_code == 404
    assert login(counting_member).post(target).status_code == 403  # a member, not the chair
    assert login(leader).post(target).status_code == 403
    counted.refresh_from_db()
    assert counted.status == SessionStatus.COUNTED


# --- reopen --------------------------------------------------------------------------------


def test_chair_reopens_with_a_reason(login, chair, certified):
    response = login(chair).post(
        url("reopen_result", certified), {"reason": "Phiếu số 7 nhập sai"}, follow=True
    )
    assert response.redirect_chain[-1][0] == signoff_page(certified)
    assert any(m.startswith("The result was reopened.") for m in messages_of(response))
    certified.refresh_from_db()
    assert certified.status == SessionStatus.COUNTING
    assert certified.result_version == 2
    documents = SignedDocument.objects.filter(session=certified)
    assert documents.count() == 2
    assert all(document.superseded_at is not None for document in documents)
    entry = AuditEntry.objects.get(session=certified, action="result.reopen")
    assert entry.reason == "Phiếu số 7 nhập sai"
    assert entry.username == "to-truong"
    assert 'data-testid="superseded"' in response.content.decode()


def test_reopen_without_a_reason_changes_nothing(login, chair, certified):
    response = login(chair).post(url("reopen_result", certified), {"reason": "  "}, follow=True)
    assert "Give the reason for reopening the certified result." in messages_of(response)
    certified.refresh_from_db()
    assert certified.status == SessionStatus.CERTIFIED
    assert certified.result_version == 1
    assert not SignedDocument.objects.filter(session=certified, superseded_at__isnull=False)


def test_reopen_permissions(login, counting_member, leader, secretariat, outsider, certified):
    target = url("reopen_result", certified)
    data = {"reason": "Thử"}
    assert login(leader).get(target).status_code == 405
    assert login(None).post(target, data).status_code == 302
    assert login(outsider).post(target, data).status_code == 404
    assert login(counting_member).post(target, data).status_code == 403
    assert login(leader).post(target, data).status_code == 403
    assert login(secretariat).post(target, data).status_code == 403
    certified.refresh_from_db()
    assert certified.status == SessionStatus.CERTIFIED


# --- paper minutes -------------------------------------------------------------------------


def scan(content=b"%PDF-1.4\n% scanned minutes\n%%EOF\n", name="Biên bản có chữ ký.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_chair_uploads_the_paper_minutes(login, chair, certified):
    response = login(chair).post(url("paper_minutes", certified), {"file": scan()}, follow=True)
    assert "The scanned paper minutes were kept with this version." in messages_of(response)
    document = SignedDocument.objects.get(session=certified, kind=DocumentKind.PAPER_MINUTES)
    assert document.version == 1
    assert document.file_name == "Biên bản có chữ ký.pdf"
    assert bytes(document.content) == b"%PDF-1.4\n% scanned minutes\n%%EOF\n"


def test_paper_minutes_must_be_a_pdf(login, chair, certified):
    response = login(chair).post(
        url("paper_minutes", certified), {"file": scan(b"GIF89a", "scan.gif")}, follow=True
    )
    assert "The file must be a PDF document; this file is not a PDF." in messages_of(response)
    assert not SignedDocument.objects.filter(kind=DocumentKind.PAPER_MINUTES).exists()


def test_paper_minutes_without_a_file(login, chair, certified):
    response = login(chair).post(url("paper_minutes", certified), {}, follow=True)
    assert response.status_code == 200
    assert len(messages_of(response)) == 1
    assert not SignedDocument.objects.filter(kind=DocumentKind.PAPER_MINUTES).exists()


def test_paper_minutes_before_certification_is_refused(login, chair, counted):
    response = login(chair).post(url("paper_minutes", counted), {"file": scan()}, follow=True)
    assert messages_of(response) == [
        "The scanned paper minutes can be uploaded once the result is certified."
    ]
    assert not SignedDocument.objects.filter(kind=DocumentKind.PAPER_MINUTES).exists()


def test_paper_minutes_permissions(login, counting_member, leader, outsider, certified):
    target = url("paper_minutes", certified)
    assert login(leader).get(target).status_code == 405
    assert login(None).post(target, {"file": scan()}).status_code == 302
    assert login(outsider).post(target, {"file": scan()}).status_code == 404
    assert login(counting_member).post(target, {"file": scan()}).status_code == 403
    assert login(leader).post(target, {"file": scan()}).status_code == 403
    assert not SignedDocument.objects.filter(kind=DocumentKind.PAPER_MINUTES).exists()
