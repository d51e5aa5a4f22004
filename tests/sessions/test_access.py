"""The access object: committee seats decide who counts, passes decide who sees a pass."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from ballots.models import Ballot
from sessions.access import access_for, get_session_for, require
from sessions.errors import DomainError
from sessions.models import CommitteeRole, Role
from tests.factories import make_committee_member, make_user


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.fixture
def seats(org, session):
    chair = make_user("to-truong", organization=org, roles=[Role.COUNTING])
    member = make_user("thanh-vien", organization=org, roles=[Role.COUNTING])
    make_committee_member(session, user=chair, role=CommitteeRole.CHAIR)
    make_committee_member(session, user=member)
    return chair, member


@pytest.mark.parametrize(
    ("need", "expected"),
    [
        ("count", (True, True, True, False, False)),
        ("enter_ballots", (True, True, False, False, False)),
        ("chair", (True, False, False, False, False)),
        ("view_record", (True, False, False, True, False)),
        ("confirm_result", (True, True, False, False, False)),
        ("certify", (True, False, False, False, False)),
    ],
)
def test_needs(session, seats, counting_member, leader, secretariat, need, expected):
    chair, member = seats
    users = [chair, member, counting_member, leader, secretariat]
    for user, ok in zip(users, expected, strict=True):
        if ok:
            found = get_session_for(_request(user), session.pk, need=need)
            assert found == session
        else:
            with pytest.raises(PermissionDenied):
                get_session_for(_request(user), session.pk, need=need)


def test_committee_role_is_exposed(session, seats):
    chair, member = seats
    found = get_session_for(_request(chair), session.pk, need="count")
    assert found.access.committee_role == "chair"
    assert found.access.seat.user == chair
    found = get_session_for(_request(member), session.pk, need="count")
    assert found.access.committee_role == "member"
    assert found.access["chair"] is False
    assert found.access["enter_ballots"] is True


def test_a_counting_user_without_a_seat_has_no_committee_rights(session, counting_member):
    access = get_session_for(_request(counting_member), session.pk, need="count").access
    assert access.seat is None
    assert not access.can("enter_ballots")
    assert not access.enter_pass(1)


def test_blind_double_entry_passes(session, seats):
    """A member who typed pass 1 may type and see pass 1 only; one who typed nothing may type
    either pass but see neither."""
    chair, member = seats
    session.status = "counting"
    session.ballots_issued = 5
    session.save()
    Ballot.objects.create(session=session, entry_pass=1, number=1, entered_by=member)
    access = access_for(user=member, session=session)
    assert access.passes_typed == {1}
    assert (access.enter_pass(1), access.enter_pass(2)) == (True, False)
    assert (access.view_pass(1), access.view_pass(2)) == (True, False)
    assert "1" in access.refuse_pass(2)
    chair_access = access_for(user=chair, session=session)
    assert (chair_access.enter_pass(1), chair_access.enter_pass(2)) == (True, True)
    assert (chair_access.view_pass(1), chair_access.view_pass(2)) == (False, False)
    assert not chair_access.enter_pass(3)


def test_single_entry_has_one_pass_that_every_member_sees(session, seats):
    _chair, member = seats
    session.double_entry = False
    session.save()
    access = access_for(user=member, session=session)
    assert access.passes() == [1]
    assert access.view_pass(1) and not access.enter_pass(2)


def test_transitions_need_their_capability_and_state(session, seats, secretariat):
    chair, _member = seats
    assert access_for(user=secretariat, session=session).may("start_voting")
    assert not access_for(user=chair, session=session).may("start_voting")
    assert not access_for(user=secretariat, session=session).may("unlock")
    session.status = "voting"
    assert access_for(user=chair, session=session).may("open_counting")


def test_require_raises_the_domain_error_for_services(session, seats):
    _chair, member = seats
    with pytest.raises(DomainError, match="chair|Tổ trưởng"):
        require(user=member, session=session, capability="chair")
    with pytest.raises(DomainError):
        require(user=None, session=session, capability="enter_ballots")
    assert require(user=member, session=session, capability="enter_ballots").seat.user == member


def test_outsider_gets_404_for_every_need(session, outsider):
    for need in ("count", "enter_ballots", "chair", "view_record", "view_results"):
        with pytest.raises(Http404):
            get_session_for(_request(outsider), session.pk, need=need)


def test_results_for_committee_and_leadership_and_secretariat_once_certified(
    session, counting_member, leader, secretariat
):
    for user in (counting_member, leader):
        assert get_session_for(_request(user), session.pk, need="view_results") == session
    with pytest.raises(PermissionDenied):
        get_session_for(_request(secretariat), session.pk, need="view_results")
    session.status = "certified"
    session.ballots_issued = 0
    session.save()
    assert get_session_for(_request(secretariat), session.pk, need="view_results") == session
