"""Correcting one entered ballot: the same widget, prefilled, and a reason."""

import re

import pytest

from ballots.models import Ballot
from ballots.services import ballot_record, ballot_void
from sessions.models import AuditEntry, Role, SessionStatus, VoteSession
from tests.ballots import entry
from tests.factories import make_user


@pytest.fixture
def ballot(counting, counting_member):
    return ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=entry(None, "high", "medium", "low", "none", "several"),
    )


def url(ballot):
    return f"/sessions/{ballot.session_id}/count/pass/{ballot.entry_pass}/ballots/{ballot.number}/"


def stored_marks(ballot):
    return dict(ballot.marks.values_list("official__order", "value"))


def checked(body):
    """{field name: value} of the checked radio buttons."""
    found = re.findall(r'<input type="radio"[^>]*name="(\w+)"[^>]*value="(\w*)"[^>]*checked', body)
    return dict(found)


def correction(*values, reason="Gõ nhầm hàng 2", **extra):
    data = {f"mark_{order}": value for order, value in enumerate(values, start=1)}
    return {**data, "reason": reason, **extra}


def test_shows_the_ballot_prefilled_in_the_same_widget(login, ballot, counting_member):
    response = login(counting_member).get(url(ballot))
    body = response.content.decode()
    assert response.status_code == 200
    assert checked(body) == {
        "mark_1": "high",
        "mark_2": "medium",
        "mark_3": "low",
        "mark_4": "none",
        "mark_5": "several",
        "invalid_reason": "",
    }
    assert body.count('data-testid="official-row"') == 5
    assert 'name="reason"' in body
    assert 'data-testid="void-form"' in body
    assert f'action="{url(ballot)}void/"' in body
    assert "js/ballot-entry.js" in body
    assert "Entered by kiem-phieu" in body


def test_correction_replaces_the_marks_and_records_the_reason(login, ballot, counting_member):
    client = login(counting_member)
    response = client.post(url(ballot), correction("high", "high", "low", "none", "several"))
    assert response.status_code == 302
    assert response.url == f"/sessions/{ballot.session_id}/count/pass/1/ballots/"
    assert "Ballot 1 corrected." in client.get(response.url).content.decode()
    ballot.refresh_from_db()
    assert stored_marks(ballot) == {1: "high", 2: "high", 3: "low", 4: "none", 5: "several"}
    audit = AuditEntry.objects.get(action="ballot.correct")
    assert audit.reason == "Gõ nhầm hàng 2"
    assert audit.user == counting_member
    assert audit.data["before"]["marks"]["2"] == "medium"
    assert audit.data["after"]["marks"]["2"] == "high"


def test_correction_to_whole_ballot_invalid(login, ballot, counting_member):
    response = login(counting_member).post(
        url(ballot), correction(invalid_reason="name_added", reason="Phiếu ghi thêm tên")
    )
    assert response.status_code == 302
    ballot.refresh_from_db()
    assert ballot.invalid_reason == "name_added"
    assert stored_marks(ballot) == {}


def test_correction_needs_a_reason(login, ballot, counting_member):
    response = login(counting_member).post(url(ballot), correction("low", "low", reason="  "))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Give the reason for the correction." in body
    assert checked(body)["mark_1"] == "low"  # the input is kept
    ballot.refresh_from_db()
    assert stored_marks(ballot)[1] == "high"
    assert not AuditEntry.objects.filter(action="ballot.correct").exists()


def test_correction_with_a_missing_mark_is_refused(login, ballot, counting_member):
    response = login(counting_member).post(url(ballot), correction("low", "low", "low"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ballot 1: no mark for official no. 4, 5." in body
    ballot.refresh_from_db()
    assert stored_marks(ballot) == {1: "high", 2: "medium", 3: "low", 4: "none", 5: "several"}


def test_bad_mark_is_a_form_error_not_a_500(login, ballot, counting_member):
    response = login(counting_member).post(
        url(ballot), correction("great", "low", "low", "low", "low")
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    ballot.refresh_from_db()
    assert stored_marks(ballot)[1] == "high"


def test_a_closed_count_shows_the_ballot_read_only_and_refuses(login, ballot, counting_member):
    VoteSession.objects.filter(pk=ballot.session_id).update(status=SessionStatus.COUNTED)
    client = login(counting_member)
    body = client.get(url(ballot)).content.decode()
    assert "The count is closed: ballots can no longer change." in body
    assert 'name="reason"' not in body
    assert re.search(r'name="mark_1"[^>]*value="high"[^>]*checked disabled', body)
    body = client.post(url(ballot), correction(*("low",) * 5)).content.decode()
    assert "The count is closed: ballots can no longer change." in body
    ballot.refresh_from_db()
    assert stored_marks(ballot)[1] == "high"


def test_a_voided_ballot_cannot_be_corrected(login, ballot, counting_member):
    ballot_void(user=counting_member, ballot=ballot, reason="Nhập trùng")
    client = login(counting_member)
    body = client.get(url(ballot)).content.decode()
    assert "This entry was voided" in body
    assert 'data-testid="void-form"' not in body
    body = client.post(url(ballot), correction(*("low",) * 5)).content.decode()
    assert "Ballot 1 was voided; it cannot be corrected." in body
    ballot.refresh_from_db()
    assert stored_marks(ballot)[1] == "high"


def test_unknown_number_is_404(login, ballot, counting_member):
    unknown = f"/sessions/{ballot.session_id}/count/pass/{ballot.entry_pass}/ballots/99/"
    assert login(counting_member).get(unknown).status_code == 404


def test_blind_double_entry_closes_the_other_pass(login, ballot, counting, chair, chair_types):
    theirs = ballot_record(user=chair, session=counting, entry_pass=2, entry=entry())
    client = login(chair)
    assert client.get(url(ballot)).status_code == 403
    assert client.post(url(ballot), correction(*("low",) * 5)).status_code == 403
    assert client.get(url(theirs)).status_code == 200
    ballot.refresh_from_db()
    assert stored_marks(ballot)[1] == "high"


def test_permissions(login, org, ballot, secretariat, leader, outsider):
    data = correction(*("low",) * 5)
    anonymous = login(None).post(url(ballot), data)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith("/accounts/login/")
    assert login(outsider).get(url(ballot)).status_code == 404
    assert login(outsider).post(url(ballot), data).status_code == 404
    seatless = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    for user in (secretariat, leader, seatless):
        assert login(user).get(url(ballot)).status_code == 403
        assert login(user).post(url(ballot), data).status_code == 403
    assert stored_marks(Ballot.objects.get(pk=ballot.pk))[1] == "high"
