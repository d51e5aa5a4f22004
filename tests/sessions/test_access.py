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
        ("enter_ballots", (False, True, False, False, False)),
        ("chair", (True, False, False, False, False)),
        ("view_log", (True, False, False, True, False)),
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
    """A member who typed pass 1 may type and see pass 1 only; the chair, who types nothing
    unless they say so, sees both."""
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
    # The chair types nothing by default and keeps the overview of both passes.
    chair_access = access_for(user=chair, session=session)
    assert (chair_access.enter_pass(1), chair_access.enter_pass(2)) == (False, False)
    assert (chair_access.view_pass(1), chair_access.view_pass(2)) == (True, True)
    assert not chair_access.view_pass(3)


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
    for need in ("count", "enter_ballots", "chair", "view_log", "view_results"):
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


@pytest.fixture
def counting_session(session, seats):
    session.status = "counting"
    session.ballots_issued = 2
    session.save()
    return session


def _type(session, user, entry_pass, *numbers):
    for number in numbers:
        Ballot.objects.create(
            session=session, entry_pass=entry_pass, number=number, entered_by=user
        )


def test_a_typist_is_blind_until_both_passes_are_complete(counting_session, seats, org):
    chair, member = seats
    second = make_user("thanh-vien-2", organization=org, roles=[Role.COUNTING])
    make_committee_member(counting_session, user=second)
    _type(counting_session, member, 1, 1, 2)
    _type(counting_session, second, 2, 1)
    first = access_for(user=member, session=counting_session)
    assert first.blind
    assert not first.can("view_results")
    assert access_for(user=chair, session=counting_session).can("compare")
    _type(counting_session, second, 2, 2)
    counting_session = type(counting_session).objects.get(pk=counting_session.pk)
    first = access_for(user=member, session=counting_session)
    assert not first.blind
    assert first.can("view_results")
    # Still never the other pass's ballots one by one.
    assert not first.view_pass(2)


def test_a_chair_who_types_is_blind_too(counting_session, seats):
    chair, member = seats
    counting_session.committee_members.filter(user=chair).update(typing="1")
    access = access_for(user=chair, session=counting_session)
    assert access.is_typist and access.blind
    assert not access.can("compare") and not access.can("view_results")
    assert access.enter_pass(1) and not access.enter_pass(2)
    assert "1" in access.refuse_pass(2)


def test_a_member_who_does_not_type(counting_session, seats):
    _chair, member = seats
    counting_session.committee_members.filter(user=member).update(typing="none")
    access = access_for(user=member, session=counting_session)
    assert not access.can("enter_ballots")
    assert access.can("confirm_result")
    assert not access.view_pass(1)


def _facts(access):
    return (
        access.roles,
        access.seat_id,
        access.committee_role,
        access.typing,
        access.passes_typed,
        access.capabilities,
        [access.refuse_pass(n) for n in (1, 2)],
    )


def test_the_access_object_from_a_save_snapshot_is_the_looked_up_one(
    counting_session, seats, counting_member, leader, secretariat, outsider, org
):
    """A save builds the access object from its one snapshot query (`from_row`); it must hold
    the same facts and answer the same as the one `access_for` looks up, for every role,
    including a member who typed only by uploading a scan file."""
    from ballots.models import ScanBatch, ScanBatchStatus
    from ballots.selectors import entry_snapshot
    from sessions.access import admit

    chair, member = seats
    scanner = make_user("quet-phieu", organization=org, roles=[Role.COUNTING, Role.LEADERSHIP])
    make_committee_member(counting_session, user=scanner)
    ScanBatch.objects.create(
        session=counting_session,
        entry_pass=2,
        file_name="a.pdf",
        sha256="0" * 64,
        fingerprint="f",
        imported_by=scanner,
    )
    failed = make_user("quet-loi", organization=org, roles=[Role.COUNTING])
    make_committee_member(counting_session, user=failed)
    ScanBatch.objects.create(
        session=counting_session,
        entry_pass=1,
        file_name="b.pdf",
        sha256="1" * 64,
        fingerprint="f",
        imported_by=failed,
        status=ScanBatchStatus.FAILED,
    )
    counting_session.committee_members.filter(user=chair).update(typing="1")
    _type(counting_session, member, 1, 1)
    users = [chair, member, scanner, failed, counting_member, leader, secretariat, outsider]
    verdicts, typed = {}, {}
    for user in users:
        fresh = type(counting_session).objects.get(pk=counting_session.pk)
        looked_up = access_for(user=user, session=fresh)
        snapshot = entry_snapshot(session_pk=counting_session.pk, user=user, entry_pass=1)
        assert snapshot.access is access_for(user=user, session=snapshot.session)
        assert _facts(snapshot.access) == _facts(looked_up), user.username
        try:
            admit(fresh, looked_up, need="enter_ballots")
            expected = None
        except (Http404, PermissionDenied) as exc:
            expected = type(exc)
        try:
            admit(snapshot.session, snapshot.access, need="enter_ballots")
            got = None
        except (Http404, PermissionDenied) as exc:
            got = type(exc)
        assert got == expected, user.username
        verdicts[user.username], typed[user.username] = got, snapshot.access.passes_typed
    assert verdicts == {
        "to-truong": None,
        "thanh-vien": None,
        "quet-phieu": None,
        "quet-loi": None,
        "kiem-phieu": PermissionDenied,
        "lanh-dao": PermissionDenied,
        "van-phong": PermissionDenied,
        "nguoi-ngoai": Http404,
    }
    assert typed["quet-phieu"] == {2} and typed["quet-loi"] == set() and typed["thanh-vien"] == {1}
