"""The ballots entered in one pass: a compact summary per ballot, links to open each."""

import re

from ballots.inputs import BallotInput
from ballots.models import Ballot
from ballots.services import ballot_record, ballot_void, ballots_import
from sessions.models import Role
from sessions.services.sessions import session_open_counting, session_start_voting
from tests.ballots import entry, make_counting_session
from tests.factories import make_committee_member, make_ready_session, make_user


def url(session, entry_pass=1):
    return f"/sessions/{session.pk}/count/pass/{entry_pass}/ballots/"


def row_of(body, number):
    match = re.search(rf'<tr data-testid="ballot-row" data-number="{number}".*?</tr>', body, re.S)
    return match.group(0)


def summary(row):
    cell = re.search(r'<td class="entry-summary">(.*?)</td>', row, re.S).group(1)
    return " ".join(re.findall(r"<span>(.*?)</span>", cell))


def test_lists_each_ballot_with_a_compact_summary(
    login, counting, counting_member, chair, chair_types
):
    ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=entry(None, "high", "medium", "low", "none", "several"),
    )
    ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=BallotInput(number=None, invalid_reason="other", invalid_note="Ghi thêm tên"),
    )
    mistake = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    ballot_void(user=counting_member, ballot=mistake, reason="Nhập trùng")
    ballot_record(user=chair, session=counting, entry_pass=2, entry=entry(9))  # another pass

    response = login(counting_member).get(url(counting))
    body = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'data-testid="ballot-row" data-number="(\d+)"', body) == ["1", "2", "3"]
    first = row_of(body, 1)
    assert summary(first) == "H M L – ×"
    assert "kiem-phieu" in first
    assert "03/07/2023" not in first  # entered now, not at the meeting's date
    assert f'href="/sessions/{counting.pk}/count/pass/1/ballots/1/"' in first
    second = row_of(body, 2)
    assert summary(second) == ""
    assert "Other: Ghi thêm tên" in second
    third = row_of(body, 3)
    assert 'data-voided="true"' in third
    assert "Voided" in third
    assert re.search(r"Entered <strong>2/28</strong>", body)
    assert "1 entry voided" in body
    assert "Legend:" in body
    assert f'href="/sessions/{counting.pk}/count/pass/1/"' in body  # back to entry


def test_imported_ballots_say_so(login, org, chair, counting_member):
    counting = make_counting_session(
        org, chair=chair, members=[counting_member], double_entry=False
    )
    ballots_import(user=None, session=counting, entry_pass=1, rows=[entry(1), entry(2)])
    body = login(counting_member).get(url(counting)).content.decode()
    assert "imported from a file" in row_of(body, 2)


def test_empty_pass_says_how_to_start(login, org, chair, counting_member):
    counting = make_counting_session(
        org, chair=chair, members=[counting_member], double_entry=False
    )
    body = login(counting_member).get(url(counting)).content.decode()
    assert 'data-testid="ballot-list-empty"' in body
    assert "No ballot is entered in this pass yet." in body


def test_constant_number_of_queries(login, org, counting_member, django_assert_max_num_queries):
    session = make_ready_session(org, convened=45, present=40)
    make_committee_member(session, user=counting_member)
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=40)
    client = login(counting_member)
    ballots_import(
        user=counting_member, session=session, entry_pass=1, rows=[entry(n) for n in range(1, 6)]
    )
    with django_assert_max_num_queries(12) as five:
        body = client.get(url(session)).content.decode()
    assert body.count('data-testid="ballot-row"') == 5
    ballots_import(
        user=counting_member, session=session, entry_pass=1, rows=[entry(n) for n in range(6, 41)]
    )
    with django_assert_max_num_queries(len(five.captured_queries)):
        body = client.get(url(session)).content.decode()
    assert body.count('data-testid="ballot-row"') == 40


def test_blind_double_entry_closes_the_other_pass(
    login, counting, counting_member, chair, chair_types
):
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    ballot_record(user=chair, session=counting, entry_pass=2, entry=entry())
    assert login(counting_member).get(url(counting, 2)).status_code == 403
    assert login(chair).get(url(counting, 1)).status_code == 403
    assert login(chair).get(url(counting, 2)).status_code == 200


def test_pass_2_is_closed_without_double_entry(login, org, counting_member):
    session = make_counting_session(org, members=[counting_member], double_entry=False)
    assert login(counting_member).get(url(session, 2)).status_code == 403
    assert login(counting_member).get(url(session, 3)).status_code == 403


def test_permissions(login, org, counting, secretariat, leader, outsider, counting_member):
    assert login(None).get(url(counting)).status_code == 302
    assert login(outsider).get(url(counting)).status_code == 404
    assert login(secretariat).get(url(counting)).status_code == 403
    assert login(leader).get(url(counting)).status_code == 403
    seatless = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    assert login(seatless).get(url(counting)).status_code == 403
    assert login(counting_member).post(url(counting)).status_code == 405
    assert not Ballot.objects.exists()


def test_blind_entry_hides_a_pass_until_the_member_types_in_it(login, counting, counting_member):
    """With double entry nobody reads a pass before entering their own ballots in it."""
    ballots_import(user=None, session=counting, entry_pass=1, rows=[entry(1)])
    client = login(counting_member)
    assert client.get(url(counting)).status_code == 403
    entry_page = client.get(f"/sessions/{counting.pk}/count/pass/1/")
    assert entry_page.status_code == 200
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    assert client.get(url(counting)).status_code == 200
