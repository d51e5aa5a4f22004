"""Unlocking the lists: back from voting to draft, with a recorded reason."""

import pytest

from sessions.errors import DomainError
from sessions.models import Attendance, AuditEntry, SessionStatus
from sessions.services.attendance import attendance_mark
from sessions.services.committee import committee_member_add
from sessions.services.sessions import session_unlock
from tests.factories import make_ready_session

REASON = "Bổ sung đại biểu bị sót trong danh sách"


def url(session):
    return f"/sessions/{session.pk}/unlock/"


def voting_session(org, **kwargs):
    session = make_ready_session(org, **kwargs)
    session.status = SessionStatus.VOTING
    session.save()
    return session


def status_of(session):
    session.refresh_from_db()
    return session.status


def test_unlock_with_a_reason(login, secretariat, org):
    session = voting_session(org)
    response = login(secretariat).post(url(session), {"reason": REASON}, follow=True)
    assert response.redirect_chain[-1][0] == f"/sessions/{session.pk}/"
    assert "The lists are unlocked; the reason was recorded." in response.content.decode()
    assert status_of(session) == SessionStatus.DRAFT
    entry = AuditEntry.objects.get(session=session, action="session.unlock")
    assert entry.reason == REASON
    assert entry.user == secretariat


@pytest.mark.parametrize("reason", ["", "   "])
def test_unlock_without_a_reason_is_refused(login, secretariat, org, reason):
    session = voting_session(org)
    response = login(secretariat).post(url(session), {"reason": reason}, follow=True)
    assert "Give the reason for unlocking the lists." in response.content.decode()
    assert status_of(session) == SessionStatus.VOTING
    assert not AuditEntry.objects.filter(action="session.unlock").exists()


def test_unlock_of_a_draft_is_refused(login, secretariat, org):
    session = make_ready_session(org)
    response = login(secretariat).post(url(session), {"reason": REASON}, follow=True)
    assert "Only a session in voting can be unlocked" in response.content.decode()
    assert status_of(session) == SessionStatus.DRAFT
    assert not AuditEntry.objects.filter(action="session.unlock").exists()


def test_unlock_once_counting_has_opened_is_refused(login, secretariat, org):
    session = make_ready_session(org)
    session.status = SessionStatus.COUNTING
    session.ballots_issued = 28
    session.save()
    response = login(secretariat).post(url(session), {"reason": REASON}, follow=True)
    assert "once counting has opened the lists stay" in response.content.decode()
    assert status_of(session) == SessionStatus.COUNTING


def test_lists_are_editable_again_after_unlock(login, secretariat, org):
    session = voting_session(org, convened=31, present=28)
    late = session.delegates.filter(attendance=Attendance.UNKNOWN).first()
    with pytest.raises(DomainError, match="the lists are locked"):
        attendance_mark(user=secretariat, session=session, delegate=late, status="present")
    login(secretariat).post(url(session), {"reason": REASON})
    session.refresh_from_db()
    attendance_mark(user=secretariat, session=session, delegate=late, status="present")
    committee_member_add(user=secretariat, session=session, full_name="Phạm Thị Thu")
    late.refresh_from_db()
    assert late.attendance == Attendance.PRESENT
    assert session.committee_members.count() == 2
    # And the attendance screen offers its buttons again.
    body = login(secretariat).get(f"/sessions/{session.pk}/attendance/").content.decode()
    assert 'data-testid="mark-present"' in body


def test_get_is_not_allowed(login, secretariat, org):
    session = voting_session(org)
    assert login(secretariat).get(url(session)).status_code == 405
    assert status_of(session) == SessionStatus.VOTING


def test_anonymous_is_sent_to_login(login, org):
    session = voting_session(org)
    response = login(None).post(url(session), {"reason": REASON})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert status_of(session) == SessionStatus.VOTING


def test_outsider_gets_404(login, outsider, org):
    session = voting_session(org)
    assert login(outsider).post(url(session), {"reason": REASON}).status_code == 404
    assert status_of(session) == SessionStatus.VOTING


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_get_403(login, persona, org):
    session = voting_session(org)
    assert login(persona).post(url(session), {"reason": REASON}).status_code == 403
    assert status_of(session) == SessionStatus.VOTING


# The service


def test_service_strips_and_records_the_reason(secretariat, org):
    session = voting_session(org)
    session_unlock(user=secretariat, session=session, reason=f"  {REASON}  ")
    assert AuditEntry.objects.get(action="session.unlock").reason == REASON


def test_service_refuses_an_empty_reason(secretariat, org):
    session = voting_session(org)
    with pytest.raises(DomainError) as excinfo:
        session_unlock(user=secretariat, session=session, reason="  ")
    assert excinfo.value.field == "reason"
    assert status_of(session) == SessionStatus.VOTING
