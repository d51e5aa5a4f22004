"""Entry progress and pass differences: exact counts, a constant number of queries."""

import pytest

from ballots.inputs import BallotInput
from ballots.models import Ballot
from ballots.selectors import entry_progress, pass_differences
from ballots.services import ballot_record, ballot_void, ballots_import
from tests.ballots import entry, make_counting_session

ZERO = {"high": 0, "medium": 0, "low": 0, "none": 0, "several": 0}


@pytest.fixture
def counting(org, counting_member):
    return make_counting_session(org, members=[counting_member], officials=3)


def test_progress_of_an_empty_pass(counting):
    assert entry_progress(session=counting, entry_pass=1) == {
        "entered": 0,
        "invalid": 0,
        "by_order": {1: ZERO, 2: ZERO, 3: ZERO},
    }


def test_progress_counts_each_value_per_official(counting, counting_member):
    ballots_import(
        user=None,
        session=counting,
        entry_pass=1,
        rows=[
            entry(1, "high", "high", "low"),
            entry(2, "high", "medium", "none"),
            entry(3, "medium", "several", "low"),
            BallotInput(number=4, invalid_reason="name_added"),
        ],
    )
    stray = ballot_record(
        user=counting_member, session=counting, entry_pass=1, entry=entry(5, "low", "low", "low")
    )
    ballot_void(user=counting_member, ballot=stray, reason="Typed twice")
    # The second pass is counted apart.
    ballots_import(user=None, session=counting, entry_pass=2, rows=[entry(1, "low", "low", "low")])
    assert entry_progress(session=counting, entry_pass=1) == {
        "entered": 4,
        "invalid": 1,
        "by_order": {
            1: {**ZERO, "high": 2, "medium": 1},
            2: {**ZERO, "high": 1, "medium": 1, "several": 1},
            3: {**ZERO, "low": 2, "none": 1},
        },
    }
    assert entry_progress(session=counting, entry_pass=2) == {
        "entered": 1,
        "invalid": 0,
        "by_order": {1: {**ZERO, "low": 1}, 2: {**ZERO, "low": 1}, 3: {**ZERO, "low": 1}},
    }


def test_no_differences_when_the_passes_agree(counting):
    rows = [entry(1, "high", "low", "none"), BallotInput(number=2, invalid_reason="other")]
    ballots_import(user=None, session=counting, entry_pass=1, rows=rows)
    ballots_import(user=None, session=counting, entry_pass=2, rows=rows)
    assert pass_differences(session=counting) == []


def test_differences_list_both_sides(counting, counting_member):
    ballots_import(
        user=None,
        session=counting,
        entry_pass=1,
        rows=[
            entry(1, "high", "high", "high"),
            entry(2, "high", "high", "high"),
            entry(3, "high", "high", "high"),
            BallotInput(number=4, invalid_reason="not_issued"),
            entry(5, "high", "high", "high"),
        ],
    )
    ballots_import(
        user=None,
        session=counting,
        entry_pass=2,
        rows=[
            entry(1, "high", "high", "high"),
            entry(2, "high", "several", "high"),
            BallotInput(number=4, invalid_reason="name_added"),
            entry(5, "high", "high", "high"),
            entry(6, "low", "low", "low"),
        ],
    )
    # A voided entry is as if never typed: 5 is then missing from the second pass.
    ballot_void(
        user=counting_member,
        ballot=Ballot.objects.get(session=counting, entry_pass=2, number=5),
        reason="Typed by mistake",
    )
    high = {1: "high", 2: "high", 3: "high"}
    assert pass_differences(session=counting) == [
        {
            "number": 2,
            "first": {"invalid_reason": "", "marks": high},
            "second": {"invalid_reason": "", "marks": {1: "high", 2: "several", 3: "high"}},
        },
        {"number": 3, "first": {"invalid_reason": "", "marks": high}, "second": None},
        {
            "number": 4,
            "first": {"invalid_reason": "not_issued", "marks": {}},
            "second": {"invalid_reason": "name_added", "marks": {}},
        },
        {"number": 5, "first": {"invalid_reason": "", "marks": high}, "second": None},
        {
            "number": 6,
            "first": None,
            "second": {"invalid_reason": "", "marks": {1: "low", 2: "low", 3: "low"}},
        },
    ]


def test_differences_are_per_session(org, counting):
    other = make_counting_session(org, officials=3)
    ballots_import(user=None, session=other, entry_pass=1, rows=[entry(1, "high", "high", "high")])
    assert pass_differences(session=counting) == []
    assert [d["number"] for d in pass_differences(session=other)] == [1]


@pytest.mark.parametrize("count", [5, 40])
def test_reads_do_not_grow_with_the_ballots(org, count, django_assert_max_num_queries):
    session = make_counting_session(org, officials=5, issued=28)
    session.ballots_issued = 40
    session.save(update_fields=["ballots_issued"])
    rows = [entry(n) for n in range(1, count + 1)]
    ballots_import(user=None, session=session, entry_pass=1, rows=rows)
    ballots_import(user=None, session=session, entry_pass=2, rows=rows[:-1])
    with django_assert_max_num_queries(2):
        progress = entry_progress(session=session, entry_pass=1)
    assert progress["entered"] == count
    assert progress["by_order"][5]["high"] == count
    # 3: the differing numbers (one GROUP BY), then both sides of those numbers.
    with django_assert_max_num_queries(3):
        differences = pass_differences(session=session)
    assert [d["number"] for d in differences] == [count]


def test_the_compiled_facts_query_answers_with_each_save_s_own_values(org, counting_member):
    """A save's facts query is compiled once and given each save's values
    (`ballots.selectors._facts_sql`): for other sessions, users, passes and client tokens it
    must answer what the ORM's query built afresh answers."""
    import uuid

    from ballots.selectors import _facts_queryset, entry_snapshot
    from sessions.models import Role
    from tests.factories import make_user

    second = make_user("nhap-luot-2", organization=org, roles=[Role.COUNTING])
    one = make_counting_session(org, members=[counting_member, second], officials=3)
    two = make_counting_session(org, members=[second], officials=4)
    ballot_record(user=counting_member, session=one, entry_pass=1, entry=entry(1, officials=3))
    ballot_record(
        user=second,
        session=one,
        entry_pass=2,
        entry=entry(7, "low", "none", "high"),
        client_token=(token := uuid.uuid4()),
    )
    ballot_record(user=second, session=two, entry_pass=1, entry=entry(3, officials=4))
    columns = [
        "x_officials",
        "x_totals",
        "x_last_number",
        "x_last_held",
        "x_pass_1",
        "x_pass_2",
        "x_token_ballot",
        "access_roles",
        "access_seat_id",
        "access_seat_role",
        "access_seat_typing",
    ]
    cases = [
        (session, user, entry_pass, client_token)
        for session in (one, two)
        for user in (counting_member, second, None)
        for entry_pass in (1, 2)
        for client_token in (None, token, uuid.uuid4())
    ]
    for session, user, entry_pass, client_token in cases * 2:  # compiled, then reused
        snapshot = entry_snapshot(
            session_pk=session.pk, user=user, entry_pass=entry_pass, client_token=client_token
        )
        fresh = next(
            iter(
                _facts_queryset(
                    session_pk=session.pk,
                    user_id=user.pk if user is not None else None,
                    entry_pass=entry_pass,
                    client_token=client_token,
                )
            )
        )
        case = (session.pk, user, entry_pass, client_token)
        for column in columns:
            got, expected = getattr(snapshot.session, column, None), getattr(fresh, column, None)
            if column.startswith("x_pass"):
                got, expected = bool(got), bool(expected)
            if column in ("x_officials", "x_totals", "access_roles") and expected:
                got, expected = sorted(got.split(",")), sorted(expected.split(","))
            assert got == expected, (case, column)
    assert entry_snapshot(session_pk=one.pk, user=second, entry_pass=2).passes_entered == {2}
    missing = entry_snapshot(session_pk=two.pk + 100, user=second, entry_pass=1)
    assert missing is None
