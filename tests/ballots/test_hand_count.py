"""The hand-count page: the chair records each official's totals; others read them."""

import re

import pytest

from ballots.inputs import BallotInput
from ballots.selectors import hand_count_totals
from ballots.services import ballots_import, count_record_collected, hand_count_record
from sessions.models import AuditEntry, Role, SessionStatus, VoteSession
from tests.ballots import entry, make_counting_session
from tests.factories import make_user


@pytest.fixture
def counting(org, chair, counting_member):
    session = make_counting_session(org, chair=chair, members=[counting_member], issued=28)
    count_record_collected(user=chair, session=session, ballots_collected=28)
    return session


def url(session):
    return f"/sessions/{session.pk}/count/hand-count/"


def sheet_data(rows):
    data = {}
    for order, counts in rows.items():
        for column, value in zip(("high", "medium", "low", "invalid"), counts, strict=True):
            data[f"o{order}_{column}"] = str(value)
    return data


def all_high(n=28):
    return dict.fromkeys(range(1, 6), (n, 0, 0, 0))


def sheet(session):
    return {o: tuple(c.values()) for o, c in hand_count_totals(session=session).items()}


def row_cells(body, order):
    row = re.search(rf'data-testid="tally-row" data-order="{order}">(.*?)</tr>', body, re.S)
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


def test_chair_sees_four_inputs_per_official(login, counting, chair):
    body = login(chair).get(url(counting)).content.decode()
    assert 'data-testid="tally-form"' in body
    assert len(re.findall(r'<input type="number" name="o\d_(high|medium|low|invalid)"', body)) == 20
    assert 'data-collected="28"' in body
    assert "js/tally-sheet.js" in body


def test_chair_records_the_sheet(login, counting, chair):
    rows = {**all_high(), 3: (20, 5, 2, 1)}
    response = login(chair).post(url(counting), sheet_data(rows), follow=True)
    assert response.redirect_chain[-1][0] == url(counting)
    assert [str(m) for m in response.context["messages"]] == [
        "The hand-count totals were recorded."
    ]
    assert sheet(counting) == rows
    body = response.content.decode()
    # The form comes back filled with the recorded sheet.
    assert re.search(r'name="o3_medium" value="5"', body)
    assert 'data-testid="tally-recorded"' in body


def test_a_row_that_does_not_add_up_saves_nothing(login, counting, chair):
    response = login(chair).post(url(counting), sheet_data({**all_high(), 1: (27, 0, 0, 0)}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Trần Văn Cán 1: 27 + 0 + 0 + 0 = 27, but 28 ballots were collected." in body
    # What the chair typed stays on the page.
    assert re.search(r'name="o1_high" value="27"', body)
    assert sheet(counting) == {}
    assert not AuditEntry.objects.filter(action="tally_sheet.record").exists()


@pytest.mark.parametrize("value", ["-1", "", "mười"])
def test_a_bad_number_saves_nothing(login, counting, chair, value):
    data = sheet_data(all_high())
    data["o2_low"] = value
    response = login(chair).post(url(counting), data)
    assert response.status_code == 200
    row = re.search(r'data-order="2">(.*?)</tr>', response.content.decode(), re.S).group(1)
    assert 'class="text-danger small"' in row
    assert sheet(counting) == {}


def test_the_check_against_ballots_entered(login, counting, chair):
    VoteSession.objects.filter(pk=counting.pk).update(ballots_collected=2)
    ballots_import(
        user=None,
        session=counting,
        entry_pass=1,
        rows=[entry(1), BallotInput(number=2, invalid_reason="not_issued")],
    )
    client = login(chair)
    body = client.get(url(counting)).content.decode()
    assert "Checked against the ballots entered (pass 1)" in body
    assert row_cells(body, 1)[-2:] == ["", "1 / 0 / 0 / 1"]
    response = client.post(url(counting), sheet_data(all_high(2)))
    assert response.status_code == 200
    assert (
        "Trần Văn Cán 1: the hand count says 2 high, 0 medium, 0 low, 0 invalid; "
        "the ballots entered say 1 high, 0 medium, 0 low, 1 invalid."
    ) in response.content.decode()
    assert sheet(counting) == {}
    response = client.post(url(counting), sheet_data(dict.fromkeys(range(1, 6), (1, 0, 0, 1))))
    assert response.status_code == 302
    body = client.get(url(counting)).content.decode()
    assert "1 / 0 / 0 / 1 ✓" in row_cells(body, 1)[-1]


def test_member_reads_the_sheet(login, org, counting, chair, counting_member):
    """A counting user who types no pass reads the sheet; a typist of an unfinished double
    entry may not (it holds totals)."""
    bystander = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    hand_count_record(user=chair, session=counting, rows={**all_high(), 4: (0, 0, 27, 1)})
    assert login(counting_member).get(url(counting)).status_code == 403
    response = login(bystander).get(url(counting))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="tally-form"' not in body
    assert "<input" not in re.search(r"<table.*?</table>", body, re.S).group(0)
    assert row_cells(body, 4)[2:] == ["0", "0", "27", "1", "28"]


def test_member_without_a_sheet_sees_an_empty_state(login, org, counting):
    bystander = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    body = login(bystander).get(url(counting)).content.decode()
    assert 'data-testid="tally-empty"' in body


def test_collected_not_recorded(login, org, chair):
    session = make_counting_session(org, chair=chair, issued=28)
    body = login(chair).get(url(session)).content.decode()
    assert 'data-testid="tally-no-collected"' in body
    assert 'data-testid="tally-form"' not in body


def test_closed_count_refuses_a_new_sheet(login, counting, chair):
    hand_count_record(user=chair, session=counting, rows=all_high())
    VoteSession.objects.filter(pk=counting.pk).update(status=SessionStatus.COUNTED)
    client = login(chair)
    assert 'data-testid="tally-form"' not in client.get(url(counting)).content.decode()
    response = client.post(url(counting), sheet_data({**all_high(), 1: (0, 0, 28, 0)}))
    assert response.status_code == 200
    assert "The count is closed: ballots can no longer change." in response.content.decode()
    assert sheet(counting) == all_high()


def test_permissions(login, org, counting, counting_member, secretariat, leader, outsider):
    bystander = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    data = sheet_data(all_high())
    anonymous = login(None).get(url(counting))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert login(None).post(url(counting), data).status_code == 302
    assert login(outsider).get(url(counting)).status_code == 404
    assert login(outsider).post(url(counting), data).status_code == 404
    assert login(secretariat).get(url(counting)).status_code == 403
    assert login(secretariat).post(url(counting), data).status_code == 403
    # Whoever may see results reads the sheet (not a typist still typing); only the chair
    # records it.
    assert login(counting_member).get(url(counting)).status_code == 403
    for user in (leader, bystander):
        assert login(user).get(url(counting)).status_code == 200
    for user in (leader, bystander, counting_member):
        assert login(user).post(url(counting), data).status_code == 403
    assert sheet(counting) == {}
    assert login(counting_member).put(url(counting)).status_code == 405
