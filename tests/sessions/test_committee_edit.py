"""Editing one committee member (GET shows the form, POST saves through the service)."""

import pytest

from sessions.models import AuditEntry, CommitteeRole, SessionStatus
from tests.factories import make_committee_member, make_delegate, make_ready_session, make_session


def url(session, member):
    return f"/sessions/{session.pk}/committee/{member.pk}/edit/"


def test_form_is_filled_with_the_member(login, secretariat, counting_member, session):
    member = make_committee_member(
        session, full_name="Phạm Thị Thu", position="Kế toán", user=counting_member
    )
    response = login(secretariat).get(url(session, member))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Phạm Thị Thu"' in body
    assert 'value="Kế toán"' in body
    # Its own account stays on offer.
    assert f'<option value="{counting_member.pk}" selected>kiem-phieu</option>' in body


def test_make_a_member_the_chair(login, secretariat, session):
    member = make_committee_member(session, full_name="Phạm Thị Thu")
    response = login(secretariat).post(
        url(session, member), {"full_name": "Phạm Thị Thu", "position": "Kế toán", "role": "chair"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.pk}/committee/"
    member.refresh_from_db()
    assert (member.role, member.position) == ("chair", "Kế toán")
    entry = AuditEntry.objects.get(session=session, action="committee.update")
    assert entry.data["role"] == ["member", "chair"]
    assert entry.user == secretariat


def test_link_the_member_to_a_delegate(login, secretariat, session):
    member = make_committee_member(session, full_name="Chánh")
    delegate = make_delegate(session, full_name="Đỗ Văn Chánh", position="Chánh Văn phòng")
    login(secretariat).post(url(session, member), {"delegate": delegate.pk, "role": "member"})
    member.refresh_from_db()
    assert (member.full_name, member.delegate_id) == ("Đỗ Văn Chánh", delegate.pk)


def test_second_chair_is_refused_and_nothing_changes(login, secretariat, session):
    make_committee_member(session, full_name="Đỗ Văn Chánh", role=CommitteeRole.CHAIR)
    member = make_committee_member(session, full_name="Phạm Thị Thu")
    response = login(secretariat).post(
        url(session, member), {"full_name": "Phạm Thị Thu", "role": "chair"}
    )
    assert response.status_code == 200
    assert "Đỗ Văn Chánh is already the chair; make them a member first." in (
        response.content.decode()
    )
    member.refresh_from_db()
    assert member.role == "member"
    assert not AuditEntry.objects.filter(action="committee.update").exists()


def test_empty_name_is_refused(login, secretariat, session):
    member = make_committee_member(session, full_name="Phạm Thị Thu")
    response = login(secretariat).post(url(session, member), {"full_name": " ", "role": "member"})
    assert response.status_code == 200
    assert "type the member&#x27;s name" in response.content.decode()
    member.refresh_from_db()
    assert member.full_name == "Phạm Thị Thu"


def test_after_voting_starts_an_edit_needs_a_reason(login, secretariat, org):
    session = make_ready_session(org)
    session.status = SessionStatus.VOTING
    session.save()
    member = session.committee_members.get()
    client = login(secretariat)
    body = client.get(url(session, member)).content.decode()
    assert 'name="reason"' in body
    response = client.post(url(session, member), {"full_name": "Tên Mới", "role": "chair"})
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.full_name == "Đỗ Văn Chánh"
    response = client.post(
        url(session, member),
        {"full_name": "Tên Mới", "role": "chair", "reason": "Thay người vắng mặt"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.full_name == "Tên Mới"


def test_a_certified_session_is_refused(login, secretariat, org):
    session = make_ready_session(org)
    session.status = SessionStatus.CERTIFIED
    session.ballots_issued = 28
    session.save()
    member = session.committee_members.get()
    response = login(secretariat).get(url(session, member), follow=True)
    assert response.redirect_chain[-1][0] == f"/sessions/{session.pk}/committee/"
    assert "until the result is certified" in response.content.decode()


def test_member_of_another_session_is_404(login, secretariat, org, session):
    stranger = make_committee_member(make_session(org), full_name="Người Khác")
    client = login(secretariat)
    assert client.get(url(session, stranger)).status_code == 404
    assert (
        client.post(url(session, stranger), {"full_name": "X", "role": "member"}).status_code == 404
    )
    stranger.refresh_from_db()
    assert stranger.full_name == "Người Khác"


def test_anonymous_is_sent_to_login(login, session):
    member = make_committee_member(session)
    response = login(None).get(url(session, member))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_outsider_gets_404(login, outsider, session):
    member = make_committee_member(session)
    assert login(outsider).get(url(session, member)).status_code == 404


@pytest.mark.parametrize("persona", ["counting", "leader"], indirect=True)
def test_read_only_roles_get_403(login, persona, session):
    member = make_committee_member(session, full_name="Phạm Thị Thu")
    client = login(persona)
    assert client.get(url(session, member)).status_code == 403
    response = client.post(url(session, member), {"full_name": "Tên Mới", "role": "chair"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert (member.full_name, member.role) == ("Phạm Thị Thu", "member")
