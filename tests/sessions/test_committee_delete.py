"""Removing a committee member (POST only)."""

import pytest

from sessions.models import AuditEntry, CommitteeMember, SessionStatus
from tests.factories import make_committee_member, make_ready_session, make_session


def url(session, member):
    return f"/sessions/{session.pk}/committee/{member.pk}/delete/"


def test_remove_a_member(login, secretariat, session):
    member = make_committee_member(session, full_name="Phạm Thị Thu")
    response = login(secretariat).post(url(session, member), follow=True)
    assert response.redirect_chain[-1][0] == f"/sessions/{session.pk}/committee/"
    assert "Phạm Thị Thu was removed from the counting committee." in response.content.decode()
    assert not CommitteeMember.objects.filter(pk=member.pk).exists()
    entry = AuditEntry.objects.get(session=session, action="committee.delete")
    assert entry.user == secretariat
    assert entry.data["full_name"] == "Phạm Thị Thu"


def test_get_is_not_allowed(login, secretariat, session):
    member = make_committee_member(session)
    assert login(secretariat).get(url(session, member)).status_code == 405
    assert CommitteeMember.objects.filter(pk=member.pk).exists()


def test_locked_session_is_refused(login, secretariat, org):
    session = make_ready_session(org)
    session.status = SessionStatus.VOTING
    session.save()
    member = session.committee_members.get()
    response = login(secretariat).post(url(session, member), follow=True)
    assert "the lists are locked" in response.content.decode()
    assert CommitteeMember.objects.filter(pk=member.pk).exists()
    assert not AuditEntry.objects.filter(action="committee.delete").exists()


def test_member_of_another_session_is_404(login, secretariat, org, session):
    stranger = make_committee_member(make_session(org))
    assert login(secretariat).post(url(session, stranger)).status_code == 404
    assert CommitteeMember.objects.filter(pk=stranger.pk).exists()


def test_anonymous_is_sent_to_login(login, session):
    member = make_committee_member(session)
    response = login(None).post(url(session, member))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert CommitteeMember.objects.filter(pk=member.pk).exists()


def test_outsider_gets_404(login, outsider, session):
    member = make_committee_member(session)
    assert login(outsider).post(url(session, member)).status_code == 404
    assert CommitteeMember.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_get_403(login, persona, session):
    member = make_committee_member(session)
    assert login(persona).post(url(session, member)).status_code == 403
    assert CommitteeMember.objects.filter(pk=member.pk).exists()
