"""The chair's actions on the count page: open counting, record collected, close, reopen."""

import pytest

from ballots.services import ballots_import, count_close, count_record_collected
from sessions.models import AuditEntry, Role, SessionStatus
from sessions.services.sessions import session_start_voting
from tests.ballots import entry
from tests.factories import make_ready_session, make_user


@pytest.fixture
def voting(org, chair):
    session = make_ready_session(org, convened=31, present=28)
    session.committee_members.filter(role="chair").update(user=chair)
    session_start_voting(user=None, session=session)
    return session


def url(session, action):
    return f"/sessions/{session.pk}/count/{action}/"


def state(session):
    session.refresh_from_db()
    return session.status, session.ballots_issued, session.ballots_collected


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow(client, path, data=None):
    response = client.post(path, data or {}, follow=True)
    assert response.redirect_chain[-1][0].endswith("/count/")
    return response


def count_actions(session):
    return list(
        AuditEntry.objects.filter(session=session, action__startswith="count.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- open ---------------------------------------------------------------------------------


def test_chair_opens_counting(login, voting, chair):
    response = follow(login(chair), url(voting, "open"), {"ballots_issued": "27"})
    assert messages_of(response) == ["Counting is open: 27 ballots issued."]
    assert state(voting) == (SessionStatus.COUNTING, 27, None)
    assert AuditEntry.objects.get(session=voting, action="session.open_counting").user == chair


@pytest.mark.parametrize(
    ("issued", "message"),
    [
        ("29", "29 ballots issued, but only 28 delegates are present."),
        ("0", "Ballots issued: Ensure this value is greater than or equal to 1."),
        ("", "Ballots issued: This field is required."),
        ("nhiều", "Ballots issued: Enter a whole number."),
    ],
)
def test_open_refusals_change_nothing(login, voting, chair, issued, message):
    response = follow(login(chair), url(voting, "open"), {"ballots_issued": issued})
    assert messages_of(response) == [message]
    assert state(voting) == (SessionStatus.VOTING, None, None)


def test_open_twice_is_refused(login, counting, chair):
    response = follow(login(chair), url(counting, "open"), {"ballots_issued": "20"})
    assert messages_of(response) == ["Counting can only open while the session is voting."]
    assert state(counting) == (SessionStatus.COUNTING, 28, None)


# --- collected ----------------------------------------------------------------------------


def test_chair_records_collected(login, counting, chair):
    response = follow(login(chair), url(counting, "collected"), {"ballots_collected": "27"})
    assert messages_of(response) == ["27 ballots collected, recorded."]
    assert state(counting) == (SessionStatus.COUNTING, 28, 27)
    assert count_actions(counting) == ["count.collected"]


@pytest.mark.parametrize(
    ("collected", "message"),
    [
        ("29", "29 ballots collected: it must be between 0 and the 28 issued."),
        ("-1", "Ballots collected: Ensure this value is greater than or equal to 0."),
        ("", "Ballots collected: This field is required."),
    ],
)
def test_collected_refusals_change_nothing(login, counting, chair, collected, message):
    response = follow(login(chair), url(counting, "collected"), {"ballots_collected": collected})
    assert messages_of(response) == [message]
    assert state(counting) == (SessionStatus.COUNTING, 28, None)
    assert count_actions(counting) == []


# --- close --------------------------------------------------------------------------------


def test_chair_closes(login, counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=2)
    ballots_import(user=None, session=counting, entry_pass=1, rows=[entry(1), entry(2)])
    ballots_import(user=None, session=counting, entry_pass=2, rows=[entry(1), entry(2)])
    response = follow(login(chair), url(counting, "close"))
    assert messages_of(response) == ["The count is closed."]
    assert state(counting) == (SessionStatus.COUNTED, 28, 2)


def test_close_refused_with_the_reasons(login, counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=2)
    ballots_import(user=None, session=counting, entry_pass=1, rows=[entry(1), entry(2)])
    response = follow(login(chair), url(counting, "close"))
    assert messages_of(response) == [
        "Entry 2: 0 ballots entered, 2 collected. The passes differ on ballots 1, 2."
    ]
    assert state(counting) == (SessionStatus.COUNTING, 28, 2)
    assert count_actions(counting) == ["count.collected"]


# --- reopen -------------------------------------------------------------------------------


def test_chair_reopens_with_a_reason(login, counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=0)
    count_close(user=chair, session=counting)
    response = follow(login(chair), url(counting, "reopen"), {"reason": "Phiếu số 3 đọc nhầm"})
    assert messages_of(response) == ["The count is open again; ballots can be corrected."]
    assert state(counting) == (SessionStatus.COUNTING, 28, 0)
    assert AuditEntry.objects.get(session=counting, action="count.reopen").reason == (
        "Phiếu số 3 đọc nhầm"
    )


def test_reopen_needs_a_reason(login, counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=0)
    count_close(user=chair, session=counting)
    response = follow(login(chair), url(counting, "reopen"), {"reason": ""})
    assert messages_of(response) == ["Reason for reopening: This field is required."]
    response = follow(login(chair), url(counting, "reopen"), {"reason": "   "})
    assert len(messages_of(response)) == 1
    assert state(counting) == (SessionStatus.COUNTED, 28, 0)
    assert count_actions(counting) == ["count.collected", "count.close"]


def test_reopen_an_open_count_is_refused(login, counting, chair):
    response = follow(login(chair), url(counting, "reopen"), {"reason": "x"})
    assert messages_of(response) == [
        "Only a closed count that is not yet certified can be reopened."
    ]
    assert state(counting) == (SessionStatus.COUNTING, 28, None)


# --- who may ------------------------------------------------------------------------------

ACTIONS = {
    "open": {"ballots_issued": "20"},
    "collected": {"ballots_collected": "20"},
    "close": {},
    "reopen": {"reason": "x"},
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_get_is_not_allowed(login, counting, chair, action):
    assert login(chair).get(url(counting, action)).status_code == 405


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_only_the_chair(
    login, org, counting, counting_member, secretariat, leader, outsider, action
):
    bystander = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    data = ACTIONS[action]
    anonymous = login(None).post(url(counting, action), data)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert login(outsider).post(url(counting, action), data).status_code == 404
    for user in (secretariat, leader, counting_member, bystander):
        assert login(user).post(url(counting, action), data).status_code == 403
    assert state(counting) == (SessionStatus.COUNTING, 28, None)
    assert count_actions(counting) == []
