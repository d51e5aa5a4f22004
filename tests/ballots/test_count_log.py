"""The record of ballot and count changes: the chair and leadership read it, filtered."""

import pytest

from ballots.services import ballot_record, ballot_void
from sessions.models import Role
from tests.ballots import entry, make_counting_session
from tests.factories import make_user


@pytest.fixture
def counted(org, chair, counting_member):
    session = make_counting_session(org, chair=chair, members=[counting_member])
    first = ballot_record(user=counting_member, session=session, entry_pass=1, entry=entry())
    ballot_record(user=counting_member, session=session, entry_pass=1, entry=entry())
    ballot_void(user=counting_member, ballot=first, reason="Nhập trùng")
    return session


def test_leader_reads_every_ballot_change(login, leader, counted):
    response = login(leader).get(f"/sessions/{counted.pk}/count/log/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("Ballot entered") == 2 + 1  # two rows and the filter's option
    assert "Nhập trùng" in body
    assert "kiem-phieu" in body


def test_filter_by_action_and_person(login, chair, counted):
    client = login(chair)
    body = client.get(f"/sessions/{counted.pk}/count/log/?action=ballot.void").content.decode()
    assert "Nhập trùng" in body
    assert "<td>Ballot entered</td>" not in body
    body = client.get(f"/sessions/{counted.pk}/count/log/?user=nobody").content.decode()
    assert "No ballot or count change has been recorded yet." in body


def test_session_history_leaves_ballot_entries_out(login, secretariat, counted):
    body = login(secretariat).get(f"/sessions/{counted.pk}/history/").content.decode()
    assert "Ballot entered" not in body
    assert "Counting opened" in body


def test_permissions(login, counted, counting_member, secretariat, outsider, org):
    url = f"/sessions/{counted.pk}/count/log/"
    assert login(counting_member).get(url).status_code == 403  # a member, not the chair
    assert login(secretariat).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 404
    assert login(None).get(url).status_code == 302
    assert login(make_user("x", organization=org, roles=[Role.COUNTING])).get(url).status_code == (
        403
    )
    assert login(secretariat).post(url).status_code == 405
