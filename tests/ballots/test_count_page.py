"""The count dashboard: the count's life, progress per pass, differences, whether it can close,
and who sees which links and forms."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ballots.inputs import BallotInput
from ballots.services import (
    ballot_record,
    ballots_import,
    count_close,
    count_record_collected,
    hand_count_record,
)
from sessions.models import Role, SessionStatus, VoteSession
from sessions.services.sessions import session_start_voting
from tests.ballots import entry, make_counting_session
from tests.factories import make_ready_session, make_user


@pytest.fixture
def bystander(org):
    """A counting user who does not sit on this session's committee."""
    return make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])


def url(session):
    return f"/sessions/{session.pk}/count/"


def text_of(body, name):
    """The text inside the first element with this data-testid."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</div>', body, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else None


def pile(count, start=1):
    return [entry(n) for n in range(start, start + count)]


def test_counting_shows_issued_progress_and_why_it_cannot_close(login, counting, chair):
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(3))
    second = pile(2)
    second[1] = entry(2, "low", "high", "high", "high", "high")
    ballots_import(user=None, session=counting, entry_pass=2, rows=second)
    response = login(chair).get(url(counting))
    assert response.status_code == 200
    body = response.content.decode()
    assert text_of(body, "count-issued") == "28"
    assert text_of(body, "count-collected") == "—"
    # Not collected yet: progress is measured against the ballots issued.
    assert text_of(body, "pass-1-progress") == "entered 3 of 28"
    assert text_of(body, "pass-2-progress") == "entered 2 of 28"
    assert "The passes differ on 2 ballots." in body
    assert "Record the number of ballots collected first." in body
    assert 'data-testid="collected-form"' in body
    # The steps: voting and opening done, collecting is the current one.
    steps = re.findall(r'data-done="(true|false)"( aria-current="step")?', body)
    assert steps == [("true", ""), ("true", ""), ("false", ' aria-current="step"'), ("false", "")]
    assert "28 ballots issued" in body


def test_progress_counts_against_collected_once_recorded(login, counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=3)
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(3))
    body = login(chair).get(url(counting)).content.decode()
    assert text_of(body, "count-collected") == "3"
    assert text_of(body, "pass-1-progress").startswith("entered 3 of 3")
    assert text_of(body, "pass-2-progress") == "entered 0 of 3"
    assert "Entry 2: 0 ballots entered, 3 collected." in body
    assert "The passes differ on 3 ballots." in body


def test_ready_to_close(login, counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=2)
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(2))
    ballots_import(user=None, session=counting, entry_pass=2, rows=pile(2))
    body = login(chair).get(url(counting)).content.decode()
    assert 'data-testid="close-ready"' in body
    assert 'data-testid="close-problems"' not in body
    assert 'data-testid="hand-count-only"' not in body
    assert "No differences: the passes agree so far." in body
    assert re.search(r'data-testid="close-form">\s*<input[^>]*>\s*<button class="[^"]*">', body)


def test_a_hand_count_lets_it_close(login, counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    hand_count_record(user=chair, session=counting, rows=dict.fromkeys(range(1, 6), (28, 0, 0, 0)))
    body = login(chair).get(url(counting)).content.decode()
    assert 'data-testid="close-ready"' in body
    assert "recorded</span>" in body
    assert 'data-testid="hand-count-only"' in body


def test_closed_count_offers_the_chair_a_reopen(login, counting, chair, counting_member):
    count_record_collected(user=chair, session=counting, ballots_collected=0)
    count_close(user=chair, session=counting)
    body = login(chair).get(url(counting)).content.decode()
    assert 'data-testid="count-closed"' in body
    assert 'data-testid="reopen-form"' in body
    assert 'data-testid="collected-form"' not in body
    body = login(counting_member).get(url(counting)).content.decode()
    assert 'data-testid="reopen-form"' not in body


def test_chair_links(login, counting, chair):
    """The chair oversees: comparison, hand count and record, and types nothing by default."""
    body = login(chair).get(url(counting)).content.decode()
    assert f'href="/sessions/{counting.pk}/count/compare/"' in body
    assert f'href="/sessions/{counting.pk}/count/hand-count/"' in body
    assert f'href="/sessions/{counting.pk}/count/log/"' in body
    assert f'href="/sessions/{counting.pk}/count/upload/"' not in body
    assert 'data-testid="enter-pass-1"' not in body
    assert 'data-testid="enter-pass-2"' not in body


def test_a_chair_who_types_gets_the_entry_links_and_is_blind(login, counting, chair, chair_types):
    body = login(chair).get(url(counting)).content.decode()
    assert f'href="/sessions/{counting.pk}/count/upload/"' in body
    assert 'data-testid="enter-pass-1"' in body
    assert 'data-testid="enter-pass-2"' in body
    assert 'data-testid="compare-link"' not in body
    assert 'data-testid="blind-count"' in body


def test_member_sees_entry_links_but_no_chair_actions(login, counting, counting_member):
    body = login(counting_member).get(url(counting)).content.decode()
    assert 'data-testid="count-read-only"' in body
    assert f'href="/sessions/{counting.pk}/count/pass/1/"' in body
    assert f'href="/sessions/{counting.pk}/count/pass/2/"' in body
    assert f'href="/sessions/{counting.pk}/count/upload/"' in body
    # A typist before both passes are complete: nothing that compares or totals them.
    assert f'href="/sessions/{counting.pk}/count/hand-count/"' not in body
    assert 'data-testid="count-differences"' not in body
    assert 'data-testid="blind-count"' in body
    for chair_only in ("collected-form", "close-form", "compare-link", "count-log-link"):
        assert f'data-testid="{chair_only}"' not in body


def test_blind_entry_hides_the_other_pass(login, counting, counting_member):
    ballot_record(user=counting_member, session=counting, entry_pass=2, entry=entry())
    body = login(counting_member).get(url(counting)).content.decode()
    assert 'data-testid="enter-pass-2"' in body
    assert 'data-testid="enter-pass-1"' not in body
    assert "You enter ballots in pass 2." in body


def test_single_entry_offers_one_pass_and_no_differences(login, org, chair):
    session = make_counting_session(org, chair=chair, double_entry=False)
    body = login(chair).get(url(session)).content.decode()
    assert 'data-testid="pass-1-progress"' in body
    assert 'data-testid="pass-2-progress"' not in body
    assert 'data-testid="enter-pass-2"' not in body
    assert 'data-testid="count-differences"' not in body


def test_counting_user_off_the_committee_reads_only(login, counting, bystander):
    response = login(bystander).get(url(counting))
    assert response.status_code == 200
    body = response.content.decode()
    assert text_of(body, "pass-1-progress") == "entered 0 of 28"
    assert 'data-testid="count-read-only"' in body
    for hidden in ("enter-pass-1", "enter-pass-2", "upload-link", "collected-form", "close-form"):
        assert f'data-testid="{hidden}"' not in body


def test_draft_session_explains_what_comes_first(login, org, counting_member):
    session = make_ready_session(org)
    body = login(counting_member).get(url(session)).content.decode()
    assert 'data-testid="count-not-started"' in body
    assert "The session is still being prepared." in body


def test_voting_session_offers_the_chair_to_open_counting(login, org, chair, counting_member):
    session = make_ready_session(org, convened=31, present=28)
    session.committee_members.filter(role="chair").update(user=chair)
    session_start_voting(user=None, session=session)
    body = login(chair).get(url(session)).content.decode()
    assert 'data-testid="count-open-form"' in body
    assert 'name="ballots_issued" value="28"' in body
    assert "28 of 31 delegates are present." in body
    body = login(counting_member).get(url(session)).content.decode()
    assert 'data-testid="count-open-form"' not in body
    assert "Voting is under way." in body


def test_permissions(login, counting, secretariat, leader, outsider):
    assert login(None).get(url(counting)).status_code == 302
    assert login(None).get(url(counting))["Location"].startswith("/accounts/login/")
    assert login(outsider).get(url(counting)).status_code == 404
    # The secretariat and leadership hold no counting role.
    assert login(secretariat).get(url(counting)).status_code == 403
    assert login(leader).get(url(counting)).status_code == 403
    assert login(secretariat).get("/sessions/987654/count/").status_code == 404


def test_post_is_not_allowed(login, counting, chair):
    assert login(chair).post(url(counting)).status_code == 405


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_ballots(login, counting, chair):
    # More ballots than the seed case's 28: allow 40 without 40 delegates present.
    VoteSession.objects.filter(pk=counting.pk).update(ballots_issued=40)
    client = login(chair)
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(5))
    ballots_import(user=None, session=counting, entry_pass=2, rows=pile(5))
    few = _queries(client, url(counting))
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(35, start=6))
    ballots_import(
        user=None,
        session=counting,
        entry_pass=2,
        rows=[*pile(34, start=6), BallotInput(number=40, invalid_reason="not_issued")],
    )
    body = client.get(url(counting)).content.decode()
    assert text_of(body, "pass-1-progress").startswith("entered 40 of 40")
    assert "The passes differ on 1 ballot." in body
    many = _queries(client, url(counting))
    assert few == many
    assert many <= 25


def test_counted_session_has_no_entry_links(login, counting, chair, counting_member):
    count_record_collected(user=chair, session=counting, ballots_collected=0)
    count_close(user=chair, session=counting)
    counting.refresh_from_db()
    assert counting.status == SessionStatus.COUNTED
    body = login(counting_member).get(url(counting)).content.decode()
    assert 'data-testid="enter-pass-1"' not in body
    assert 'data-testid="upload-link"' not in body


@pytest.mark.parametrize("state", ["draft", "voting", "counting"])
def test_the_committee_finds_the_ballot_paper_in_every_state(
    login, org, chair, counting_member, state
):
    if state == "counting":
        session = make_counting_session(org, chair=chair, members=[counting_member])
    else:
        session = make_ready_session(org)
        session.committee_members.filter(role="chair").update(user=chair)
        if state == "voting":
            session_start_voting(user=None, session=session)
    for user in (chair, counting_member):
        body = login(user).get(url(session)).content.decode()
        assert (
            f'href="/sessions/{session.pk}/results/ballots.pdf" data-testid="ballot-paper-link"'
            in (body)
        )
        assert f'action="/sessions/{session.pk}/results/ballots.pdf"' in body
