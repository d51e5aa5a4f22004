"""manage.py seed_demo --complete: the seed session taken all the way to a certified result
with signed documents; a second run changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from ballots.models import Ballot
from confidence_vote.lib.signing import signature_report
from reports.keys import organization_certificate
from reports.models import Confirmation, DocumentKind, SignedDocument
from reports.selectors import tally_for_session
from sessions.models import AuditEntry, CommitteeMember, SessionStatus, VoteSession

ORG_NAME = "Viện kiểm sát nhân dân tỉnh Quảng Ninh"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.DEBUG = True
    settings.SIGNING_DIR = tmp_path / "signing"
    return settings


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def state() -> dict:
    return {
        "sessions": list(VoteSession.objects.values_list("pk", "status", "result_version")),
        "ballots": Ballot.objects.count(),
        "confirmations": list(Confirmation.objects.values_list("pk", flat=True)),
        "documents": list(SignedDocument.objects.values_list("pk", "sha256")),
        "audit": AuditEntry.objects.count(),
        "users": list(get_user_model().objects.values_list("pk", "username")),
        "committee": list(CommitteeMember.objects.values_list("pk", "user_id")),
    }


@pytest.mark.django_db
def test_complete_takes_the_seed_session_to_a_certified_result(demo_settings):
    output = seed("--complete")
    session = VoteSession.objects.get(organization__name=ORG_NAME)
    assert session.status == SessionStatus.CERTIFIED
    assert session.ballots_issued == 28
    assert session.ballots_collected == 28
    # Blind double entry: each pass by its own member, 28 ballots each; the chair oversees.
    for entry_pass, username in [(1, "kiemphieu2"), (2, "kiemphieu3")]:
        ballots = Ballot.objects.filter(session=session, entry_pass=entry_pass)
        assert ballots.count() == 28
        assert set(ballots.values_list("entered_by__username", flat=True)) == {username}
    tally = tally_for_session(session=session)
    assert [(row.high, row.medium, row.low) for row in tally.officials] == [(28, 0, 0)] * 5
    assert tally.checks_passed
    # Every member confirmed, each through their own account.
    third = CommitteeMember.objects.filter(session=session).order_by("role", "pk")[2]
    assert third.user.username == "kiemphieu3"
    assert third.user.check_password("demo12345")
    assert Confirmation.objects.filter(session=session, version=1).count() == 3
    documents = SignedDocument.objects.filter(session=session, superseded_at__isnull=True)
    assert sorted(documents.values_list("kind", flat=True)) == [
        DocumentKind.MINUTES,
        DocumentKind.REPORT,
    ]
    certificate = organization_certificate(session.organization)
    assert certificate is not None
    for document in documents:
        report = signature_report(bytes(document.content), trusted_certificates=[certificate])
        assert report.signed and report.intact and report.trusted
    assert f"Session id: {session.pk}." in output
    assert f"/sessions/{session.pk}/results/sign-off/" in output
    assert f"export_documents {session.pk} -o DIR" in output
    assert "TRIAL signing certificate" in output


@pytest.mark.django_db
def test_a_second_complete_run_changes_nothing(demo_settings):
    seed("--complete")
    before = state()
    output = seed("--complete")
    assert state() == before
    assert "is already certified; nothing was changed." in output


@pytest.mark.django_db
def test_plain_seed_stays_in_draft_with_an_account_for_every_committee_seat(demo_settings):
    seed()
    session = VoteSession.objects.get(organization__name=ORG_NAME)
    assert session.status == SessionStatus.DRAFT
    assert not session.committee_members.filter(user__isnull=True).exists()
    assert get_user_model().objects.filter(username="kiemphieu3").exists()
    assert not SignedDocument.objects.exists()


@pytest.mark.django_db
def test_complete_after_a_plain_seed(demo_settings):
    seed()
    seed("--complete")
    session = VoteSession.objects.get(organization__name=ORG_NAME)
    assert session.status == SessionStatus.CERTIFIED
    assert SignedDocument.objects.filter(session=session).count() == 2
