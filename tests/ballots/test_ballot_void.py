"""Voiding an entry typed by mistake: POST only, with a reason; it stays on record."""

import re

import pytest

from ballots.models import Ballot
from ballots.services import ballot_record
from sessions.models import AuditEntry, Role, SessionStatus, VoteSession
from tests.ballots import entry
from tests.factories import make_user


@pytest.fixture
def ballot(counting, counting_member):
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    return ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())


def url(ballot):
    base = f"/sessions/{ballot.session_id}/count/pass/{ballot.entry_pass}/ballots/"
    return f"{base}{ballot.number}/void/"


def voided(ballot):
    return Ballot.objects.get(pk=ballot.pk).voided


def test_void_with_a_reason(login, ballot, counting_member):
    client = login(counting_member)
    response = client.post(url(ballot), {"reason": "  Nhập   trùng tờ số 1 "})
    assert response.status_code == 302
    assert response.url == f"/sessions/{ballot.session_id}/count/pass/1/ballots/"
    body = client.get(response.url).content.decode()
    assert "Ballot 2 voided: it stays on record but no longer counts." in body
    assert voided(ballot)
    audit = AuditEntry.objects.get(action="ballot.void")
    assert (audit.user, audit.reason) == (counting_member, "Nhập trùng tờ số 1")
    assert audit.data == {"pass": 1, "number": 2}
    # The entry screen counts one ballot fewer, and never reuses the number.
    body = client.get(f"/sessions/{ballot.session_id}/count/pass/1/").content.decode()
    assert re.search(r"Entered <strong[^>]*>1/28</strong>", body)
    assert re.search(r'data-testid="entry-number"[^>]*>3<', body)


def test_void_needs_a_reason(login, ballot, counting_member):
    client = login(counting_member)
    response = client.post(url(ballot), {"reason": ""})
    assert response.status_code == 302
    assert response.url == url(ballot).removesuffix("void/")
    assert "Give the reason for voiding this entry." in client.get(response.url).content.decode()
    assert not voided(ballot)
    assert not AuditEntry.objects.filter(action="ballot.void").exists()


def test_blank_reason_is_refused_by_the_service(login, ballot, counting_member):
    client = login(counting_member)
    response = client.post(url(ballot), {"reason": "   "})
    assert "Give the reason" in client.get(response.url).content.decode()
    assert not voided(ballot)


def test_voiding_twice_is_refused(login, ballot, counting_member):
    client = login(counting_member)
    client.post(url(ballot), {"reason": "Nhập trùng"})
    response = client.post(url(ballot), {"reason": "Nhập trùng"})
    assert "Ballot 2 is already voided." in client.get(response.url).content.decode()
    assert AuditEntry.objects.filter(action="ballot.void").count() == 1


def test_a_closed_count_refuses(login, ballot, counting_member):
    VoteSession.objects.filter(pk=ballot.session_id).update(status=SessionStatus.COUNTED)
    client = login(counting_member)
    response = client.post(url(ballot), {"reason": "Nhập trùng"})
    assert "The count is closed: ballots can no longer change." in (
        client.get(response.url).content.decode()
    )
    assert not voided(ballot)


def test_get_is_not_allowed(login, ballot, counting_member):
    assert login(counting_member).get(url(ballot)).status_code == 405
    assert not voided(ballot)


def test_unknown_number_is_404(login, ballot, counting_member):
    response = login(counting_member).post(url(ballot).replace("/2/", "/99/"), {"reason": "x"})
    assert response.status_code == 404


def test_blind_double_entry_closes_the_other_pass(login, ballot, counting, chair, chair_types):
    ballot_record(user=chair, session=counting, entry_pass=2, entry=entry())
    assert login(chair).post(url(ballot), {"reason": "Nhập trùng"}).status_code == 403
    assert not voided(ballot)


def test_permissions(login, org, ballot, secretariat, leader, outsider):
    data = {"reason": "Nhập trùng"}
    anonymous = login(None).post(url(ballot), data)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith("/accounts/login/")
    assert login(outsider).post(url(ballot), data).status_code == 404
    seatless = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    for user in (secretariat, leader, seatless):
        assert login(user).post(url(ballot), data).status_code == 403
    assert not voided(ballot)
