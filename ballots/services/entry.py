"""Entering one paper ballot, correcting it, voiding it."""

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from ballots.inputs import BallotInput
from ballots.models import Ballot, Mark
from ballots.selectors import last_number
from ballots.services.common import (
    _build_marks,
    _check_pass,
    _checked_content,
    _clean,
    _content_data,
    _entered_count,
    _locked_ballot,
    _official_ids,
    _require_counting,
    _require_member,
    _require_own_pass,
    _require_reason,
    _stored_marks,
    _too_many,
)
from sessions.access import User
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.services.common import acting_account, lock_session

# --- ballots ------------------------------------------------------------------------------


@transaction.atomic
def ballot_record(
    *,
    user: User | None,
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
            if existing.session_id != session.pk or existing.entered_by_id != getattr(
                user, "pk", None
            ):
                raise DomainError(_("This entry form belongs to another session; reload it."))
            return existing
    _require_counting(session)
    entry_pass = _check_pass(session=session, entry_pass=entry_pass)
    _require_own_pass(user=user, session=session, entry_pass=entry_pass)

    ballots = Ballot.objects.filter(session=session, entry_pass=entry_pass)
    if entry.number is None:
        # After held scanned ballots too: each keeps its number until reviewed.
        number = last_number(session=session, entry_pass=entry_pass) + 1
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
    assert session.ballots_issued is not None  # set when counting opened (a constraint)
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
        entered_by=acting_account(user),
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
def ballot_void(*, user: User | None, ballot: Ballot, reason: str) -> Ballot:
    """Mark an entry typed by mistake as void; it stays on record but never counts."""
    session, ballot = _locked_ballot(ballot)
    _require_member(user=user, session=session)
    _require_counting(session)
    _require_own_pass(user=user, session=session, entry_pass=ballot.entry_pass)
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
