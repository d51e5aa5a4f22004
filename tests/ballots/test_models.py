"""The ballot invariants the database itself enforces."""

import pytest
from django.db import IntegrityError, transaction

from ballots.models import Ballot, Mark
from sessions.models import Role
from tests.factories import make_official, make_user


@pytest.fixture
def counter(org):
    return make_user("to-kiem-phieu", organization=org, roles=[Role.COUNTING])


def test_entry_number_unique_per_session_and_pass(session, counter):
    Ballot.objects.create(session=session, entry_pass=1, number=1, entered_by=counter)
    Ballot.objects.create(session=session, entry_pass=2, number=1, entered_by=counter)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(session=session, entry_pass=1, number=1, entered_by=counter)
    assert Ballot.objects.count() == 2


def test_one_mark_per_ballot_and_official(session, counter):
    official = make_official(session)
    ballot = Ballot.objects.create(session=session, number=1, entered_by=counter)
    Mark.objects.create(ballot=ballot, official=official, value="high")
    with pytest.raises(IntegrityError), transaction.atomic():
        Mark.objects.create(ballot=ballot, official=official, value="low")


@pytest.mark.parametrize(
    "fields",
    [
        {"entry_pass": 3},
        {"number": 0},
        {"invalid_reason": "torn"},
        {"invalid_reason": "not_issued", "invalid_note": "a note only goes with 'other'"},
    ],
)
def test_check_constraints(session, counter, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(session=session, **{"number": 1, **fields}, entered_by=counter)


def test_mark_value_checked(session, counter):
    official = make_official(session)
    ballot = Ballot.objects.create(session=session, number=1, entered_by=counter)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mark.objects.create(ballot=ballot, official=official, value="maybe")


def test_no_field_links_a_ballot_to_a_delegate():
    fields = {f.name for f in Ballot._meta.get_fields()} | {f.name for f in Mark._meta.get_fields()}
    assert not any("delegate" in name for name in fields)


def test_collected_never_exceeds_issued(session):
    session.status = "counting"
    session.ballots_issued = 28
    session.ballots_collected = 29
    with pytest.raises(IntegrityError), transaction.atomic():
        session.save()
