"""The keyboard-first entry screen: the next ballot of a pass, saved by fetch (JSON) or by a
plain form post; idempotent resubmits; blind double entry; who may enter."""

import re
import uuid

import pytest

from ballots.models import Ballot
from ballots.services import ballot_record, count_record_collected
from sessions.models import AuditEntry, Role, SessionStatus, VoteSession
from sessions.services.sessions import session_start_voting
from tests.ballots import entry, make_counting_session
from tests.factories import make_committee_member, make_ready_session, make_user

JSON = {"HTTP_ACCEPT": "application/json"}


def url(session, entry_pass=1):
    return f"/sessions/{session.pk}/count/pass/{entry_pass}/"


def ballot_data(*values, token=None, **extra):
    data = {"client_token": str(token or uuid.uuid4())}
    data.update({f"mark_{order}": value for order, value in enumerate(values, start=1)})
    data.update(extra)
    return data


def stored_marks(ballot):
    return dict(ballot.marks.values_list("official__order", "value"))


def text_of(body, name):
    """The text inside the first element with this data-testid."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</', body, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else None


def token_in(body):
    return re.search(r'name="client_token" value="([0-9a-f-]+)"', body).group(1)


# --- the screen ---------------------------------------------------------------------------


def test_screen_shows_next_number_counter_and_officials_in_ballot_order(
    login, counting, counting_member
):
    response = login(counting_member).get(url(counting))
    body = response.content.decode()
    assert response.status_code == 200
    assert text_of(body, "entry-number") == "1"
    assert text_of(body, "entry-pass") == "Entry pass 1"
    assert 'data-testid="entered-counter"' in body
    assert re.search(r'data-testid="entered-counter">Entered <strong[^>]*>0/28</strong>', body)
    assert re.findall(r'data-testid="official-row" data-order="(\d+)"', body) == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert "Trần Văn Cán 1" in body
    assert body.count('type="radio" class="btn-check" name="mark_1"') == 5
    assert uuid.UUID(token_in(body)).version == 4
    assert 'data-testid="whole-invalid"' in body
    assert 'data-testid="save-status"' in body
    assert "<kbd>" in body
    assert "js/ballot-entry.js" in body
    assert f'href="/sessions/{counting.pk}/count/pass/1/ballots/"' in body


@pytest.mark.parametrize(
    ("officials", "columns"), [(5, [5]), (14, [14]), (15, [8, 7]), (44, [22, 22])]
)
def test_the_ballot_is_laid_out_in_one_column_or_two(
    login, org, counting_member, officials, columns
):
    session = make_counting_session(org, members=[counting_member], officials=officials)

    body = login(counting_member).get(url(session)).content.decode()

    assert ('class="entry-rows is-two-columns' in body) == (len(columns) == 2)
    parts = body.split('<div class="entry-column">')[1:]
    assert [part.count('data-testid="official-row"') for part in parts] == columns
    # Ballot order down the first column, then the second: the keys follow the paper.
    orders = re.findall(r'data-testid="official-row" data-order="(\d+)"', body)
    assert orders == [str(n) for n in range(1, officials + 1)]


def test_each_visit_gets_a_fresh_token(login, counting, counting_member):
    client = login(counting_member)
    first = token_in(client.get(url(counting)).content.decode())
    second = token_in(client.get(url(counting)).content.decode())
    assert first != second


def test_screen_counts_this_pass_so_far(login, counting, counting_member, chair, chair_types):
    for values in [("high",) * 5, ("low", "medium", "high", "none", "several")]:
        ballot_record(
            user=counting_member, session=counting, entry_pass=1, entry=entry(None, *values)
        )
    ballot_record(user=chair, session=counting, entry_pass=2, entry=entry(None, *("low",) * 5))
    body = login(counting_member).get(url(counting)).content.decode()
    assert text_of(body, "entry-number") == "3"
    assert re.search(r"Entered <strong[^>]*>2/28</strong>", body)
    rows = re.split(r'data-testid="official-row"', body)[1:]
    # Official no. 1: one high, one low in pass 1; pass 2 is not counted here.
    assert re.search(r'data-count="high">1<', rows[0])
    assert re.search(r'data-count="low">1<', rows[0])
    assert re.search(r'data-count="medium">0<', rows[0])
    assert re.search(r'data-count="several">1<', rows[4])


def test_limit_is_the_ballots_collected_once_recorded(login, counting, counting_member, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=26)
    body = login(counting_member).get(url(counting)).content.decode()
    assert re.search(r"Entered <strong[^>]*>0/26</strong>", body)
    assert "of the 26 ballots collected" in body


def test_screen_says_when_every_ballot_is_entered(login, org, counting_member):
    session = make_counting_session(org, members=[counting_member], issued=2)
    for _ in range(2):
        ballot_record(user=counting_member, session=session, entry_pass=1, entry=entry())
    body = login(counting_member).get(url(session)).content.decode()
    complete = re.search(r'<div[^>]*data-testid="entry-complete"[^>]*>', body).group(0)
    assert " hidden" not in complete
    assert "Every ballot is entered (2/2)." in body


def test_vietnamese_is_the_default(login, counting, counting_member):
    response = login(counting_member, lang="vi").get(url(counting))
    assert response.status_code == 200
    assert 'data-testid="entry-number"' in response.content.decode()


def test_screen_keeps_a_constant_number_of_queries(
    login, counting, counting_member, django_assert_max_num_queries
):
    client = login(counting_member)
    for _ in range(3):
        ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    with django_assert_max_num_queries(16) as few:
        client.get(url(counting))
    for _ in range(20):
        ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url(counting))


# --- saving without JavaScript ------------------------------------------------------------


def test_post_saves_the_marks_exactly_and_redirects(login, counting, counting_member):
    client = login(counting_member)
    token = uuid.uuid4()
    data = ballot_data("high", "medium", "low", "none", "several", token=token)
    response = client.post(url(counting), data)
    assert response.status_code == 302
    assert response.url == url(counting)
    ballot = Ballot.objects.get(session=counting)
    assert (ballot.entry_pass, ballot.number, ballot.client_token) == (1, 1, token)
    assert ballot.entered_by == counting_member
    assert ballot.invalid_reason == ""
    assert stored_marks(ballot) == {1: "high", 2: "medium", 3: "low", 4: "none", 5: "several"}
    body = client.get(response.url).content.decode()
    assert "Ballot 1 saved." in body
    assert text_of(body, "entry-number") == "2"
    assert token_in(body) != str(token)


def test_post_resubmitted_makes_no_second_ballot(login, counting, counting_member):
    client = login(counting_member)
    data = ballot_data(*("high",) * 5)
    assert client.post(url(counting), data).status_code == 302
    assert client.post(url(counting), data).status_code == 302
    assert Ballot.objects.filter(session=counting).count() == 1
    assert AuditEntry.objects.filter(session=counting, action="ballot.create").count() == 1


def test_post_missing_marks_shows_the_error_and_keeps_the_input(login, counting, counting_member):
    token = uuid.uuid4()
    data = ballot_data("high", "", "low", "", "medium", token=token)
    response = login(counting_member).post(url(counting), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ballot 1: no mark for official no. 2, 4." in body
    assert re.search(r'name="mark_1" id="mark_1-high"\s+value="high"[^>]*checked', body)
    assert re.search(r'name="mark_3" id="mark_3-low"\s+value="low"[^>]*checked', body)
    assert not re.search(r'name="mark_2"[^>]*checked', body)
    assert token_in(body) == str(token)  # the same ballot, so the same token
    assert not Ballot.objects.filter(session=counting).exists()


def test_post_whole_ballot_invalid_stores_no_marks(login, counting, counting_member):
    data = ballot_data(
        "high", "high", invalid_reason="other", invalid_note="  Ghi thêm   một tên  "
    )
    response = login(counting_member).post(url(counting), data)
    assert response.status_code == 302
    ballot = Ballot.objects.get(session=counting)
    assert (ballot.invalid_reason, ballot.invalid_note) == ("other", "Ghi thêm một tên")
    assert stored_marks(ballot) == {}


def test_post_whole_ballot_invalid_needs_no_marks(login, counting, counting_member):
    response = login(counting_member).post(
        url(counting), ballot_data(invalid_reason="name_crossed_out")
    )
    assert response.status_code == 302
    ballot = Ballot.objects.get(session=counting)
    assert ballot.invalid_reason == "name_crossed_out"


def test_post_note_without_other_is_refused(login, counting, counting_member):
    data = ballot_data(invalid_reason="not_issued", invalid_note="giấy lạ")
    body = login(counting_member).post(url(counting), data).content.decode()
    assert 'Ballot 1: a note is only kept when the reason is "Other".' in body.replace(
        "&quot;", '"'
    )
    assert not Ballot.objects.filter(session=counting).exists()


# --- saving with fetch (JSON) -------------------------------------------------------------


def test_json_save_answers_number_counter_and_progress(login, counting, counting_member):
    client = login(counting_member)
    response = client.post(
        url(counting), ballot_data("high", "medium", "low", "none", "several"), **JSON
    )
    assert response.status_code == 200
    zero = {"high": 0, "medium": 0, "low": 0, "none": 0, "several": 0}
    assert response.json() == {
        "ok": True,
        "number": 1,
        "next_number": 2,
        "entered": 1,
        "limit": 28,
        "progress": {
            "1": {**zero, "high": 1},
            "2": {**zero, "medium": 1},
            "3": {**zero, "low": 1},
            "4": {**zero, "none": 1},
            "5": {**zero, "several": 1},
        },
    }
    second = client.post(url(counting), ballot_data(*("high",) * 5), **JSON).json()
    assert (second["number"], second["next_number"], second["entered"]) == (2, 3, 2)
    assert second["progress"]["1"]["high"] == 2


def test_json_resubmit_with_the_same_token_returns_the_first_ballot(
    login, counting, counting_member
):
    client = login(counting_member)
    token = uuid.uuid4()
    first = client.post(url(counting), ballot_data(*("high",) * 5, token=token), **JSON)
    # The retry after a lost answer: same token, and (whatever it carries) no new ballot.
    again = client.post(url(counting), ballot_data(*("low",) * 5, token=token), **JSON)
    assert first.status_code == again.status_code == 200
    assert again.json()["number"] == first.json()["number"] == 1
    assert again.json()["entered"] == 1
    assert Ballot.objects.filter(session=counting).count() == 1
    assert set(Ballot.objects.get().marks.values_list("value", flat=True)) == {"high"}


def test_resending_ones_pass_2_token_to_pass_1_reveals_no_pass_1_totals(
    login, org, counting, counting_member
):
    """The leak of issue 9: a pass-2 typist posted their own pass-2 client token to the pass-1
    URL and got pass 1's running totals per official. Now the answer carries no totals."""
    from ballots.services import ballots_import
    from sessions.models import Role
    from tests.ballots import entry
    from tests.factories import make_committee_member, make_user

    second = make_user("nhap-luot-2", organization=org, roles=[Role.COUNTING])
    make_committee_member(counting, user=second)
    ballots_import(
        user=counting_member, session=counting, entry_pass=1, rows=[entry(n) for n in range(1, 4)]
    )
    client = login(second)
    token = uuid.uuid4()
    saved = client.post(url(counting, 2), ballot_data(*("low",) * 5, token=token), **JSON)
    assert saved.status_code == 200 and saved.json()["progress"]
    probe = client.post(url(counting, 1), ballot_data(*("low",) * 5, token=token), **JSON)
    assert "progress" not in probe.json()
    assert "high" not in probe.content.decode()
    assert Ballot.objects.filter(session=counting, entry_pass=1).count() == 3


def test_json_missing_marks_is_a_400_and_nothing_is_saved(login, counting, counting_member):
    response = login(counting_member).post(
        url(counting), ballot_data("high", "high", "high"), **JSON
    )
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "errors": ["Ballot 1: no mark for official no. 4, 5."],
        "field": None,
    }
    assert not Ballot.objects.filter(session=counting).exists()
    assert not AuditEntry.objects.filter(action="ballot.create").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (ballot_data("high", "great", "high", "high", "high"), "mark_2"),
        (ballot_data(*("high",) * 5, invalid_reason="torn"), "invalid_reason"),
        ({**ballot_data(*("high",) * 5), "client_token": "not-a-uuid"}, "client_token"),
        ({"mark_1": "high"}, "client_token"),
    ],
)
def test_json_bad_input_is_a_400_never_a_500(login, counting, counting_member, data, field):
    response = login(counting_member).post(url(counting), data, **JSON)
    assert response.status_code == 400
    payload = response.json()
    assert payload["ok"] is False
    assert payload["field"] == field
    assert payload["errors"]
    assert not Ballot.objects.filter(session=counting).exists()


def test_json_more_ballots_than_issued_is_refused(login, org, counting_member):
    session = make_counting_session(org, members=[counting_member], issued=2)
    client = login(counting_member)
    for number in (1, 2):
        assert client.post(url(session), ballot_data(*("high",) * 5), **JSON).json()["number"] == (
            number
        )
    response = client.post(url(session), ballot_data(*("high",) * 5), **JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "That would make 3 ballots in entry 1: more ballots than issued (2)."
    ]
    assert Ballot.objects.filter(session=session).count() == 2


# --- passes: blind double entry -----------------------------------------------------------


def test_a_member_who_entered_pass_1_cannot_open_pass_2(login, counting, counting_member):
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    client = login(counting_member)
    assert client.get(url(counting, 2)).status_code == 403
    response = client.post(url(counting, 2), ballot_data(*("high",) * 5), **JSON)
    assert response.status_code == 400
    assert "You entered ballots in pass 1" in response.json()["errors"][0]
    assert response.json()["field"] == "entry_pass"
    # Without JavaScript the refusal cannot show the other pass's screen either.
    assert client.post(url(counting, 2), ballot_data(*("high",) * 5)).status_code == 403
    assert not Ballot.objects.filter(session=counting, entry_pass=2).exists()


def test_a_member_who_has_entered_nothing_may_start_either_pass(
    login, counting, chair, chair_types
):
    client = login(chair)
    assert client.get(url(counting, 2)).status_code == 200
    assert client.post(url(counting, 2), ballot_data(*("high",) * 5)).status_code == 302
    assert Ballot.objects.get(session=counting).entry_pass == 2


def test_pass_2_is_closed_when_double_entry_is_off(login, org, counting_member):
    session = make_counting_session(org, members=[counting_member], double_entry=False)
    client = login(counting_member)
    assert client.get(url(session, 1)).status_code == 200
    assert client.get(url(session, 2)).status_code == 403
    response = client.post(url(session, 2), ballot_data(*("high",) * 5), **JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == ["This session has no second entry: double entry is off."]
    assert not Ballot.objects.filter(session=session).exists()


@pytest.mark.parametrize("entry_pass", [0, 3])
def test_there_is_no_other_pass(login, counting, counting_member, entry_pass):
    client = login(counting_member)
    assert client.get(url(counting, entry_pass)).status_code == 403
    response = client.post(url(counting, entry_pass), ballot_data(*("high",) * 5), **JSON)
    assert response.status_code == 400
    assert not Ballot.objects.filter(session=counting).exists()


# --- the count not open, or closed --------------------------------------------------------


def test_before_counting_the_screen_says_so_and_has_no_form(login, org, counting_member):
    session = make_ready_session(org)
    make_committee_member(session, user=counting_member)
    session_start_voting(user=None, session=session)
    client = login(counting_member)
    body = client.get(url(session)).content.decode()
    assert "Counting has not opened for this session." in body
    assert 'name="client_token"' not in body
    assert 'data-testid="official-row"' not in body
    response = client.post(url(session), ballot_data(*("high",) * 5), **JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == ["Counting has not opened for this session."]
    response = client.post(url(session), ballot_data(*("high",) * 5))
    assert "Counting has not opened for this session." in response.content.decode()
    assert not Ballot.objects.filter(session=session).exists()


def test_a_closed_count_refuses_new_ballots(login, counting, counting_member):
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    VoteSession.objects.filter(pk=counting.pk).update(status=SessionStatus.COUNTED)
    client = login(counting_member)
    body = client.get(url(counting)).content.decode()
    assert "The count is closed: ballots can no longer change." in body
    assert 'name="client_token"' not in body
    assert re.search(r"Entered <strong>1/28</strong>", body)
    response = client.post(url(counting), ballot_data(*("high",) * 5), **JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == ["The count is closed: ballots can no longer change."]
    assert Ballot.objects.filter(session=counting).count() == 1


# --- who may enter ------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(login, counting):
    for response in (
        login(None).get(url(counting)),
        login(None).post(url(counting), ballot_data(*("high",) * 5)),
    ):
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert not Ballot.objects.exists()


def test_outsider_gets_404(login, counting, outsider):
    assert login(outsider).get(url(counting)).status_code == 404
    assert login(outsider).post(url(counting), ballot_data(*("high",) * 5)).status_code == 404
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("who", ["secretariat", "leader", "seatless"])
def test_wrong_role_gets_403(login, org, counting, secretariat, leader, who):
    user = {
        "secretariat": secretariat,
        "leader": leader,
        "seatless": make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING]),
    }[who]
    client = login(user)
    assert client.get(url(counting)).status_code == 403
    assert client.post(url(counting), ballot_data(*("high",) * 5), **JSON).status_code == 403
    assert not Ballot.objects.exists()


def test_other_methods_are_refused(login, counting, counting_member):
    assert login(counting_member).put(url(counting)).status_code == 405
