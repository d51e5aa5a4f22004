"""The access helper's needs beyond view/manage: committee seats decide who counts."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from sessions.access import get_session_for
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
        ("ballot_record", (True, False, False, True, False)),
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
    assert get_session_for(_request(chair), session.pk, need="count").viewer_committee_role == (
        "chair"
    )
    found = get_session_for(_request(member), session.pk, need="count")
    assert found.viewer_committee_role == "member"


def test_outsider_gets_404_for_every_need(session, outsider):
    for need in ("count", "enter_ballots", "chair", "ballot_record"):
        with pytest.raises(Http404):
            get_session_for(_request(outsider), session.pk, need=need)


def test_results_for_committee_and_leadership_and_secretariat_once_certified(
    session, counting_member, leader, secretariat
):
    for user in (counting_member, leader):
        assert get_session_for(_request(user), session.pk, need="results") == session
    with pytest.raises(PermissionDenied):
        get_session_for(_request(secretariat), session.pk, need="results")
    session.status = "certified"
    session.ballots_issued = 0
    session.save()
    assert get_session_for(_request(secretariat), session.pk, need="results") == session
