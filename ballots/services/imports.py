"""Entering a whole pile of ballots at once, from a file."""

from collections import Counter
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from ballots.inputs import BallotInput
from ballots.models import Ballot, Mark, ScannedBallot, ScanStatus, content_digest
from ballots.services.common import (
    _build_marks,
    _check_pass,
    _checked_content,
    _clean,
    _content_delta,
    _entered_count,
    _official_ids,
    _orders,
    _require_counting,
    _require_member,
    _require_own_pass,
    _too_many,
)
from ballots.totals import totals_apply
from sessions.access import User
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.services.common import acting_account, lock_session


def _refuse_taken(*, session: VoteSession, entry_pass: int, numbers: list[int]) -> None:
    """Numbers already entered in the pass, or kept by scanned ballots held for review."""
    taken = list(
        Ballot.objects.filter(session=session, entry_pass=entry_pass, number__in=numbers)
        .order_by("number")
        .values_list("number", flat=True)
    )
    if taken:
        raise DomainError(
            _("Ballots %(numbers)s are already entered in entry %(pass)d.")
            % {"numbers": _orders(taken), "pass": entry_pass}
        )
    held = list(
        ScannedBallot.objects.filter(
            session=session, entry_pass=entry_pass, number__in=numbers, status=ScanStatus.HELD
        )
        .order_by("number")
        .values_list("number", flat=True)
    )
    if held:
        raise DomainError(
            _(
                "Ballots %(numbers)s of entry %(pass)d are scanned ballots held for review: "
                "their numbers are taken."
            )
            % {"numbers": _orders(held), "pass": entry_pass}
        )


@transaction.atomic
def ballots_import(
    *, user: User | None, session: VoteSession, entry_pass: int, rows: Sequence[BallotInput]
) -> list[Ballot]:
    """Enter a whole pile at once (from a file): every row or none.

    `user` is None when an operator runs the import command; then there is no
    committee-membership check.
    """
    session = lock_session(session)
    if user is not None:
        _require_member(user=user, session=session)
    _require_counting(session)
    entry_pass = _check_pass(session=session, entry_pass=entry_pass)
    if user is not None:
        _require_own_pass(user=user, session=session, entry_pass=entry_pass)
    if not rows:
        raise DomainError(_("There are no ballots to import."))

    numbers = _import_numbers(rows)

    _refuse_taken(session=session, entry_pass=entry_pass, numbers=numbers)
    count = _entered_count(session=session, entry_pass=entry_pass) + len(rows)
    assert session.ballots_issued is not None  # set when counting opened (a constraint)
    if count > session.ballots_issued:
        raise _too_many(session=session, entry_pass=entry_pass, count=count)

    officials = _official_ids(session)
    ballots: list[Ballot] = []
    contents: list[dict[int, str]] = []
    for number, row in zip(numbers, rows, strict=True):
        reason, note, marks = _checked_content(number=number, entry=row, officials=officials)
        ballot = Ballot(
            session=session,
            entry_pass=entry_pass,
            number=number,
            invalid_reason=reason,
            invalid_note=note,
            entered_by=acting_account(user) if user is not None else None,
            content_digest=content_digest(reason, marks),
        )
        _clean(ballot, number=number, exclude=["session", "entered_by"])
        ballots.append(ballot)
        contents.append(marks)

    created = Ballot.objects.bulk_create(ballots)
    mark_rows = []
    for ballot, marks in zip(created, contents, strict=True):
        mark_rows.extend(_build_marks(ballot, marks, officials))
    Mark.objects.bulk_create(mark_rows)
    delta: Counter = Counter()
    for ballot, marks in zip(created, contents, strict=True):
        delta.update(_content_delta(officials, ballot.invalid_reason, marks))
    totals_apply(session_id=session.pk, entry_pass=entry_pass, delta=delta)
    audit_record(
        action="ballot.import",
        user=user,
        session=session,
        data={"pass": entry_pass, "count": len(created)},
    )
    return created


def _import_numbers(rows: Sequence[BallotInput]) -> list[int]:
    """The rows' entry numbers: each given, at least 1, once."""
    numbers: list[int] = []
    seen: set[int] = set()
    for position, row in enumerate(rows, start=1):
        if row.number is None:
            raise DomainError(
                _("Row %(row)d: the ballot's entry number is missing.") % {"row": position}
            )
        number = int(row.number)
        if number < 1:
            raise DomainError(
                _("Ballot %(number)d: entry numbers start at 1.") % {"number": number}
            )
        if number in seen:
            raise DomainError(
                _("Ballot %(number)d appears more than once in the import.") % {"number": number}
            )
        seen.add(number)
        numbers.append(number)
    return numbers
