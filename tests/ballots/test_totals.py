"""The running totals of each pass stay what a recount of the marks gives, after every kind of
change: a save, an import, a correction, a void, a resolution (and through the entry POST)."""

import uuid

import pytest

from ballots.models import WHOLE_INVALID, Ballot, PassTotal
from ballots.selectors import ballot_totals, entry_progress
from ballots.services import (
    ballot_correct,
    ballot_record,
    ballot_void,
    ballots_import,
    difference_resolve,
)
from ballots.totals import totals_of, totals_recounted
from tests.ballots import entry


def assert_true(session):
    for entry_pass in (1, 2):
        kept = totals_of(session_id=session.pk, entry_pass=entry_pass)
        recounted = totals_recounted(session_id=session.pk, entry_pass=entry_pass)
        assert kept == recounted, entry_pass
    assert not PassTotal.objects.filter(session=session, count__lt=0).exists()


def test_totals_follow_every_kind_of_change(counting, counting_member, chair):
    assert_true(counting)
    first = ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=entry(None, "high", "low", "none", "several", "medium"),
    )
    assert_true(counting)
    invalid = ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=entry(None, invalid_reason="not_issued"),
    )
    assert_true(counting)
    officials = list(counting.officials.order_by("order").values_list("pk", flat=True))
    assert totals_of(session_id=counting.pk, entry_pass=1)[(officials[0], WHOLE_INVALID)] == 1

    ballots_import(user=None, session=counting, entry_pass=2, rows=[entry(1), entry(2), entry(3)])
    assert_true(counting)

    # A correction both ways: marks to invalid as a whole, and back to other marks.
    ballot_correct(
        user=counting_member,
        ballot=first,
        entry=entry(None, invalid_reason="name_added"),
        reason="Misread",
    )
    assert_true(counting)
    ballot_correct(
        user=counting_member,
        ballot=first,
        entry=entry(None, "low", "low", "high", "high", "high"),
        reason="Misread again",
    )
    assert_true(counting)

    ballot_void(user=counting_member, ballot=invalid, reason="Typed twice")
    assert_true(counting)

    # Pass 2 has ballot 3, pass 1 has none (ballot 2 was voided): the chair resolves 2 and 3.
    difference_resolve(user=chair, session=counting, number=2, entry=entry(None), reason="Paper")
    assert_true(counting)
    difference_resolve(
        user=chair,
        session=counting,
        number=3,
        entry=entry(None, invalid_reason="other", invalid_note="torn"),
        reason="Paper",
    )
    assert_true(counting)
    difference_resolve(
        user=chair, session=counting, number=1, entry=entry(None, "medium", *["high"] * 4)
    )
    assert_true(counting)
    assert Ballot.objects.filter(session=counting).count() == 6


def test_progress_and_ballot_totals_read_the_totals(counting, counting_member):
    ballots_import(
        user=None,
        session=counting,
        entry_pass=1,
        rows=[
            entry(1, "high", "low", "none", "several", "medium"),
            entry(2, invalid_reason="not_issued"),
            entry(3),
        ],
    )
    progress = entry_progress(session=counting, entry_pass=1)
    assert progress["entered"] == 3
    assert progress["invalid"] == 1
    assert progress["by_order"][1] == {"high": 2, "medium": 0, "low": 0, "none": 0, "several": 0}
    assert progress["by_order"][4] == {"high": 1, "medium": 0, "low": 0, "none": 0, "several": 1}
    assert ballot_totals(session=counting, entry_pass=1)[3] == {
        "high": 1,
        "medium": 0,
        "low": 0,
        "invalid": 2,
    }


@pytest.mark.parametrize("wants_json", [True, False])
def test_totals_after_saves_through_the_entry_screen(counting, counting_member, login, wants_json):
    client = login(counting_member)
    url = f"/sessions/{counting.pk}/count/pass/1/"
    headers = {"accept": "application/json"} if wants_json else {}
    for n, value in enumerate(["high", "low", "several"], start=1):
        data = {"client_token": str(uuid.uuid4()), "invalid_reason": ""}
        data.update({f"mark_{order}": value for order in range(1, 6)})
        response = client.post(url, data, headers=headers)
        assert response.status_code == (200 if wants_json else 302)
        if wants_json:
            answer = response.json()
            assert answer["entered"] == n
            assert answer["next_number"] == n + 1
            assert answer["progress"]["1"][value] == 1
    assert_true(counting)
    assert entry_progress(session=counting, entry_pass=1)["by_order"][2] == {
        "high": 1,
        "medium": 0,
        "low": 1,
        "none": 0,
        "several": 1,
    }


def test_the_save_answer_shows_only_this_pass_and_only_to_whom_it_is_open(
    org, counting, counting_member, login
):
    """Blind double entry: the answer carries this pass's counts once the user has typed in it;
    a member resubmitting another member's token is refused and gets none."""
    from sessions.models import Role
    from tests.factories import make_committee_member, make_user

    other = make_user("nhap-lan-hai", organization=org, roles=[Role.COUNTING])
    make_committee_member(counting, user=other)
    url = f"/sessions/{counting.pk}/count/pass/1/"
    data = {"client_token": str(uuid.uuid4()), "invalid_reason": ""}
    data.update({f"mark_{order}": "high" for order in range(1, 6)})
    mine = login(counting_member).post(url, data, headers={"accept": "application/json"})
    assert set(mine.json()["progress"]) == {"1", "2", "3", "4", "5"}
    # Another member resubmitting that token learns nothing: the token is not theirs.
    again = login(other).post(url, data, headers={"accept": "application/json"})
    assert again.status_code == 400
    assert "progress" not in again.json()
