"""Entering one paper ballot, correcting it, voiding it."""

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from ballots.inputs import BallotInput
from ballots.models import Ballot, Mark, content_digest
from ballots.selectors import EntrySnapshot, entry_snapshot
from ballots.services.common import (
    _build_marks,
    _check_pass,
    _checked_content,
    _clean,
    _content_data,
    _content_delta,
    _locked_ballot,
    _official_ids,
    _refuse_held_number,
    _require_counting,
    _require_member,
    _require_own_pass,
    _require_reason,
    _stored_marks,
    _too_many,
)
from ballots.totals import ballot_insert, totals_apply
from sessions.access import User, require
from sessions.audit import audit_entry, audit_record
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.services.common import acting_account

# --- ballots ------------------------------------------------------------------------------


@transaction.atomic
def ballot_record(
    *,
    user: User | None,
    session: VoteSession,
    entry_pass: int,
    entry: BallotInput,
    client_token: uuid.UUID | None = None,
    scanned_id: int | None = None,
) -> Ballot:
    """Enter one paper ballot; a resubmitted save (same client token) returns the first one.
    `scanned_id`: the held scanned ballot whose review this is (it may take the number kept).
    """
    snapshot = entry_snapshot(
        session_pk=session.pk, user=user, entry_pass=entry_pass, client_token=client_token
    )
    if snapshot is None:
        raise VoteSession.DoesNotExist
    return ballot_save(
        user=user,
        snapshot=snapshot,
        entry=entry,
        client_token=client_token,
        scanned_id=scanned_id,
    )


def ballot_save(
    *,
    user: User | None,
    snapshot: EntrySnapshot,
    entry: BallotInput,
    client_token: uuid.UUID | None = None,
    scanned_id: int | None = None,
) -> Ballot:
    """`ballot_record` once its facts are read: call it inside the transaction that took
    `snapshot` under the session's row lock (`entry_snapshot(lock=True)`).

    Writes the ballot, its marks, the audit entry and the running totals (`ballot_insert`:
    one statement on PostgreSQL, four on SQLite). On return
    `snapshot.totals` and `snapshot.last_number` are the pass's, this ballot included.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ballot_save runs inside the transaction of its snapshot")
    session, entry_pass = snapshot.session, snapshot.entry_pass
    require(user=user, session=session, capability="enter_ballots")
    if snapshot.token_ballot_id is not None:
        existing = Ballot.objects.get(pk=snapshot.token_ballot_id)
        mine = existing.entered_by_id == getattr(user, "pk", None)
        if existing.session_id != session.pk or not mine:
            raise DomainError(_("This entry form belongs to another session; reload it."))
        return existing
    _require_counting(session)
    entry_pass = _check_pass(session=session, entry_pass=entry_pass)
    _require_own_pass(user=user, session=session, entry_pass=entry_pass)

    if entry.number is None:
        number = snapshot.last_number + 1
    else:
        number = int(entry.number)
        if number < 1:
            raise DomainError(_("Entry numbers start at 1."), field="number")
        if Ballot.objects.filter(session=session, entry_pass=entry_pass, number=number).exists():
            raise DomainError(
                _("Ballot %(number)d is already entered in entry %(pass)d.")
                % {"number": number, "pass": entry_pass},
                field="number",
            )
        _refuse_held_number(
            session=session, entry_pass=entry_pass, number=number, scanned_id=scanned_id
        )
    count = snapshot.entered + 1
    assert session.ballots_issued is not None  # set when counting opened (a constraint)
    if count > session.ballots_issued:
        raise _too_many(session=session, entry_pass=entry_pass, count=count)

    officials = snapshot.officials
    reason, note, marks = _checked_content(number=number, entry=entry, officials=officials)
    ballot = Ballot(
        session=session,
        entry_pass=entry_pass,
        number=number,
        invalid_reason=reason,
        invalid_note=note,
        entered_by=acting_account(user),
        client_token=client_token,
        content_digest=content_digest(reason, marks),
    )
    _clean(ballot, number=number, exclude=["session", "entered_by"])
    audit = audit_entry(
        action="ballot.create",
        user=user,
        session=session,
        data={"pass": entry_pass, "number": number, "invalid_reason": reason, "marks": marks},
    )
    delta = _content_delta(officials, reason, marks)
    ballot_insert(
        ballot=ballot,
        marks=_build_marks(ballot, marks, officials),
        audit=audit,
        entry_pass=entry_pass,
        delta=delta,
    )
    for key, n in delta.items():
        snapshot.totals[key] = snapshot.totals.get(key, 0) + n
    snapshot.last_number = max(snapshot.last_number, number)
    snapshot.passes_entered.add(entry_pass)
    return ballot


@transaction.atomic
def ballot_correct(*, user: User | None, ballot: Ballot, entry: BallotInput, reason: str) -> Ballot:
    """Replace a ballot's marks or whole-ballot invalid reason; the number stays."""
    session, ballot = _locked_ballot(ballot)
    _require_member(user=user, session=session)
    _require_counting(session)
    _require_own_pass(user=user, session=session, entry_pass=ballot.entry_pass)
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
    stored = _stored_marks(ballot)
    before = _content_data(ballot, stored)
    delta = _content_delta(officials, ballot.invalid_reason, stored, sign=-1)
    delta.update(_content_delta(officials, invalid_reason, marks))
    ballot.invalid_reason = invalid_reason
    ballot.invalid_note = note
    ballot.content_digest = content_digest(invalid_reason, marks)
    _clean(ballot, number=ballot.number, exclude=["session", "entered_by"])
    ballot.save(update_fields=["invalid_reason", "invalid_note", "content_digest", "updated_at"])
    ballot.marks.all().delete()
    Mark.objects.bulk_create(_build_marks(ballot, marks, officials))
    totals_apply(session_id=session.pk, entry_pass=ballot.entry_pass, delta=delta)
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
def ballot_void(*, user: User | None, ballot: Ballot, reason: str) -> Ballot:
    """Mark an entry typed by mistake as void; it stays on record but never counts."""
    session, ballot = _locked_ballot(ballot)
    _require_member(user=user, session=session)
    _require_counting(session)
    _require_own_pass(user=user, session=session, entry_pass=ballot.entry_pass)
    reason = _require_reason(reason)
    if ballot.voided:
        raise DomainError(_("Ballot %(number)d is already voided.") % {"number": ballot.number})
    officials = _official_ids(session)
    delta = _content_delta(officials, ballot.invalid_reason, _stored_marks(ballot), sign=-1)
    ballot.voided = True
    ballot.save(update_fields=["voided", "updated_at"])
    totals_apply(session_id=session.pk, entry_pass=ballot.entry_pass, delta=delta)
    audit_record(
        action="ballot.void",
        user=user,
        session=session,
        data={"pass": ballot.entry_pass, "number": ballot.number},
        reason=reason,
    )
    return ballot
