"""Starting the vote (locks the lists) and opening the count."""

import pytest

from sessions.errors import DomainError
from sessions.models import Attendance, AuditEntry, CommitteeRole, SessionStatus
from sessions.services.sessions import session_open_counting, session_start_voting
from tests.factories import (
    make_committee_member,
    make_delegates,
    make_official,
    make_ready_session,
    make_session,
)


def url(session):
    return f"/sessions/{session.pk}/start-voting/"


def status_of(session):
    session.refresh_from_db()
    return session.status


# The view


def test_start_voting_locks_the_lists(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=28)
    response = login(secretariat).post(url(session), follow=True)
    assert response.redirect_chain[-1][0] == f"/sessions/{session.pk}/"
    assert "Voting has started. The lists are locked." in response.content.decode()
    assert status_of(session) == SessionStatus.VOTING
    entry = AuditEntry.objects.get(session=session, action="session.start_voting")
    assert entry.user == secretariat
    assert entry.data == {"convened": 31, "present": 28}


def test_exactly_the_quorum_is_enough(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=21)
    login(secretariat).post(url(session))
    assert status_of(session) == SessionStatus.VOTING


def test_no_quorum_is_refused_with_the_numbers(login, secretariat, org):
    session = make_ready_session(org, convened=31, present=20)
    response = login(secretariat).post(url(session), follow=True)
    body = response.content.decode()
    assert "Voting cannot start yet." in body
    assert "20 of 31" in body
    assert "at least 21 are needed" in body
    assert status_of(session) == SessionStatus.DRAFT
    assert not AuditEntry.objects.filter(action="session.start_voting").exists()


def test_without_officials_is_refused(login, secretariat, org):
    session = make_ready_session(org, officials=0)
    response = login(secretariat).post(url(session), follow=True)
    assert "Add at least one official to be rated." in response.content.decode()
    assert status_of(session) == SessionStatus.DRAFT


def test_without_delegates_is_refused(login, secretariat, org):
    session = make_session(org)
    make_official(session)
    make_committee_member(session, role=CommitteeRole.CHAIR)
    response = login(secretariat).post(url(session), follow=True)
    assert "Add the convened delegates." in response.content.decode()
    assert status_of(session) == SessionStatus.DRAFT


def test_without_a_committee_chair_is_refused(login, secretariat, org):
    session = make_ready_session(org)
    session.committee_members.update(role=CommitteeRole.MEMBER)
    response = login(secretariat).post(url(session), follow=True)
    assert "Name the chair of the counting committee." in response.content.decode()
    assert status_of(session) == SessionStatus.DRAFT


def test_every_problem_is_listed_at_once(login, secretariat, org):
    session = make_session(org)
    response = login(secretariat).post(url(session), follow=True)
    body = response.content.decode()
    assert "Add at least one official to be rated." in body
    assert "Add the convened delegates." in body
    assert "Name the chair of the counting committee." in body


def test_second_start_is_refused(login, secretariat, org):
    session = make_ready_session(org)
    client = login(secretariat)
    client.post(url(session))
    response = client.post(url(session), follow=True)
    assert "Voting has already started for this session." in response.content.decode()
    assert status_of(session) == SessionStatus.VOTING
    assert AuditEntry.objects.filter(action="session.start_voting").count() == 1


def test_get_is_not_allowed(login, secretariat, org):
    session = make_ready_session(org)
    assert login(secretariat).get(url(session)).status_code == 405
    assert status_of(session) == SessionStatus.DRAFT


def test_anonymous_is_sent_to_login(login, org):
    session = make_ready_session(org)
    response = login(None).post(url(session))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert status_of(session) == SessionStatus.DRAFT


def test_outsider_gets_404(login, outsider, org):
    session = make_ready_session(org)
    assert login(outsider).post(url(session)).status_code == 404
    assert status_of(session) == SessionStatus.DRAFT


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_get_403(login, persona, org):
    session = make_ready_session(org)
    assert login(persona).post(url(session)).status_code == 403
    assert status_of(session) == SessionStatus.DRAFT


# The service


def test_service_refuses_twenty_of_thirty_one(secretariat, org):
    session = make_ready_session(org, convened=31, present=20)
    with pytest.raises(DomainError) as excinfo:
        session_start_voting(user=secretariat, session=session)
    assert str(excinfo.value) == (
        "No quorum: 20 of 31 delegates are present; at least 21 are needed."
    )


def test_service_uses_the_current_status_not_the_callers_copy(secretariat, org):
    session = make_ready_session(org)
    stale = type(session).objects.get(pk=session.pk)
    session_start_voting(user=secretariat, session=session)
    with pytest.raises(DomainError, match="already started"):
        session_start_voting(user=secretariat, session=stale)


# Opening the count (session_open_counting)


def voting_session(org, *, convened=31, present=28):
    session = make_ready_session(org, convened=convened, present=present)
    session.status = SessionStatus.VOTING
    session.save()
    return session


def test_open_counting_with_one_ballot_per_delegate_present(secretariat, org):
    session = voting_session(org, convened=31, present=28)
    result = session_open_counting(user=secretariat, session=session, ballots_issued=28)
    assert (result.status, result.ballots_issued) == ("counting", 28)
    session.refresh_from_db()
    assert (session.status, session.ballots_issued) == ("counting", 28)
    entry = AuditEntry.objects.get(session=session, action="session.open_counting")
    assert entry.user == secretariat
    assert entry.data == {"ballots_issued": 28, "present": 28}


def test_open_counting_with_fewer_ballots_than_present(secretariat, org):
    session = voting_session(org, convened=31, present=28)
    session_open_counting(user=secretariat, session=session, ballots_issued=27)
    session.refresh_from_db()
    assert session.ballots_issued == 27


def test_more_ballots_than_delegates_present_is_refused(secretariat, org):
    session = voting_session(org, convened=31, present=28)
    with pytest.raises(DomainError) as excinfo:
        session_open_counting(user=secretariat, session=session, ballots_issued=29)
    assert str(excinfo.value) == "29 ballots issued, but only 28 delegates are present."
    assert excinfo.value.field == "ballots_issued"
    session.refresh_from_db()
    assert (session.status, session.ballots_issued) == ("voting", None)
    assert not AuditEntry.objects.filter(action="session.open_counting").exists()


def test_zero_ballots_is_refused(secretariat, org):
    session = voting_session(org)
    with pytest.raises(DomainError, match="At least one ballot must be issued."):
        session_open_counting(user=secretariat, session=session, ballots_issued=0)
    session.refresh_from_db()
    assert session.status == SessionStatus.VOTING


@pytest.mark.parametrize("status", [SessionStatus.DRAFT, SessionStatus.COUNTING])
def test_open_counting_only_while_voting(secretariat, org, status):
    session = make_ready_session(org, convened=31, present=28)
    session.status = status
    session.ballots_issued = 20 if status == SessionStatus.COUNTING else None
    session.save()
    with pytest.raises(DomainError, match="only open while the session is voting"):
        session_open_counting(user=secretariat, session=session, ballots_issued=28)
    session.refresh_from_db()
    assert session.status == status


def test_open_counting_refused_if_attendance_fell_below_quorum(secretariat, org):
    # Attendance is locked while voting, but a direct database change must not slip through.
    session = voting_session(org, convened=31, present=21)
    first = session.delegates.filter(attendance=Attendance.PRESENT).first()
    first.attendance = Attendance.UNKNOWN
    first.checked_in_at = None
    first.save()
    with pytest.raises(DomainError, match="No quorum: 20 of 31 present, 21 needed."):
        session_open_counting(user=secretariat, session=session, ballots_issued=20)


def test_open_counting_refused_without_delegates(secretariat, org):
    session = make_session(org, status=SessionStatus.VOTING)
    make_delegates(session, convened=0, present=0)
    with pytest.raises(DomainError):
        session_open_counting(user=secretariat, session=session, ballots_issued=1)
