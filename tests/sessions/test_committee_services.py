"""The counting committee's rules: one chair, nobody twice, the right accounts, the lock."""

import pytest

from sessions.errors import DomainError
from sessions.models import AuditEntry, CommitteeMember, CommitteeRole, Role, SessionStatus
from sessions.services.committee import (
    committee_member_add,
    committee_member_remove,
    committee_member_update,
    counting_accounts,
)
from tests.factories import (
    make_committee_member,
    make_delegate,
    make_ready_session,
    make_session,
    make_user,
)


def actions(session):
    return list(AuditEntry.objects.filter(session=session).values_list("action", flat=True))


def test_add_from_a_delegate_copies_name_and_position(secretariat, session):
    delegate = make_delegate(session, full_name="Đỗ Văn Chánh", position="Chánh Văn phòng")
    member = committee_member_add(
        user=secretariat,
        session=session,
        role=CommitteeRole.CHAIR,
        delegate=delegate,
        full_name="ignored",
        position="ignored",
    )
    assert (member.full_name, member.position, member.role) == (
        "Đỗ Văn Chánh",
        "Chánh Văn phòng",
        "chair",
    )
    assert member.delegate == delegate
    entry = AuditEntry.objects.get(session=session, action="committee.create")
    assert entry.user == secretariat
    assert entry.data["full_name"] == "Đỗ Văn Chánh"
    assert entry.data["role"] == "chair"
    assert entry.data["delegate_id"] == delegate.pk


def test_add_typed_name_is_cleaned(secretariat, session):
    member = committee_member_add(
        user=secretariat, session=session, full_name="  Phạm   Thị  Thu ", position=" Kế toán "
    )
    assert (member.full_name, member.position, member.role) == ("Phạm Thị Thu", "Kế toán", "member")
    assert member.delegate is None


def test_name_or_delegate_is_required(secretariat, session):
    with pytest.raises(DomainError) as excinfo:
        committee_member_add(user=secretariat, session=session, full_name="   ")
    assert excinfo.value.field == "full_name"
    assert CommitteeMember.objects.count() == 0
    assert actions(session) == []


def test_second_chair_is_refused_with_the_current_chairs_name(secretariat, session):
    make_committee_member(session, role=CommitteeRole.CHAIR, full_name="Đỗ Văn Chánh")
    with pytest.raises(DomainError) as excinfo:
        committee_member_add(
            user=secretariat, session=session, role=CommitteeRole.CHAIR, full_name="Lê Văn Phó"
        )
    assert str(excinfo.value) == "Đỗ Văn Chánh is already the chair; make them a member first."
    assert excinfo.value.field == "role"
    assert session.committee_members.count() == 1


def test_chair_can_move_once_the_old_chair_is_a_member(secretariat, session):
    old = make_committee_member(session, role=CommitteeRole.CHAIR, full_name="Đỗ Văn Chánh")
    new = make_committee_member(session, full_name="Lê Văn Phó")
    committee_member_update(
        user=secretariat, session=session, member=old, role="member", full_name=old.full_name
    )
    committee_member_update(
        user=secretariat, session=session, member=new, role="chair", full_name=new.full_name
    )
    chairs = list(
        session.committee_members.filter(role="chair").values_list("full_name", flat=True)
    )
    assert chairs == ["Lê Văn Phó"]


def test_the_chair_may_be_saved_again_as_chair(secretariat, session):
    chair = make_committee_member(session, role=CommitteeRole.CHAIR, full_name="Đỗ Văn Chánh")
    committee_member_update(
        user=secretariat,
        session=session,
        member=chair,
        role="chair",
        full_name="Đỗ Văn Chánh",
        position="Chánh Văn phòng",
    )
    chair.refresh_from_db()
    assert chair.position == "Chánh Văn phòng"
    entry = AuditEntry.objects.get(session=session, action="committee.update")
    assert entry.data["position"] == ["", "Chánh Văn phòng"]


def test_same_delegate_twice_is_refused(secretariat, session):
    delegate = make_delegate(session, full_name="Đỗ Văn Chánh")
    committee_member_add(user=secretariat, session=session, delegate=delegate)
    with pytest.raises(DomainError, match="Đỗ Văn Chánh is already on the committee") as excinfo:
        committee_member_add(user=secretariat, session=session, delegate=delegate)
    assert excinfo.value.field == "delegate"
    assert session.committee_members.count() == 1


def test_same_name_twice_is_refused_ignoring_case_and_spaces(secretariat, session):
    committee_member_add(user=secretariat, session=session, full_name="Phạm Thị Thu")
    with pytest.raises(DomainError, match="already on the committee"):
        committee_member_add(user=secretariat, session=session, full_name="phạm  thị THU")
    # Different diacritics make a different name.
    committee_member_add(user=secretariat, session=session, full_name="Phạm Thị Thư")
    assert session.committee_members.count() == 2


def test_typed_name_equal_to_a_linked_delegate_is_refused(secretariat, session):
    delegate = make_delegate(session, full_name="Đỗ Văn Chánh")
    committee_member_add(user=secretariat, session=session, delegate=delegate)
    with pytest.raises(DomainError, match="already on the committee"):
        committee_member_add(user=secretariat, session=session, full_name="Đỗ Văn Chánh")


def test_delegate_of_another_session_is_refused(secretariat, org, session):
    stranger = make_delegate(make_session(org))
    with pytest.raises(DomainError, match="not on this session's list") as excinfo:
        committee_member_add(user=secretariat, session=session, delegate=stranger)
    assert excinfo.value.field == "delegate"
    assert CommitteeMember.objects.count() == 0


def test_account_must_hold_the_counting_role_in_the_organization(
    secretariat, counting_member, leader, outsider, org, session
):
    for account in (secretariat, leader, outsider):
        with pytest.raises(DomainError) as excinfo:
            committee_member_add(
                user=secretariat, session=session, full_name="Phạm Thị Thu", account=account
            )
        assert excinfo.value.field == "account"
    member = committee_member_add(
        user=secretariat, session=session, full_name="Phạm Thị Thu", account=counting_member
    )
    assert member.user == counting_member


def test_counting_role_in_another_organization_does_not_count(secretariat, other_org, session):
    elsewhere = make_user("kiem-phieu-khac", organization=other_org, roles=[Role.COUNTING])
    assert elsewhere not in counting_accounts(session=session)
    with pytest.raises(DomainError):
        committee_member_add(
            user=secretariat, session=session, full_name="Phạm Thị Thu", account=elsewhere
        )


def test_account_linked_twice_in_a_session_is_refused(secretariat, counting_member, session):
    committee_member_add(
        user=secretariat, session=session, full_name="Phạm Thị Thu", account=counting_member
    )
    with pytest.raises(DomainError, match="already linked to Phạm Thị Thu") as excinfo:
        committee_member_add(
            user=secretariat, session=session, full_name="Lê Văn Phó", account=counting_member
        )
    assert excinfo.value.field == "account"


def test_same_account_in_two_sessions_is_fine(secretariat, counting_member, org, session):
    other = make_session(org)
    committee_member_add(
        user=secretariat, session=session, full_name="Phạm Thị Thu", account=counting_member
    )
    committee_member_add(
        user=secretariat, session=other, full_name="Phạm Thị Thu", account=counting_member
    )
    assert CommitteeMember.objects.filter(user=counting_member).count() == 2


def test_bad_role_is_refused(secretariat, session):
    with pytest.raises(DomainError) as excinfo:
        committee_member_add(user=secretariat, session=session, role="boss", full_name="A B")
    assert excinfo.value.field == "role"


@pytest.mark.parametrize("status", [SessionStatus.VOTING, SessionStatus.COUNTING])
def test_after_voting_starts_a_change_needs_a_reason_and_a_seat_is_not_removed(
    secretariat, org, status
):
    session = make_ready_session(org)
    member = session.committee_members.get()
    session.status = status
    session.ballots_issued = 28
    session.save()
    with pytest.raises(DomainError, match="give the reason") as excinfo:
        committee_member_add(user=secretariat, session=session, full_name="Phạm Thị Thu")
    assert excinfo.value.field == "reason"
    with pytest.raises(DomainError, match="give the reason"):
        committee_member_update(
            user=secretariat, session=session, member=member, role="chair", full_name="X Y"
        )
    with pytest.raises(DomainError, match="handed to someone else"):
        committee_member_remove(user=secretariat, session=session, member=member)
    member.refresh_from_db()
    assert (member.full_name, member.role) == ("Đỗ Văn Chánh", "chair")
    assert actions(session) == []
    # With a reason the seat is handed over; the history keeps who held it before.
    committee_member_update(
        user=secretariat,
        session=session,
        member=member,
        role="chair",
        full_name="Lưu Văn Hưng",
        reason="Đồng chí Chánh bận công tác đột xuất",
    )
    entry = AuditEntry.objects.get(session=session, action="committee.update")
    assert entry.reason == "Đồng chí Chánh bận công tác đột xuất"
    assert entry.data["full_name"] == ["Đỗ Văn Chánh", "Lưu Văn Hưng"]
    added = committee_member_add(
        user=secretariat, session=session, full_name="Phạm Thị Thu", reason="Bổ sung"
    )
    assert added.pk


def test_a_certified_result_freezes_the_committee(secretariat, org):
    session = make_ready_session(org)
    member = session.committee_members.get()
    session.status = SessionStatus.CERTIFIED
    session.ballots_issued = 28
    session.save()
    with pytest.raises(DomainError, match="until the result is certified"):
        committee_member_update(
            user=secretariat,
            session=session,
            member=member,
            role="chair",
            full_name="X Y",
            reason="late",
        )
    member.refresh_from_db()
    assert member.full_name == "Đỗ Văn Chánh"


def test_update_switches_from_typed_name_to_a_delegate(secretariat, session):
    member = make_committee_member(session, full_name="Phạm Thị Thu", position="Kế toán")
    delegate = make_delegate(session, full_name="Đỗ Văn Chánh", position="Chánh Văn phòng")
    committee_member_update(
        user=secretariat, session=session, member=member, role="member", delegate=delegate
    )
    member.refresh_from_db()
    assert (member.full_name, member.position, member.delegate_id) == (
        "Đỗ Văn Chánh",
        "Chánh Văn phòng",
        delegate.pk,
    )
    entry = AuditEntry.objects.get(session=session, action="committee.update")
    assert entry.data["full_name"] == ["Phạm Thị Thu", "Đỗ Văn Chánh"]
    assert entry.data["delegate_id"] == [None, delegate.pk]


def test_update_of_a_member_of_another_session_is_refused(secretariat, org, session):
    stranger = make_committee_member(make_session(org), full_name="Người Khác")
    with pytest.raises(DomainError):
        committee_member_update(
            user=secretariat, session=session, member=stranger, role="member", full_name="X Y"
        )
    stranger.refresh_from_db()
    assert stranger.full_name == "Người Khác"


def test_remove_writes_an_entry(secretariat, session):
    member = make_committee_member(session, full_name="Phạm Thị Thu")
    committee_member_remove(user=secretariat, session=session, member=member)
    assert not CommitteeMember.objects.filter(pk=member.pk).exists()
    entry = AuditEntry.objects.get(session=session, action="committee.delete")
    assert entry.data["full_name"] == "Phạm Thị Thu"
    assert entry.data["id"] == member.pk


def test_remove_of_a_member_of_another_session_is_refused(secretariat, org, session):
    stranger = make_committee_member(make_session(org))
    with pytest.raises(DomainError):
        committee_member_remove(user=secretariat, session=session, member=stranger)
    assert CommitteeMember.objects.filter(pk=stranger.pk).exists()
