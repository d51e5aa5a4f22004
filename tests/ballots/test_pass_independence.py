"""Blind double entry: a member who entered in one pass cannot enter in the other."""

import pytest

from ballots.models import Ballot
from ballots.selectors import passes_entered_by
from ballots.services import ballot_correct, ballot_record
from sessions.errors import DomainError
from sessions.models import Role
from tests.ballots import entry, make_counting_session
from tests.factories import make_user


@pytest.fixture
def members(org):
    return [make_user(f"thanh-vien-{n}", organization=org, roles=[Role.COUNTING]) for n in (1, 2)]


def test_a_member_keeps_to_one_pass(org, members):
    first, second = members
    session = make_counting_session(org, members=members)
    ballot_record(user=first, session=session, entry_pass=1, entry=entry())
    ballot_record(user=second, session=session, entry_pass=2, entry=entry())
    with pytest.raises(DomainError, match="pass 1"):
        ballot_record(user=first, session=session, entry_pass=2, entry=entry())
    assert Ballot.objects.filter(entry_pass=2).count() == 1
    assert passes_entered_by(session=session, user=first) == {1}


def test_correcting_the_other_pass_is_refused(org, members):
    first, second = members
    session = make_counting_session(org, members=members)
    ballot_record(user=first, session=session, entry_pass=1, entry=entry())
    theirs = ballot_record(user=second, session=session, entry_pass=2, entry=entry())
    with pytest.raises(DomainError):
        ballot_correct(user=first, ballot=theirs, entry=entry(1, "low"), reason="nhầm")
    assert set(theirs.marks.values_list("value", flat=True)) == {"high"}


def test_single_entry_sessions_have_no_such_rule(org, members):
    first, _second = members
    session = make_counting_session(org, members=members, double_entry=False)
    ballot_record(user=first, session=session, entry_pass=1, entry=entry())
    assert passes_entered_by(session=session, user=first) == {1}
