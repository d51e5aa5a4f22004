"""difference_resolve: the chair states a paper ballot's content and both passes take it."""

import pytest
from django.utils import translation

from ballots.inputs import BallotInput
from ballots.models import Ballot
from ballots.selectors import pass_differences
from ballots.services import (
    ballot_correct,
    ballot_record,
    ballot_void,
    ballots_import,
    count_close,
    count_record_collected,
    difference_resolve,
)
from sessions.errors import DomainError
from sessions.models import AuditEntry, SessionStatus
from tests.ballots import entry, make_counting_session


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def pile(count, start=1):
    return [entry(n) for n in range(start, start + count)]


def content(session, entry_pass, number):
    """(voided, invalid_reason, marks by order, entered_by) of one stored entry, or None."""
    ballot = Ballot.objects.filter(session=session, entry_pass=entry_pass, number=number).first()
    if ballot is None:
        return None
    marks = dict(ballot.marks.values_list("official__order", "value"))
    return ballot.voided, ballot.invalid_reason, marks, ballot.entered_by


def all_content(session):
    return sorted(
        (b.entry_pass, b.number, b.voided, b.invalid_reason, b.entered_by_id)
        for b in Ballot.objects.filter(session=session)
    ), sorted(
        Ballot.objects.filter(session=session).values_list(
            "entry_pass", "number", "marks__official__order", "marks__value"
        ),
        key=str,
    )


def resolves(session):
    return AuditEntry.objects.filter(session=session, action="ballot.resolve").count()


def with_difference(session):
    """Three ballots in each pass; ballot 2 read as "low" for official 3 in pass 2."""
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(3))
    second = pile(3)
    second[1] = entry(2, "high", "high", "low", "high", "high")
    ballots_import(user=None, session=session, entry_pass=2, rows=second)
    assert [d["number"] for d in pass_differences(session=session)] == [2]


def test_both_passes_take_the_chairs_reading(counting, chair):
    with_difference(counting)
    truth = entry(None, "high", "high", "medium", "high", "high")
    difference_resolve(
        user=chair, session=counting, number=2, entry=truth, reason="Read from the paper"
    )
    expected = {1: "high", 2: "high", 3: "medium", 4: "high", 5: "high"}
    for entry_pass in (1, 2):
        voided, reason, marks, entered_by = content(counting, entry_pass, 2)
        assert (voided, reason, marks) == (False, "", expected)
        # The existing entries keep who typed them (imports: nobody).
        assert entered_by is None
    assert pass_differences(session=counting) == []
    audit = AuditEntry.objects.get(session=counting, action="ballot.resolve")
    assert audit.user == chair
    assert audit.reason == "Read from the paper"
    high = {"1": "high", "2": "high", "4": "high", "5": "high"}
    assert audit.data == {
        "number": 2,
        "before": {
            "1": {"invalid_reason": "", "marks": {**high, "3": "high"}},
            "2": {"invalid_reason": "", "marks": {**high, "3": "low"}},
        },
        "after": {
            "invalid_reason": "",
            "invalid_note": "",
            "marks": {**high, "3": "medium"},
        },
        "created": [],
    }


def test_resolving_lets_the_count_close(counting, chair):
    count_record_collected(user=chair, session=counting, ballots_collected=3)
    with_difference(counting)
    with pytest.raises(DomainError, match="The passes differ on ballots 2."):
        count_close(user=chair, session=counting)
    difference_resolve(user=chair, session=counting, number=2, entry=entry(None))
    count_close(user=chair, session=counting)
    counting.refresh_from_db()
    assert counting.status == SessionStatus.COUNTED


def test_a_whole_invalid_reading(counting, chair):
    with_difference(counting)
    difference_resolve(
        user=chair,
        session=counting,
        number=2,
        entry=BallotInput(number=None, invalid_reason="other", invalid_note="Torn in half"),
    )
    for entry_pass in (1, 2):
        ballot = Ballot.objects.get(session=counting, entry_pass=entry_pass, number=2)
        assert (ballot.invalid_reason, ballot.invalid_note, ballot.marks.count()) == (
            "other",
            "Torn in half",
            0,
        )
    assert pass_differences(session=counting) == []


def test_a_missing_side_is_created_by_the_chair(counting, chair, counting_member):
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(2))
    ballot_record(user=counting_member, session=counting, entry_pass=2, entry=entry(1))
    difference_resolve(user=chair, session=counting, number=2, entry=entry(None))
    voided, reason, marks, entered_by = content(counting, 2, 2)
    assert (voided, reason, entered_by) == (False, "", None)
    assert marks == dict.fromkeys(range(1, 6), "high")
    audit = AuditEntry.objects.get(session=counting, action="ballot.resolve")
    assert audit.data["before"]["2"] is None
    assert audit.data["created"] == [2]
    assert pass_differences(session=counting) == []


def test_a_voided_side_comes_back_with_the_reading(counting, chair, counting_member):
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(1))
    mistake = ballot_record(user=counting_member, session=counting, entry_pass=2, entry=entry(1))
    ballot_void(user=counting_member, ballot=mistake, reason="Typed twice")
    difference_resolve(user=chair, session=counting, number=1, entry=entry(None))
    mistake.refresh_from_db()
    assert (mistake.voided, mistake.entered_by) == (False, None)
    assert Ballot.objects.filter(session=counting, entry_pass=2).count() == 1
    assert pass_differences(session=counting) == []


def test_creating_a_side_respects_the_ballots_issued(org, chair):
    session = make_counting_session(org, chair=chair, issued=3)
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(3))
    # Pass 2 has 1, 2 and 4: number 3 is missing there and number 4 in pass 1.
    ballots_import(user=None, session=session, entry_pass=2, rows=[entry(1), entry(2), entry(4)])
    before = all_content(session)
    with pytest.raises(DomainError) as excinfo:
        difference_resolve(user=chair, session=session, number=3, entry=entry(None))
    assert str(excinfo.value) == (
        "That would make 4 ballots in entry 2: more ballots than issued (3)."
    )
    assert all_content(session) == before
    assert resolves(session) == 0


def test_only_the_chair_may_resolve(counting, counting_member):
    with_difference(counting)
    before = all_content(counting)
    with pytest.raises(DomainError) as excinfo:
        difference_resolve(user=counting_member, session=counting, number=2, entry=entry(None))
    assert str(excinfo.value) == (
        "The passes can be compared once both are complete, by the chair of the counting committee."
    )
    assert all_content(counting) == before
    assert resolves(counting) == 0


def test_only_while_counting(counting, chair):
    with_difference(counting)
    counting.status = SessionStatus.COUNTED
    counting.save(update_fields=["status"])
    before = all_content(counting)
    with pytest.raises(DomainError) as excinfo:
        difference_resolve(user=chair, session=counting, number=2, entry=entry(None))
    assert str(excinfo.value) == "The count is closed: ballots can no longer change."
    assert all_content(counting) == before
    assert resolves(counting) == 0


def test_the_number_must_be_a_difference(counting, chair):
    with_difference(counting)
    before = all_content(counting)
    for number in (1, 9):
        with pytest.raises(DomainError) as excinfo:
            difference_resolve(user=chair, session=counting, number=number, entry=entry(None))
        assert str(excinfo.value) == (
            f"The two passes agree on ballot {number}: there is nothing to resolve."
        )
    assert all_content(counting) == before
    assert resolves(counting) == 0


def test_single_entry_has_nothing_to_resolve(org, chair):
    session = make_counting_session(org, chair=chair, double_entry=False)
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(1))
    with pytest.raises(DomainError) as excinfo:
        difference_resolve(user=chair, session=session, number=1, entry=entry(None))
    assert str(excinfo.value) == "This session has no second entry: double entry is off."
    assert Ballot.objects.filter(session=session).count() == 1
    assert resolves(session) == 0


@pytest.mark.parametrize(
    ("reading", "message"),
    [
        (
            BallotInput(number=None, marks={1: "high"}),
            "Ballot 2: no mark for official no. 2, 3, 4, 5.",
        ),
        (
            entry(None, "high", "high", "maybe", "high", "high"),
            "Ballot 2: the mark for official no. 3 is not valid.",
        ),
        (entry(5), "This form is for ballot 2; the entry number cannot change here."),
    ],
)
def test_a_bad_reading_changes_nothing(counting, chair, reading, message):
    with_difference(counting)
    before = all_content(counting)
    with pytest.raises(DomainError) as excinfo:
        difference_resolve(user=chair, session=counting, number=2, entry=reading)
    assert str(excinfo.value) == message
    assert all_content(counting) == before
    assert resolves(counting) == 0


def test_correcting_the_other_pass_is_still_refused(org, chair, counting_member):
    """Resolving is the chair's way in; ballot_correct keeps members to their own pass."""
    session = make_counting_session(org, chair=chair, members=[counting_member])
    ballot_record(user=counting_member, session=session, entry_pass=1, entry=entry(1))
    ballots_import(
        user=None,
        session=session,
        entry_pass=2,
        rows=[entry(1, "low", "high", "high", "high", "high")],
    )
    theirs = Ballot.objects.get(session=session, entry_pass=2, number=1)
    with pytest.raises(DomainError, match="pass 1"):
        ballot_correct(user=counting_member, ballot=theirs, entry=entry(None), reason="x")
