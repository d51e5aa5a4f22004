"""The counting committee page: the list (GET) and adding a member (POST)."""

import re

import pytest

from sessions.models import AuditEntry, CommitteeMember, CommitteeRole, SessionStatus
from tests.factories import make_committee_member, make_delegate, make_ready_session, make_session


def url(session):
    return f"/sessions/{session.pk}/committee/"


def row_names(body):
    return re.findall(
        r'data-testid="committee-row".*?<span class="fw-semibold">([^<]+)<', body, re.S
    )


def options(body, name):
    """{value: label} of a select's options, without the empty choice."""
    select = re.search(rf'<select name="{name}".*?</select>', body, re.S).group(0)
    return {
        int(value): label.strip()
        for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)<', select)
    }


def test_empty_state_explains_the_committee(login, secretariat, session):
    response = login(secretariat).get(url(session))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="committee-empty"' in body
    assert "Tổ kiểm phiếu" in body
    assert "The chair opens the count" in body
    assert 'data-testid="committee-add-form"' in body


def test_list_shows_the_chair_first(login, secretariat, session):
    make_committee_member(session, full_name="Phạm Thị Thu")
    make_committee_member(session, full_name="Đỗ Văn Chánh", role=CommitteeRole.CHAIR)
    make_committee_member(session, full_name="Lê Văn Ba")
    body = login(secretariat).get(url(session)).content.decode()
    assert row_names(body) == ["Đỗ Văn Chánh", "Phạm Thị Thu", "Lê Văn Ba"]
    assert 'data-testid="committee-no-chair"' not in body


def test_missing_chair_is_pointed_out(login, secretariat, session):
    make_committee_member(session, full_name="Phạm Thị Thu")
    body = login(secretariat).get(url(session)).content.decode()
    assert 'data-testid="committee-no-chair"' in body


def test_form_offers_this_sessions_free_delegates_and_counting_accounts(
    login, secretariat, counting_member, leader, org, session
):
    free = make_delegate(session, full_name="Đỗ Văn Chánh")
    taken = make_delegate(session, full_name="Lê Văn Ba")
    make_committee_member(session, full_name=taken.full_name, delegate=taken)
    stranger = make_delegate(make_session(org), full_name="Người Phiên Khác")
    body = login(secretariat).get(url(session)).content.decode()
    delegates = options(body, "delegate")
    assert delegates == {free.pk: "1. Đỗ Văn Chánh — Trưởng phòng"}
    assert taken.pk not in delegates and stranger.pk not in delegates
    accounts = options(body, "account")
    assert accounts == {counting_member.pk: "kiem-phieu"}
    assert leader.pk not in accounts and secretariat.pk not in accounts


def test_add_a_delegate_as_chair(login, secretariat, counting_member, session):
    delegate = make_delegate(session, full_name="Đỗ Văn Chánh", position="Chánh Văn phòng")
    response = login(secretariat).post(
        url(session),
        {"delegate": delegate.pk, "role": "chair", "account": counting_member.pk},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url(session)
    assert "Đỗ Văn Chánh was added to the counting committee." in response.content.decode()
    member = CommitteeMember.objects.get(session=session)
    assert (member.full_name, member.position, member.role) == (
        "Đỗ Văn Chánh",
        "Chánh Văn phòng",
        "chair",
    )
    assert member.delegate == delegate
    assert member.user == counting_member
    assert AuditEntry.objects.filter(session=session, action="committee.create").count() == 1


def test_add_a_typed_in_member(login, secretariat, session):
    response = login(secretariat).post(
        url(session), {"full_name": "Phạm Thị Thu", "position": "Kế toán", "role": "member"}
    )
    assert response.status_code == 302
    member = CommitteeMember.objects.get(session=session)
    assert (member.full_name, member.position, member.delegate) == ("Phạm Thị Thu", "Kế toán", None)


def test_second_chair_is_refused_with_a_clear_message(login, secretariat, session):
    make_committee_member(session, full_name="Đỗ Văn Chánh", role=CommitteeRole.CHAIR)
    response = login(secretariat).post(url(session), {"full_name": "Lê Văn Ba", "role": "chair"})
    assert response.status_code == 200
    assert "Đỗ Văn Chánh is already the chair; make them a member first." in (
        response.content.decode()
    )
    assert session.committee_members.count() == 1


def test_neither_delegate_nor_name_is_refused(login, secretariat, session):
    response = login(secretariat).post(url(session), {"role": "member"})
    assert response.status_code == 200
    assert "Choose one of the delegates, or type the member&#x27;s name." in (
        response.content.decode()
    )
    assert CommitteeMember.objects.count() == 0


def test_same_name_twice_is_refused(login, secretariat, session):
    make_committee_member(session, full_name="Phạm Thị Thu")
    response = login(secretariat).post(
        url(session), {"full_name": "phạm thị thu", "role": "member"}
    )
    assert response.status_code == 200
    assert "Phạm Thị Thu is already on the committee." in response.content.decode()
    assert session.committee_members.count() == 1


def test_delegate_of_another_session_is_refused(login, secretariat, org, session):
    stranger = make_delegate(make_session(org))
    response = login(secretariat).post(url(session), {"delegate": stranger.pk, "role": "member"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert CommitteeMember.objects.count() == 0


def test_account_without_counting_role_is_refused(login, secretariat, leader, session):
    response = login(secretariat).post(
        url(session), {"full_name": "Phạm Thị Thu", "role": "member", "account": leader.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert CommitteeMember.objects.count() == 0


def test_after_voting_starts_the_form_asks_for_a_reason(login, secretariat, org):
    session = make_ready_session(org)
    session.status = SessionStatus.VOTING
    session.save()
    client = login(secretariat)
    body = client.get(url(session)).content.decode()
    assert row_names(body) == ["Đỗ Văn Chánh"]
    assert 'data-testid="committee-add-form"' in body
    assert 'name="reason"' in body
    assert 'data-testid="committee-delete"' not in body
    assert 'data-testid="committee-reason-needed"' in body
    response = client.post(url(session), {"full_name": "Phạm Thị Thu", "role": "member"})
    assert response.status_code == 200
    assert session.committee_members.count() == 1
    response = client.post(
        url(session), {"full_name": "Phạm Thị Thu", "role": "member", "reason": "Bổ sung"}
    )
    assert response.status_code == 302
    assert session.committee_members.count() == 2


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_see_the_list_but_cannot_add(login, persona, org):
    session = make_ready_session(org)
    client = login(persona)
    body = client.get(url(session)).content.decode()
    assert row_names(body) == ["Đỗ Văn Chánh"]
    assert 'data-testid="committee-add-form"' not in body
    assert 'data-testid="committee-delete"' not in body
    response = client.post(url(session), {"full_name": "Phạm Thị Thu", "role": "member"})
    assert response.status_code == 403
    assert session.committee_members.count() == 1


def test_anonymous_is_sent_to_login(login, session):
    response = login(None).get(url(session))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_outsider_gets_404(login, outsider, session):
    client = login(outsider)
    assert client.get(url(session)).status_code == 404
    assert client.post(url(session), {"full_name": "X Y", "role": "member"}).status_code == 404
    assert CommitteeMember.objects.count() == 0


def test_query_count_does_not_grow_with_members(
    login, secretariat, counting_member, org, django_assert_max_num_queries
):
    small = make_ready_session(org, convened=5, present=4)
    large = make_ready_session(org, convened=40, present=30)
    for delegate in large.delegates.all()[:12]:
        make_committee_member(
            large, full_name=delegate.full_name, delegate=delegate, position=delegate.position
        )
    client = login(secretariat)
    with django_assert_max_num_queries(8):
        assert client.get(url(small)).status_code == 200
    with django_assert_max_num_queries(8):
        body = client.get(url(large)).content.decode()
    assert len(row_names(body)) == 13


def test_with_hundreds_of_delegates_their_number_is_typed(login, secretariat, counting_member, org):
    from sessions.forms.committee import DELEGATES_IN_A_MENU

    session = make_ready_session(org, convened=DELEGATES_IN_A_MENU + 1, present=0)
    client = login(secretariat)
    body = client.get(url(session)).content.decode()
    assert '<select name="delegate"' not in body  # no menu of every delegate
    assert re.search(r'<input type="number" name="delegate"[^>]*min="1"', body)
    assert len(body) < 40_000
    chosen = session.delegates.get(order=250)
    response = client.post(url(session), {"delegate": "250", "role": "member"})
    assert response.status_code == 302, response.context["form"].errors
    member = CommitteeMember.objects.get(session=session, delegate__order=250)
    assert member.delegate == chosen and member.full_name == chosen.full_name
    # The edit form shows the number; a number not on the list is refused.
    edit = client.get(f"/sessions/{session.pk}/committee/{member.pk}/edit/").content.decode()
    assert re.search(r'name="delegate" value="250"', edit)
    response = client.post(url(session), {"delegate": "9999", "role": "member"})
    assert response.status_code == 200 and "delegate" in response.context["form"].errors
