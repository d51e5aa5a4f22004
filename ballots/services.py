"""Writes on ballots and on the count: open, enter, import, correct, void, collect, close, reopen.

Every service locks the session row first, so two committee members cannot race past the
"no more ballots than issued" limit or close a count while a ballot is being saved.
"""

import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ballots.inputs import BallotInput
from ballots.models import Ballot, EntryPass, InvalidReason, Mark, MarkValue
from ballots.selectors import pass_differences
from confidence_vote.lib.text import clean_text
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.models import CommitteeMember, CommitteeRole, SessionStatus, VoteSession
from sessions.services.common import lock_session, validate
from sessions.services.sessions import session_open_counting

# --- who may act --------------------------------------------------------------------------


def _is_account(user) -> bool:
    return user is not None and user.is_authenticated


def _require_member(*, user, session: VoteSession) -> None:
    if not _is_account(user) or not (
        CommitteeMember.objects.filter(session=session, user=user).exists()
    ):
        raise DomainError(_("Only members of this session's counting committee may do this."))


def _require_chair(*, user, session: VoteSession) -> None:
    if not _is_account(user) or not (
        CommitteeMember.objects.filter(
            session=session, user=user, role=CommitteeRole.CHAIR
        ).exists()
    ):
        raise DomainError(_("Only the chair of the counting committee may do this."))


def _require_counting(session: VoteSession) -> None:
    if session.status != SessionStatus.COUNTING:
        if session.status in (SessionStatus.COUNTED, SessionStatus.CERTIFIED):
            raise DomainError(_("The count is closed: ballots can no longer change."))
        raise DomainError(_("Counting has not opened for this session."))


def _require_reason(reason: str) -> str:
    reason = clean_text(reason)
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    return reason


def _check_pass(*, session: VoteSession, entry_pass: int) -> int:
    if entry_pass not in EntryPass.values:
        raise DomainError(_("There is no entry pass %(pass)s.") % {"pass": entry_pass})
    if entry_pass == EntryPass.SECOND and not session.double_entry:
        raise DomainError(_("This session has no second entry: double entry is off."))
    return int(entry_pass)


# --- one ballot's content -----------------------------------------------------------------


def _order_key(key) -> tuple:
    # Orders are ints; a stray text key from a file still sorts without a TypeError.
    return (0, key, "") if isinstance(key, int) else (1, 0, str(key))


def _orders(items) -> str:
    return ", ".join(str(item) for item in items)


def _checked_content(
    *, number: int, entry: BallotInput, officials: dict[int, int]
) -> tuple[str, str, dict[int, str]]:
    """(invalid_reason, invalid_note, {order: value}) for a ballot entry, or a DomainError.

    `officials` maps each official's ballot order to its id.
    """
    reason = (entry.invalid_reason or "").strip()
    note = clean_text(entry.invalid_note)
    if reason:
        if reason not in InvalidReason.values:
            raise DomainError(
                _('Ballot %(number)d: "%(reason)s" is not a reason a ballot can be invalid.')
                % {"number": number, "reason": reason}
            )
        if note and reason != InvalidReason.OTHER:
            raise DomainError(
                _('Ballot %(number)d: a note is only kept when the reason is "Other".')
                % {"number": number}
            )
        # The whole ballot is invalid: its marks are ignored and none is stored.
        return reason, note, {}
    if note:
        raise DomainError(
            _("Ballot %(number)d: a note is only kept for a ballot that is invalid as a whole.")
            % {"number": number}
        )
    marks = entry.marks or {}
    missing = sorted(set(officials) - set(marks))
    if missing:
        raise DomainError(
            _("Ballot %(number)d: no mark for official no. %(orders)s.")
            % {"number": number, "orders": _orders(missing)}
        )
    unknown = sorted(set(marks) - set(officials), key=_order_key)
    if unknown:
        raise DomainError(
            _("Ballot %(number)d: there is no official no. %(orders)s on this ballot.")
            % {"number": number, "orders": _orders(unknown)}
        )
    bad = sorted(order for order, value in marks.items() if value not in MarkValue.values)
    if bad:
        raise DomainError(
            _("Ballot %(number)d: the mark for official no. %(orders)s is not valid.")
            % {"number": number, "orders": _orders(bad)}
        )
    return "", "", {order: marks[order] for order in sorted(marks)}


def _clean(instance, *, number: int, exclude: list[str]) -> None:
    """full_clean() without the checks that query the database (the services make those)."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        _field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(
            _("Ballot %(number)d: %(problem)s") % {"number": number, "problem": messages[0]}
        ) from None


def _official_ids(session: VoteSession) -> dict[int, int]:
    return dict(session.officials.values_list("order", "pk"))


def _build_marks(ballot: Ballot, marks: dict[int, str], officials: dict[int, int]) -> list[Mark]:
    built = []
    for order, value in marks.items():
        mark = Mark(ballot=ballot, official_id=officials[order], value=value)
        _clean(mark, number=ballot.number, exclude=["ballot", "official"])
        built.append(mark)
    return built


def _entered_count(*, session: VoteSession, entry_pass: int) -> int:
    return Ballot.objects.filter(session=session, entry_pass=entry_pass, voided=False).count()


def _too_many(*, session: VoteSession, entry_pass: int, count: int) -> DomainError:
    return DomainError(
        _(
            "That would make %(count)d ballots in entry %(pass)d: more ballots than issued "
            "(%(issued)d)."
        )
        % {"count": count, "pass": entry_pass, "issued": session.ballots_issued}
    )


def _content_data(ballot: Ballot, marks: dict[int, str]) -> dict[str, Any]:
    return {
        "invalid_reason": ballot.invalid_reason,
        "invalid_note": ballot.invalid_note,
        "marks": marks,
    }


def _stored_marks(ballot: Ballot) -> dict[int, str]:
    return dict(ballot.marks.order_by("official__order").values_list("official__order", "value"))


# --- counting opens -----------------------------------------------------------------------


@transaction.atomic
def count_open(*, user, session: VoteSession, ballots_issued: int) -> VoteSession:
    """The committee chair records the ballots issued and opens counting."""
    session = lock_session(session)
    _require_chair(user=user, session=session)
    return session_open_counting(user=user, session=session, ballots_issued=ballots_issued)


# --- ballots ------------------------------------------------------------------------------


@transaction.atomic
def ballot_record(
    *,
    user,
    session: VoteSession,
    entry_pass: int,
    entry: BallotInput,
    client_token: uuid.UUID | None = None,
) -> Ballot:
    """Enter one paper ballot; a resubmitted save (same client token) returns the first one."""
    session = lock_session(session)
    _require_member(user=user, session=session)
    if client_token is not None:
        existing = Ballot.objects.filter(client_token=client_token).first()
        if existing is not None:
            if existing.session_id != session.pk:
                raise DomainError(_("This entry form belongs to another session; reload it."))
            return existing
    _require_counting(session)
    entry_pass = _check_pass(session=session, entry_pass=entry_pass)

    ballots = Ballot.objects.filter(session=session, entry_pass=entry_pass)
    if entry.number is None:
        number = (ballots.aggregate(last=Max("number"))["last"] or 0) + 1
    else:
        number = int(entry.number)
        if number < 1:
            raise DomainError(_("Entry numbers start at 1."), field="number")
        if ballots.filter(number=number).exists():
            raise DomainError(
                _("Ballot %(number)d is already entered in entry %(pass)d.")
                % {"number": number, "pass": entry_pass},
                field="number",
            )
    count = _entered_count(session=session, entry_pass=entry_pass) + 1
    if count > session.ballots_issued:
        raise _too_many(session=session, entry_pass=entry_pass, count=count)

    officials = _official_ids(session)
    reason, note, marks = _checked_content(number=number, entry=entry, officials=officials)
    ballot = Ballot(
        session=session,
        entry_pass=entry_pass,
        number=number,
        invalid_reason=reason,
        invalid_note=note,
        entered_by=user,
        client_token=client_token,
    )
    _clean(ballot, number=number, exclude=["session", "entered_by"])
    ballot.save()
    Mark.objects.bulk_create(_build_marks(ballot, marks, officials))
    audit_record(
        action="ballot.create",
        user=user,
        session=session,
        data={"pass": entry_pass, "number": number, "invalid_reason": reason, "marks": marks},
    )
    return ballot


@transaction.atomic
def ballots_import(
    *, user, session: VoteSession, entry_pass: int, rows: Sequence[BallotInput]
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
    if not rows:
        raise DomainError(_("There are no ballots to import."))

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
    count = _entered_count(session=session, entry_pass=entry_pass) + len(rows)
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
            entered_by=user,
        )
        _clean(ballot, number=number, exclude=["session", "entered_by"])
        ballots.append(ballot)
        contents.append(marks)

    created = Ballot.objects.bulk_create(ballots)
    mark_rows = []
    for ballot, marks in zip(created, contents, strict=True):
        mark_rows.extend(_build_marks(ballot, marks, officials))
    Mark.objects.bulk_create(mark_rows)
    audit_record(
        action="ballot.import",
        user=user,
        session=session,
        data={"pass": entry_pass, "count": len(created)},
    )
    return created


def _locked_ballot(ballot: Ballot) -> tuple[VoteSession, Ballot]:
    session = lock_session(ballot.session)
    return session, Ballot.objects.select_for_update().get(pk=ballot.pk)


@transaction.atomic
def ballot_correct(*, user, ballot: Ballot, entry: BallotInput, reason: str) -> Ballot:
    """Replace a ballot's marks or whole-ballot invalid reason; the number stays."""
    session, ballot = _locked_ballot(ballot)
    _require_member(user=user, session=session)
    _require_counting(session)
    reason = _require_reason(reason)
    if ballot.voided:
        raise DomainError(
            _("Ballot %(number)d was voided; it cannot be corrected.") % {"number": ballot.number}
        )
    if entry.number is not None and int(entry.number) != ballot.number:
        raise DomainError(
            _(
                "A ballot's entry number cannot change (ballot %(number)d); "
                "void it and enter it again."
            )
            % {"number": ballot.number},
            field="number",
        )
    officials = _official_ids(session)
    invalid_reason, note, marks = _checked_content(
        number=ballot.number, entry=entry, officials=officials
    )
    before = _content_data(ballot, _stored_marks(ballot))
    ballot.invalid_reason = invalid_reason
    ballot.invalid_note = note
    _clean(ballot, number=ballot.number, exclude=["session", "entered_by"])
    ballot.save(update_fields=["invalid_reason", "invalid_note", "updated_at"])
    ballot.marks.all().delete()
    Mark.objects.bulk_create(_build_marks(ballot, marks, officials))
    audit_record(
        action="ballot.correct",
        user=user,
        session=session,
        data={
            "pass": ballot.entry_pass,
            "number": ballot.number,
            "before": before,
            "after": _content_data(ballot, marks),
        },
        reason=reason,
    )
    return ballot


@transaction.atomic
def ballot_void(*, user, ballot: Ballot, reason: str) -> Ballot:
    """Mark an entry typed by mistake as void; it stays on record but never counts."""
    session, ballot = _locked_ballot(ballot)
    _require_member(user=user, session=session)
    _require_counting(session)
    reason = _require_reason(reason)
    if ballot.voided:
        raise DomainError(_("Ballot %(number)d is already voided.") % {"number": ballot.number})
    ballot.voided = True
    ballot.save(update_fields=["voided", "updated_at"])
    audit_record(
        action="ballot.void",
        user=user,
        session=session,
        data={"pass": ballot.entry_pass, "number": ballot.number},
        reason=reason,
    )
    return ballot


# --- the count ----------------------------------------------------------------------------


@transaction.atomic
def count_record_collected(*, user, session: VoteSession, ballots_collected: int) -> VoteSession:
    """The chair records the physical count of ballots collected."""
    session = lock_session(session)
    _require_chair(user=user, session=session)
    _require_counting(session)
    if ballots_collected < 0 or ballots_collected > session.ballots_issued:
        raise DomainError(
            _("%(collected)d ballots collected: it must be between 0 and the %(issued)d issued.")
            % {"collected": ballots_collected, "issued": session.ballots_issued},
            field="ballots_collected",
        )
    before = session.ballots_collected
    session.ballots_collected = ballots_collected
    validate(session)
    session.save(update_fields=["ballots_collected", "updated_at"])
    audit_record(
        action="count.collected",
        user=user,
        session=session,
        data={"ballots_collected": [before, ballots_collected]},
    )
    return session


@transaction.atomic
def count_close(*, user, session: VoteSession) -> VoteSession:
    """Close the count once every collected ballot is entered (twice, and alike, if double)."""
    session = lock_session(session)
    _require_chair(user=user, session=session)
    if session.status != SessionStatus.COUNTING:
        raise DomainError(_("Only a count in progress can be closed."))
    collected = session.ballots_collected
    if collected is None:
        raise DomainError(_("Record the number of ballots collected first."))
    passes = [EntryPass.FIRST, EntryPass.SECOND] if session.double_entry else [EntryPass.FIRST]
    problems = []
    entered = {}
    for entry_pass in passes:
        entered[entry_pass] = _entered_count(session=session, entry_pass=entry_pass)
        if entered[entry_pass] != collected:
            problems.append(
                _("Entry %(pass)d: %(entered)d ballots entered, %(collected)d collected.")
                % {"pass": entry_pass, "entered": entered[entry_pass], "collected": collected}
            )
    if session.double_entry:
        differing = [row["number"] for row in pass_differences(session=session)]
        if differing:
            problems.append(
                _("The passes differ on ballots %(numbers)s.") % {"numbers": _orders(differing)}
            )
    if problems:
        raise DomainError(" ".join(problems))
    session.status = SessionStatus.COUNTED
    session.save(update_fields=["status", "updated_at"])
    audit_record(
        action="count.close",
        user=user,
        session=session,
        data={"ballots_collected": collected, "entered": {str(p): n for p, n in entered.items()}},
    )
    return session


@transaction.atomic
def count_reopen(*, user, session: VoteSession, reason: str) -> VoteSession:
    """Return a closed count to counting so ballots can be corrected; needs a reason."""
    session = lock_session(session)
    _require_chair(user=user, session=session)
    if session.status != SessionStatus.COUNTED:
        raise DomainError(_("Only a closed count that is not yet certified can be reopened."))
    reason = _require_reason(reason)
    session.status = SessionStatus.COUNTING
    session.save(update_fields=["status", "updated_at"])
    audit_record(action="count.reopen", user=user, session=session, reason=reason)
    return session
