"""Entering ballots: who may, the numbers, the marks, the issued limit, import, correct, void."""

import uuid

import pytest
from django.utils import translation

from ballots.inputs import BallotInput
from ballots.models import Ballot, Mark
from ballots.services import (
    ballot_correct,
    ballot_record,
    ballot_void,
    ballots_import,
    count_open,
)
from sessions.errors import DomainError
from sessions.models import AuditEntry, CommitteeRole, Role, SessionStatus
from sessions.services.sessions import session_start_voting
from tests.ballots import entry, make_counting_session, marks
from tests.factories import make_committee_member, make_ready_session, make_user


def actions(session):
    return list(
        AuditEntry.objects.filter(session=session).order_by("pk").values_list("action", flat=True)
    )


def ballot_actions(session):
    return [a for a in actions(session) if a.startswith(("ballot.", "count."))]


def stored_marks(ballot):
    return dict(ballot.marks.values_list("official__order", "value"))


@pytest.fixture(autouse=True)
def english():
    # Messages are compared by their English source text (Vietnamese is the default).
    with translation.override("en"):
        yield


# --- count_open ---------------------------------------------------------------------------


def test_count_open_by_the_chair_records_issued(org, chair):
    session = make_ready_session(org)
    session.committee_members.filter(role=CommitteeRole.CHAIR).update(user=chair)
    session_start_voting(user=None, session=session)
    count_open(user=chair, session=session, ballots_issued=28)
    session.refresh_from_db()
    assert (session.status, session.ballots_issued) == ("counting", 28)
    entry_ = AuditEntry.objects.get(session=session, action="session.open_counting")
    assert entry_.user == chair
    assert entry_.data == {"ballots_issued": 28, "present": 28}


def test_count_open_refused_to_a_member_who_is_not_chair(org, chair, counting_member):
    session = make_ready_session(org)
    session.committee_members.filter(role=CommitteeRole.CHAIR).update(user=chair)
    make_committee_member(session, user=counting_member)
    session_start_voting(user=None, session=session)
    with pytest.raises(DomainError) as excinfo:
        count_open(user=counting_member, session=session, ballots_issued=28)
    assert str(excinfo.value) == "Only the chair of the counting committee may do this."
    session.refresh_from_db()
    assert (session.status, session.ballots_issued) == ("voting", None)
    assert "session.open_counting" not in actions(session)


def test_count_open_refuses_more_issued_than_present(org, chair):
    session = make_ready_session(org)
    session.committee_members.filter(role=CommitteeRole.CHAIR).update(user=chair)
    session_start_voting(user=None, session=session)
    with pytest.raises(DomainError) as excinfo:
        count_open(user=chair, session=session, ballots_issued=29)
    assert str(excinfo.value) == "29 ballots issued, but only 28 delegates are present."
    session.refresh_from_db()
    assert session.status == "voting"


def test_count_open_refuses_anonymous_even_if_the_chair_has_no_account(org):
    session = make_ready_session(org)  # the chair has no user account
    session_start_voting(user=None, session=session)
    with pytest.raises(DomainError):
        count_open(user=None, session=session, ballots_issued=28)
    session.refresh_from_db()
    assert session.status == "voting"


# --- ballot_record ------------------------------------------------------------------------


def test_record_numbers_ballots_in_turn_and_stores_one_mark_per_official(counting, counting_member):
    first = ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=entry(None, "high", "medium", "low", "none", "several"),
    )
    second = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    assert (first.number, second.number) == (1, 2)
    assert first.entered_by == counting_member
    assert stored_marks(first) == {1: "high", 2: "medium", 3: "low", 4: "none", 5: "several"}
    assert Mark.objects.filter(ballot__session=counting).count() == 10
    audit = AuditEntry.objects.filter(session=counting, action="ballot.create").order_by("pk")
    assert [a.data for a in audit][0] == {
        "pass": 1,
        "number": 1,
        "invalid_reason": "",
        "marks": {"1": "high", "2": "medium", "3": "low", "4": "none", "5": "several"},
    }
    assert audit[0].user == counting_member
    assert audit.count() == 2


def test_record_next_number_follows_the_highest_in_that_pass(
    counting, counting_member, chair, chair_types
):
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(7))
    ballot_record(user=chair, session=counting, entry_pass=2, entry=entry(12))
    nxt = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    assert (nxt.entry_pass, nxt.number) == (1, 8)


def test_record_refuses_a_number_already_used(counting, counting_member, chair, chair_types):
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(4))
    with pytest.raises(DomainError) as excinfo:
        ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(4))
    assert str(excinfo.value) == "Ballot 4 is already entered in entry 1."
    assert excinfo.value.field == "number"
    assert Ballot.objects.filter(session=counting).count() == 1
    assert ballot_actions(counting) == ["ballot.create"]
    # The same number in the other pass is fine.
    other = ballot_record(user=chair, session=counting, entry_pass=2, entry=entry(4))
    assert (other.entry_pass, other.number) == (2, 4)


def test_record_same_client_token_returns_the_first_ballot(counting, counting_member):
    token = uuid.uuid4()
    first = ballot_record(
        user=counting_member, session=counting, entry_pass=1, entry=entry(), client_token=token
    )
    again = ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=entry(None, "low", "low", "low", "low", "low"),
        client_token=token,
    )
    assert again.pk == first.pk
    assert Ballot.objects.filter(session=counting).count() == 1
    assert stored_marks(again) == marks("high", "high", "high", "high", "high")
    assert ballot_actions(counting) == ["ballot.create"]


def test_record_refuses_a_token_of_another_session(org, counting, counting_member):
    token = uuid.uuid4()
    ballot_record(
        user=counting_member, session=counting, entry_pass=1, entry=entry(), client_token=token
    )
    other = make_counting_session(org, members=[counting_member])
    with pytest.raises(DomainError):
        ballot_record(
            user=counting_member, session=other, entry_pass=1, entry=entry(), client_token=token
        )
    assert Ballot.objects.filter(session=other).count() == 0


@pytest.mark.parametrize("who", ["secretariat", "outsider_counter", "anonymous"])
def test_record_refused_to_anyone_outside_the_committee(org, counting, secretariat, who):
    user = {
        "secretariat": secretariat,
        "outsider_counter": make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING]),
        "anonymous": None,
    }[who]
    with pytest.raises(DomainError) as excinfo:
        ballot_record(user=user, session=counting, entry_pass=1, entry=entry())
    assert str(excinfo.value) == "Only members of this session's counting committee may do this."
    assert Ballot.objects.filter(session=counting).count() == 0
    assert ballot_actions(counting) == []


def test_record_refused_while_voting(org, counting_member):
    session = make_ready_session(org)
    make_committee_member(session, user=counting_member)
    session_start_voting(user=None, session=session)
    with pytest.raises(DomainError) as excinfo:
        ballot_record(user=counting_member, session=session, entry_pass=1, entry=entry())
    assert str(excinfo.value) == "Counting has not opened for this session."
    assert Ballot.objects.count() == 0


def test_record_second_pass_only_with_double_entry(org, counting_member):
    session = make_counting_session(org, members=[counting_member], double_entry=False)
    with pytest.raises(DomainError) as excinfo:
        ballot_record(user=counting_member, session=session, entry_pass=2, entry=entry())
    assert str(excinfo.value) == "This session has no second entry: double entry is off."
    with pytest.raises(DomainError) as excinfo:
        ballot_record(user=counting_member, session=session, entry_pass=3, entry=entry())
    assert str(excinfo.value) == "There is no entry pass 3."
    assert Ballot.objects.count() == 0
    assert ballot_actions(session) == []


def test_record_never_more_ballots_than_issued_voided_ones_excepted(org, counting_member, chair):
    session = make_counting_session(org, members=[counting_member, chair], issued=3)
    ballots = [
        ballot_record(user=counting_member, session=session, entry_pass=1, entry=entry())
        for _ in range(3)
    ]
    with pytest.raises(DomainError) as excinfo:
        ballot_record(user=counting_member, session=session, entry_pass=1, entry=entry())
    assert str(excinfo.value) == (
        "That would make 4 ballots in entry 1: more ballots than issued (3)."
    )
    assert Ballot.objects.filter(session=session).count() == 3
    # The second pass has its own three.
    ballot_record(user=chair, session=session, entry_pass=2, entry=entry())
    ballot_void(user=counting_member, ballot=ballots[1], reason="Typed twice")
    fourth = ballot_record(user=counting_member, session=session, entry_pass=1, entry=entry())
    assert fourth.number == 4
    assert Ballot.objects.filter(session=session, entry_pass=1, voided=False).count() == 3


def test_record_whole_ballot_invalid_ignores_marks(counting, counting_member):
    ballot = ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=BallotInput(number=None, marks={1: "high", 9: "bogus"}, invalid_reason="name_added"),
    )
    assert (ballot.invalid_reason, ballot.invalid_note, ballot.is_invalid) == (
        "name_added",
        "",
        True,
    )
    assert ballot.marks.count() == 0
    data = AuditEntry.objects.get(session=counting, action="ballot.create").data
    assert data == {"pass": 1, "number": 1, "invalid_reason": "name_added", "marks": {}}


def test_record_other_reason_keeps_an_optional_note(counting, counting_member):
    with_note = ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=BallotInput(number=None, invalid_reason="other", invalid_note="  Phiếu  rách "),
    )
    without = ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=BallotInput(number=None, invalid_reason="other"),
    )
    assert (with_note.invalid_note, without.invalid_note) == ("Phiếu rách", "")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            BallotInput(number=3, invalid_reason="torn"),
            'Ballot 3: "torn" is not a reason a ballot can be invalid.',
        ),
        (
            BallotInput(number=3, invalid_reason="not_issued", invalid_note="x"),
            'Ballot 3: a note is only kept when the reason is "Other".',
        ),
        (
            BallotInput(number=3, marks=marks("high", "high", "high"), invalid_note="x"),
            "Ballot 3: a note is only kept for a ballot that is invalid as a whole.",
        ),
        (
            BallotInput(number=3, marks=marks("high", "high", "high")),
            "Ballot 3: no mark for official no. 4, 5.",
        ),
        (
            BallotInput(number=3, marks={**marks(*["high"] * 5), 7: "low"}),
            "Ballot 3: there is no official no. 7 on this ballot.",
        ),
        (
            BallotInput(number=3, marks=marks("high", "HIGH", "low", "", "medium")),
            "Ballot 3: the mark for official no. 2, 4 is not valid.",
        ),
        (BallotInput(number=0, marks=marks(*["high"] * 5)), "Entry numbers start at 1."),
    ],
)
def test_record_refuses_bad_content_and_names_it(counting, counting_member, given, message):
    with pytest.raises(DomainError) as excinfo:
        ballot_record(user=counting_member, session=counting, entry_pass=1, entry=given)
    assert str(excinfo.value) == message
    assert Ballot.objects.filter(session=counting).count() == 0
    assert Mark.objects.count() == 0
    assert ballot_actions(counting) == []


def test_record_refuses_a_note_too_long(counting, counting_member):
    with pytest.raises(DomainError) as excinfo:
        ballot_record(
            user=counting_member,
            session=counting,
            entry_pass=1,
            entry=BallotInput(number=2, invalid_reason="other", invalid_note="x" * 301),
        )
    assert str(excinfo.value).startswith("Ballot 2: ")
    assert Ballot.objects.count() == 0


# --- ballots_import -----------------------------------------------------------------------


def rows(count, start=1):
    return [entry(n, "high", "medium", "low", "high", "high") for n in range(start, start + count)]


def test_import_enters_every_row_with_one_audit_entry(counting, counting_member):
    created = ballots_import(user=counting_member, session=counting, entry_pass=1, rows=rows(28))
    assert [b.number for b in created] == list(range(1, 29))
    assert Ballot.objects.filter(session=counting, entry_pass=1).count() == 28
    assert Mark.objects.filter(ballot__session=counting, value="low").count() == 28
    assert Mark.objects.filter(ballot__session=counting).count() == 140
    assert stored_marks(Ballot.objects.get(session=counting, number=17)) == marks(
        "high", "medium", "low", "high", "high"
    )
    assert ballot_actions(counting) == ["ballot.import"]
    audit = AuditEntry.objects.get(session=counting, action="ballot.import")
    assert (audit.data, audit.user) == ({"pass": 1, "count": 28}, counting_member)


def test_import_by_an_operator_needs_no_committee_account(counting):
    created = ballots_import(
        user=None,
        session=counting,
        entry_pass=2,
        rows=[*rows(2), BallotInput(number=3, invalid_reason="not_issued")],
    )
    assert [(b.entry_pass, b.number, b.invalid_reason) for b in created] == [
        (2, 1, ""),
        (2, 2, ""),
        (2, 3, "not_issued"),
    ]
    assert all(b.entered_by is None for b in created)
    assert Mark.objects.filter(ballot__session=counting).count() == 10
    audit = AuditEntry.objects.get(session=counting, action="ballot.import")
    assert (audit.user, audit.username) == (None, "")


def test_import_refused_to_a_user_outside_the_committee(counting, secretariat):
    with pytest.raises(DomainError):
        ballots_import(user=secretariat, session=counting, entry_pass=1, rows=rows(2))
    assert Ballot.objects.count() == 0


def test_import_is_all_or_nothing_and_names_the_bad_ballot(counting):
    bad = [*rows(5), BallotInput(number=6, marks=marks("high", "high")), *rows(3, start=7)]
    with pytest.raises(DomainError) as excinfo:
        ballots_import(user=None, session=counting, entry_pass=1, rows=bad)
    assert str(excinfo.value) == "Ballot 6: no mark for official no. 3, 4, 5."
    assert Ballot.objects.count() == 0
    assert Mark.objects.count() == 0
    assert ballot_actions(counting) == []


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ([*rows(3), entry(2)], "Ballot 2 appears more than once in the import."),
        ([*rows(2), entry(None)], "Row 3: the ballot's entry number is missing."),
        ([], "There are no ballots to import."),
        (rows(29), "That would make 29 ballots in entry 1: more ballots than issued (28)."),
    ],
)
def test_import_refuses_bad_numbers(counting, given, message):
    with pytest.raises(DomainError) as excinfo:
        ballots_import(user=None, session=counting, entry_pass=1, rows=given)
    assert str(excinfo.value) == message
    assert Ballot.objects.count() == 0
    assert ballot_actions(counting) == []


def test_import_refuses_numbers_already_entered_and_counts_existing_ones(counting, counting_member):
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(4))
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(9))
    with pytest.raises(DomainError) as excinfo:
        ballots_import(user=None, session=counting, entry_pass=1, rows=rows(10))
    assert str(excinfo.value) == "Ballots 4, 9 are already entered in entry 1."
    with pytest.raises(DomainError) as excinfo:
        ballots_import(user=None, session=counting, entry_pass=1, rows=rows(27, start=10))
    assert str(excinfo.value) == (
        "That would make 29 ballots in entry 1: more ballots than issued (28)."
    )
    assert Ballot.objects.filter(session=counting).count() == 2
    assert ballot_actions(counting) == ["ballot.create", "ballot.create"]


def test_import_refused_once_the_count_is_closed(counting):
    counting.status = SessionStatus.COUNTED
    counting.ballots_collected = 0
    counting.save()
    with pytest.raises(DomainError) as excinfo:
        ballots_import(user=None, session=counting, entry_pass=1, rows=rows(2))
    assert str(excinfo.value) == "The count is closed: ballots can no longer change."
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize("count", [5, 40])
def test_import_queries_do_not_grow_with_the_ballots(
    org, counting_member, count, django_assert_max_num_queries
):
    session = make_counting_session(org, members=[counting_member], issued=28)
    session.ballots_issued = 40
    session.save(update_fields=["ballots_issued"])
    # 13: the running totals' upsert, and the numbers kept by scanned ballots held for review.
    with django_assert_max_num_queries(13):
        ballots_import(user=counting_member, session=session, entry_pass=1, rows=rows(count))
    assert Ballot.objects.filter(session=session).count() == count


# --- ballot_correct -----------------------------------------------------------------------


def test_correct_replaces_the_marks_and_records_before_and_after(counting, counting_member):
    ballot = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(5))
    ballot_correct(
        user=counting_member,
        ballot=ballot,
        entry=entry(None, "high", "low", "high", "high", "several"),
        reason="Misread row 2",
    )
    assert stored_marks(ballot) == marks("high", "low", "high", "high", "several")
    assert Mark.objects.filter(ballot=ballot).count() == 5
    audit = AuditEntry.objects.get(session=counting, action="ballot.correct")
    assert audit.reason == "Misread row 2"
    assert audit.data == {
        "pass": 1,
        "number": 5,
        "before": {
            "invalid_reason": "",
            "invalid_note": "",
            "marks": {str(order): "high" for order in range(1, 6)},
        },
        "after": {
            "invalid_reason": "",
            "invalid_note": "",
            "marks": {"1": "high", "2": "low", "3": "high", "4": "high", "5": "several"},
        },
    }


def test_correct_to_a_whole_ballot_invalid_drops_the_marks(counting, counting_member):
    ballot = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    ballot_correct(
        user=counting_member,
        ballot=ballot,
        entry=BallotInput(number=1, invalid_reason="name_crossed_out"),
        reason="A name is crossed out",
    )
    ballot.refresh_from_db()
    assert (ballot.invalid_reason, ballot.marks.count()) == ("name_crossed_out", 0)


def test_correct_needs_a_reason_and_a_valid_entry(counting, counting_member):
    ballot = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    low = entry(None, "low", "low", "low", "low", "low")
    with pytest.raises(DomainError) as excinfo:
        ballot_correct(user=counting_member, ballot=ballot, entry=low, reason="   ")
    assert str(excinfo.value) == "Give the reason."
    with pytest.raises(DomainError) as excinfo:
        ballot_correct(
            user=counting_member, ballot=ballot, entry=BallotInput(number=None), reason="x"
        )
    assert str(excinfo.value) == "Ballot 1: no mark for official no. 1, 2, 3, 4, 5."
    with pytest.raises(DomainError) as excinfo:
        ballot_correct(user=counting_member, ballot=ballot, entry=entry(2), reason="x")
    assert str(excinfo.value) == (
        "A ballot's entry number cannot change (ballot 1); void it and enter it again."
    )
    assert stored_marks(ballot) == marks("high", "high", "high", "high", "high")
    assert ballot_actions(counting) == ["ballot.create"]


def test_correct_refused_outside_the_committee_voided_or_closed(
    counting, counting_member, secretariat
):
    ballot = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    low = entry(None, "low", "low", "low", "low", "low")
    with pytest.raises(DomainError):
        ballot_correct(user=secretariat, ballot=ballot, entry=low, reason="x")
    ballot_void(user=counting_member, ballot=ballot, reason="Typed by mistake")
    with pytest.raises(DomainError) as excinfo:
        ballot_correct(user=counting_member, ballot=ballot, entry=low, reason="x")
    assert str(excinfo.value) == "Ballot 1 was voided; it cannot be corrected."
    other = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry())
    counting.status = SessionStatus.COUNTED
    counting.ballots_collected = 1
    counting.save()
    with pytest.raises(DomainError) as excinfo:
        ballot_correct(user=counting_member, ballot=other, entry=low, reason="x")
    assert str(excinfo.value) == "The count is closed: ballots can no longer change."
    assert stored_marks(other) == marks("high", "high", "high", "high", "high")
    assert "ballot.correct" not in actions(counting)


# --- ballot_void --------------------------------------------------------------------------


def test_void_keeps_the_ballot_on_record(counting, counting_member):
    ballot = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(3))
    ballot_void(user=counting_member, ballot=ballot, reason=" Typed twice ")
    ballot.refresh_from_db()
    assert ballot.voided is True
    assert ballot.marks.count() == 5
    audit = AuditEntry.objects.get(session=counting, action="ballot.void")
    assert (audit.data, audit.reason, audit.user) == (
        {"pass": 1, "number": 3},
        "Typed twice",
        counting_member,
    )


def test_void_refusals_change_nothing(counting, counting_member, secretariat):
    ballot = ballot_record(user=counting_member, session=counting, entry_pass=1, entry=entry(3))
    with pytest.raises(DomainError) as excinfo:
        ballot_void(user=counting_member, ballot=ballot, reason="")
    assert str(excinfo.value) == "Give the reason."
    with pytest.raises(DomainError):
        ballot_void(user=secretariat, ballot=ballot, reason="x")
    ballot.refresh_from_db()
    assert ballot.voided is False
    ballot_void(user=counting_member, ballot=ballot, reason="x")
    with pytest.raises(DomainError) as excinfo:
        ballot_void(user=counting_member, ballot=ballot, reason="x")
    assert str(excinfo.value) == "Ballot 3 is already voided."
    assert ballot_actions(counting) == ["ballot.create", "ballot.void"]
