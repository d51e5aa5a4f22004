"""The count: ballots collected, closing (counts and passes must agree), reopening."""

import pytest
from django.utils import translation

from ballots.inputs import BallotInput
from ballots.models import Ballot
from ballots.services import (
    ballot_correct,
    ballot_record,
    ballot_void,
    ballots_import,
    count_close,
    count_record_collected,
    count_reopen,
)
from sessions.errors import DomainError
from sessions.models import AuditEntry, SessionStatus
from tests.ballots import entry, make_counting_session


@pytest.fixture(autouse=True)
def english():
    # Messages are compared by their English source text (Vietnamese is the default).
    with translation.override("en"):
        yield


def count_actions(session):
    return list(
        AuditEntry.objects.filter(session=session, action__startswith="count.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def pile(count, start=1):
    return [entry(n) for n in range(start, start + count)]


def state(session):
    session.refresh_from_db()
    return session.status, session.ballots_collected


# --- count_record_collected ---------------------------------------------------------------


def test_chair_records_collected(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=27)
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    assert state(counting) == ("counting", 28)
    audit = AuditEntry.objects.filter(session=counting, action="count.collected").order_by("pk")
    assert [a.data for a in audit] == [
        {"ballots_collected": [None, 27]},
        {"ballots_collected": [27, 28]},
    ]
    assert audit[0].user == chair


@pytest.mark.parametrize("collected", [-1, 29])
def test_collected_must_be_between_zero_and_issued(counting, chair, collected):
    with pytest.raises(DomainError) as excinfo:
        count_record_collected(user=chair, session=counting, ballots_collected=collected)
    assert str(excinfo.value) == (
        f"{collected} ballots collected: it must be between 0 and the 28 issued."
    )
    assert excinfo.value.field == "ballots_collected"
    assert state(counting) == ("counting", None)
    assert count_actions(counting) == []


def test_collected_is_for_the_chair_only_while_counting(counting, counting_member, chair):
    with pytest.raises(DomainError) as excinfo:
        count_record_collected(user=counting_member, session=counting, ballots_collected=28)
    assert str(excinfo.value) == "Only the chair of the counting committee may do this."
    counting.status = SessionStatus.COUNTED
    counting.save(update_fields=["status"])
    with pytest.raises(DomainError) as excinfo:
        count_record_collected(user=chair, session=counting, ballots_collected=28)
    assert str(excinfo.value) == "The count is closed: ballots can no longer change."
    assert state(counting) == ("counted", None)
    assert count_actions(counting) == []


# --- count_close --------------------------------------------------------------------------


def test_close_with_both_passes_complete_and_alike(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(28))
    ballots_import(user=None, session=counting, entry_pass=2, rows=pile(28))
    count_close(user=chair, session=counting)
    assert state(counting) == ("counted", 28)
    audit = AuditEntry.objects.get(session=counting, action="count.close")
    assert audit.user == chair
    assert audit.data == {"ballots_collected": 28, "entered": {"1": 28, "2": 28}}


def test_close_needs_collected_recorded(counting, chair):
    with pytest.raises(DomainError) as excinfo:
        count_close(user=chair, session=counting)
    assert str(excinfo.value) == "Record the number of ballots collected first."
    assert state(counting) == ("counting", None)
    assert count_actions(counting) == []


def test_close_names_the_missing_ballots_per_pass(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(27))
    ballots_import(user=None, session=counting, entry_pass=2, rows=pile(28))
    with pytest.raises(DomainError) as excinfo:
        count_close(user=chair, session=counting)
    assert str(excinfo.value) == (
        "Entry 1: 27 ballots entered, 28 collected. The passes differ on ballots 28."
    )
    assert state(counting) == ("counting", 28)
    assert count_actions(counting) == ["count.collected"]


def test_close_names_the_ballots_where_the_passes_differ(counting, chair, chair_types):
    count_record_collected(user=chair, session=counting, ballots_collected=28)
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(28))
    second = pile(28)
    second[3] = entry(4, "high", "low", "high", "high", "high")
    second[16] = BallotInput(number=17, invalid_reason="not_issued")
    ballots_import(user=None, session=counting, entry_pass=2, rows=second)
    with pytest.raises(DomainError) as excinfo:
        count_close(user=chair, session=counting)
    assert str(excinfo.value) == "The passes differ on ballots 4, 17."
    assert state(counting) == ("counting", 28)
    # Resolving the differences lets the count close.
    for number in (4, 17):
        ballot_correct(
            user=chair,
            ballot=Ballot.objects.get(session=counting, entry_pass=2, number=number),
            entry=entry(None),
            reason="Checked against the paper ballot",
        )
    count_close(user=chair, session=counting)
    assert state(counting) == ("counted", 28)


def test_close_ignores_voided_entries(counting, chair, counting_member):
    count_record_collected(user=chair, session=counting, ballots_collected=2)
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(2))
    ballots_import(user=None, session=counting, entry_pass=2, rows=pile(2))
    stray = ballot_record(user=counting_member, session=counting, entry_pass=2, entry=entry(3))
    with pytest.raises(DomainError) as excinfo:
        count_close(user=chair, session=counting)
    assert str(excinfo.value) == (
        "Entry 2: 3 ballots entered, 2 collected. The passes differ on ballots 3."
    )
    ballot_void(user=counting_member, ballot=stray, reason="Not a ballot")
    count_close(user=chair, session=counting)
    assert state(counting) == ("counted", 2)


def test_close_single_entry_needs_only_the_first_pass(org, chair):
    session = make_counting_session(org, chair=chair, double_entry=False, issued=5)
    count_record_collected(user=chair, session=session, ballots_collected=5)
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(4))
    with pytest.raises(DomainError) as excinfo:
        count_close(user=chair, session=session)
    assert str(excinfo.value) == "Entry 1: 4 ballots entered, 5 collected."
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(1, start=5))
    count_close(user=chair, session=session)
    assert state(session) == ("counted", 5)
    audit = AuditEntry.objects.get(session=session, action="count.close")
    assert audit.data == {"ballots_collected": 5, "entered": {"1": 5}}


def test_close_is_for_the_chair_only(counting, chair, counting_member):
    count_record_collected(user=chair, session=counting, ballots_collected=0)
    with pytest.raises(DomainError) as excinfo:
        count_close(user=counting_member, session=counting)
    assert str(excinfo.value) == "Only the chair of the counting committee may do this."
    assert state(counting) == ("counting", 0)
    assert count_actions(counting) == ["count.collected"]


def test_closed_count_refuses_new_ballots_and_a_second_close(counting, chair, counting_member):
    count_record_collected(user=chair, session=counting, ballots_collected=0)
    count_close(user=chair, session=counting)
    with pytest.raises(DomainError) as excinfo:
        ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    assert str(excinfo.value) == "The count is closed: ballots can no longer change."
    with pytest.raises(DomainError) as excinfo:
        count_close(user=chair, session=counting)
    assert str(excinfo.value) == "Only a count in progress can be closed."
    assert Ballot.objects.filter(session=counting).count() == 0
    assert count_actions(counting) == ["count.collected", "count.close"]


# --- count_reopen -------------------------------------------------------------------------


def test_reopen_returns_a_closed_count_to_counting(counting, chair, counting_member):
    count_record_collected(user=chair, session=counting, ballots_collected=1)
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(1))
    ballots_import(user=None, session=counting, entry_pass=2, rows=pile(1))
    count_close(user=chair, session=counting)
    count_reopen(user=chair, session=counting, reason="A ballot was misread")
    assert state(counting) == ("counting", 1)
    audit = AuditEntry.objects.get(session=counting, action="count.reopen")
    assert (audit.reason, audit.user) == ("A ballot was misread", chair)
    # Ballots can change again.
    ballot_void(
        user=counting_member,
        ballot=Ballot.objects.get(session=counting, entry_pass=2, number=1),
        reason="Typed into the wrong pass",
    )
    assert count_actions(counting) == ["count.collected", "count.close", "count.reopen"]


def test_reopen_refusals_change_nothing(counting, chair, counting_member):
    with pytest.raises(DomainError) as excinfo:
        count_reopen(user=chair, session=counting, reason="x")
    assert str(excinfo.value) == "Only a closed count that is not yet certified can be reopened."
    count_record_collected(user=chair, session=counting, ballots_collected=0)
    count_close(user=chair, session=counting)
    with pytest.raises(DomainError) as excinfo:
        count_reopen(user=chair, session=counting, reason="  ")
    assert str(excinfo.value) == "Give the reason."
    with pytest.raises(DomainError) as excinfo:
        count_reopen(user=counting_member, session=counting, reason="x")
    assert str(excinfo.value) == "Only the chair of the counting committee may do this."
    counting.status = SessionStatus.CERTIFIED
    counting.save(update_fields=["status"])
    with pytest.raises(DomainError):
        count_reopen(user=chair, session=counting, reason="x")
    assert state(counting) == ("certified", 0)
    assert count_actions(counting) == ["count.collected", "count.close"]
