"""The hand-count sheet: hand_count_record's rules, and closing a count on a hand count."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from ballots.inputs import BallotInput
from ballots.models import Ballot, TallySheetRow
from ballots.selectors import ballot_totals, hand_count_totals
from ballots.services import (
    ballot_correct,
    ballot_void,
    ballots_import,
    count_close,
    count_close_problems,
    count_record_collected,
    hand_count_record,
)
from sessions.errors import DomainError
from sessions.models import AuditEntry, SessionStatus
from tests.ballots import entry


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def all_high(collected, officials=5):
    return dict.fromkeys(range(1, officials + 1), (collected, 0, 0, 0))


def sheet(session):
    return {order: tuple(c.values()) for order, c in hand_count_totals(session=session).items()}


def recorded(session):
    return AuditEntry.objects.filter(session=session, action="tally_sheet.record").count()


# Four ballots whose totals per official are known exactly.
FOUR = [
    entry(1),
    entry(2, "low", "none", "high", "high", "high"),
    BallotInput(number=3, invalid_reason="name_added"),
    entry(4, "medium", "several", "high", "high", "high"),
]
# (high, medium, low, invalid) per official for FOUR.
FOUR_TOTALS = {1: (1, 1, 1, 1), 2: (1, 0, 0, 3), 3: (3, 0, 0, 1), 4: (3, 0, 0, 1), 5: (3, 0, 0, 1)}


# --- hand_count_record -------------------------------------------------------------------


def test_the_chair_records_a_sheet(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    rows = {**all_high(28), 2: (26, 1, 0, 1)}
    created = hand_count_record(user=chair, session=counting, rows=rows)
    assert len(created) == 5
    assert sheet(counting) == rows
    row = TallySheetRow.objects.get(session=counting, official__order=2)
    assert (row.high, row.medium, row.low, row.invalid, row.total) == (26, 1, 0, 1, 28)
    assert row.recorded_by == chair
    audit = AuditEntry.objects.get(session=counting, action="tally_sheet.record")
    assert audit.user == chair
    assert audit.data == {
        "ballots_collected": 28,
        "before": {},
        "after": {
            "1": [28, 0, 0, 0],
            "2": [26, 1, 0, 1],
            "3": [28, 0, 0, 0],
            "4": [28, 0, 0, 0],
            "5": [28, 0, 0, 0],
        },
        "checked_against_ballots": False,
    }


def test_a_new_sheet_replaces_the_old_one(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    hand_count_record(user=chair, session=counting, rows=all_high(28))
    hand_count_record(user=chair, session=counting, rows={**all_high(28), 5: (0, 0, 28, 0)})
    assert TallySheetRow.objects.filter(session=counting).count() == 5
    assert sheet(counting)[5] == (0, 0, 28, 0)
    audit = (
        AuditEntry.objects.filter(session=counting, action="tally_sheet.record")
        .order_by("pk")
        .last()
    )
    assert audit.data["before"]["5"] == [28, 0, 0, 0]
    assert audit.data["after"]["5"] == [0, 0, 28, 0]


def test_each_row_adds_up_to_the_ballots_collected(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    rows = {**all_high(28), 1: (27, 0, 0, 0), 4: (20, 5, 2, 2)}
    with pytest.raises(DomainError) as excinfo:
        hand_count_record(user=chair, session=counting, rows=rows)
    assert str(excinfo.value) == (
        "Trần Văn Cán 1: 27 + 0 + 0 + 0 = 27, but 28 ballots were collected. "
        "Trần Văn Cán 4: 20 + 5 + 2 + 2 = 29, but 28 ballots were collected."
    )
    assert sheet(counting) == {}
    assert recorded(counting) == 0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            {1: (28, 0, 0, 0), 2: (28, 0, 0, 0), 3: (28, 0, 0, 0)},
            "The hand-count totals have no row for Trần Văn Cán 4, Trần Văn Cán 5.",
        ),
        ({**all_high(28), 7: (28, 0, 0, 0)}, "There is no official no. 7 in this session."),
        ({**all_high(28), 3: (29, 0, 0, -1)}, "Trần Văn Cán 3: a count cannot be negative."),
        (
            {**all_high(28), 2: (28, 0, 0)},
            "Trần Văn Cán 2: give four numbers (high, medium, low, invalid).",
        ),
    ],
)
def test_every_official_exactly_once_with_four_counts(counting, chair, rows, message):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    with pytest.raises(DomainError) as excinfo:
        hand_count_record(user=chair, session=counting, rows=rows)
    assert str(excinfo.value) == message
    assert sheet(counting) == {}
    assert recorded(counting) == 0


def test_a_failed_record_keeps_the_previous_sheet(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    hand_count_record(user=chair, session=counting, rows=all_high(28))
    with pytest.raises(DomainError):
        hand_count_record(user=chair, session=counting, rows={**all_high(28), 1: (1, 1, 1, 1)})
    assert sheet(counting) == all_high(28)
    assert recorded(counting) == 1


def test_collected_must_be_recorded_first(counting, chair):
    with pytest.raises(DomainError) as excinfo:
        hand_count_record(user=chair, session=counting, rows=all_high(28))
    assert str(excinfo.value) == "Record the number of ballots collected first."
    assert sheet(counting) == {}
    assert recorded(counting) == 0


def test_only_the_chair_while_counting(counting, chair, counting_member):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    with pytest.raises(DomainError) as excinfo:
        hand_count_record(user=counting_member, session=counting, rows=all_high(28))
    assert str(excinfo.value) == "Only the chair of the counting committee may do this."
    counting.status = SessionStatus.COUNTED
    counting.save(update_fields=["status"])
    with pytest.raises(DomainError) as excinfo:
        hand_count_record(user=chair, session=counting, rows=all_high(28))
    assert str(excinfo.value) == "The count is closed: ballots can no longer change."
    assert sheet(counting) == {}
    assert recorded(counting) == 0


def test_ballot_totals_count_invalid_marks_and_whole_invalid_ballots(counting):
    ballots_import(user=None, session=counting, entry_pass=1, rows=FOUR)
    totals = ballot_totals(session=counting, entry_pass=1)
    assert {order: tuple(c.values()) for order, c in totals.items()} == FOUR_TOTALS


def test_the_sheet_must_match_the_ballots_entered(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=4)
    ballots_import(user=None, session=counting, entry_pass=1, rows=FOUR)
    wrong = {**FOUR_TOTALS, 1: (2, 0, 1, 1), 2: (1, 0, 1, 2)}
    with pytest.raises(DomainError) as excinfo:
        hand_count_record(user=chair, session=counting, rows=wrong)
    assert str(excinfo.value) == (
        "Trần Văn Cán 1: the hand count says 2 high, 0 medium, 1 low, 1 invalid; "
        "the ballots entered say 1 high, 1 medium, 1 low, 1 invalid. "
        "Trần Văn Cán 2: the hand count says 1 high, 0 medium, 1 low, 2 invalid; "
        "the ballots entered say 1 high, 0 medium, 0 low, 3 invalid."
    )
    assert sheet(counting) == {}
    hand_count_record(user=chair, session=counting, rows=FOUR_TOTALS)
    assert sheet(counting) == FOUR_TOTALS
    audit = AuditEntry.objects.get(session=counting, action="tally_sheet.record")
    assert audit.data["checked_against_ballots"] is True


def test_voided_entries_are_not_ballots_entered(counting, chair, counting_member):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    ballots_import(user=counting_member, session=counting, entry_pass=1, rows=[entry(1)])
    ballot_void(
        user=counting_member,
        ballot=Ballot.objects.get(session=counting, number=1),
        reason="Typed by mistake",
    )
    # With only a voided entry there is nothing to match: the sheet stands alone.
    rows = {**all_high(28), 1: (0, 0, 28, 0)}
    hand_count_record(user=chair, session=counting, rows=rows)
    assert sheet(counting) == rows


def test_database_refuses_a_second_row_or_a_negative_count(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    hand_count_record(user=chair, session=counting, rows=all_high(28))
    official = counting.officials.get(order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TallySheetRow.objects.create(
            session=counting, official=official, high=28, medium=0, low=0, invalid=0
        )
    row = TallySheetRow.objects.get(session=counting, official=official)
    with pytest.raises(IntegrityError), transaction.atomic():
        TallySheetRow.objects.filter(pk=row.pk).update(invalid=-1)


# --- closing on a hand count --------------------------------------------------------------


def test_a_count_closes_on_a_hand_count_alone(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    counting.refresh_from_db()
    assert count_close_problems(session=counting) == [
        "Entry 1: 0 ballots entered, 28 collected.",
        "Entry 2: 0 ballots entered, 28 collected.",
    ]
    hand_count_record(user=chair, session=counting, rows=all_high(28))
    assert count_close_problems(session=counting) == []
    count_close(user=chair, session=counting)
    counting.refresh_from_db()
    assert counting.status == SessionStatus.COUNTED
    audit = AuditEntry.objects.get(session=counting, action="count.close")
    assert audit.data == {
        "ballots_collected": 28,
        "entered": {"1": 0, "2": 0},
        "tally_sheet": True,
    }


def test_close_rechecks_the_sheet_when_collected_changed(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    hand_count_record(user=chair, session=counting, rows=all_high(28))
    count_record_collected(user=chair, session=counting, ballots_collected=27)
    with pytest.raises(DomainError) as excinfo:
        count_close(user=chair, session=counting)
    assert str(excinfo.value) == " ".join(
        f"Trần Văn Cán {n}: 28 + 0 + 0 + 0 = 28, but 27 ballots were collected."
        for n in range(1, 6)
    )
    counting.refresh_from_db()
    assert counting.status == SessionStatus.COUNTING
    assert not AuditEntry.objects.filter(session=counting, action="count.close").exists()


def test_with_ballots_and_a_sheet_both_must_hold_and_match(counting, chair, chair_types):
    count_record_collected(user=chair, session=counting, ballots_collected=4)
    ballots_import(user=None, session=counting, entry_pass=1, rows=FOUR)
    hand_count_record(user=chair, session=counting, rows=FOUR_TOTALS)
    # Pass 2 is still empty: the sheet does not stand in for it once ballots are entered.
    counting.refresh_from_db()
    assert count_close_problems(session=counting) == [
        "Entry 2: 0 ballots entered, 4 collected.",
        "The passes differ on ballots 1, 2, 3, 4.",
    ]
    ballots_import(user=None, session=counting, entry_pass=2, rows=FOUR)
    assert count_close_problems(session=counting) == []
    # A correction in both passes after the sheet was recorded: the sheet no longer matches.
    for entry_pass in (1, 2):
        ballot_correct(
            user=chair,
            ballot=Ballot.objects.get(session=counting, entry_pass=entry_pass, number=1),
            entry=entry(None, "low", "high", "high", "high", "high"),
            reason="Misread",
        )
    with pytest.raises(DomainError) as excinfo:
        count_close(user=chair, session=counting)
    assert str(excinfo.value) == (
        "Trần Văn Cán 1: the hand count says 1 high, 1 medium, 1 low, 1 invalid; "
        "the ballots entered say 0 high, 1 medium, 2 low, 1 invalid."
    )
    counting.refresh_from_db()
    assert counting.status == SessionStatus.COUNTING
    hand_count_record(user=chair, session=counting, rows={**FOUR_TOTALS, 1: (0, 1, 2, 1)})
    count_close(user=chair, session=counting)
    counting.refresh_from_db()
    assert counting.status == SessionStatus.COUNTED
