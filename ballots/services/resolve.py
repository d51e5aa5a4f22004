"""Resolving a difference between the two entry passes from the paper ballot."""

from django.db import transaction
from django.utils.translation import gettext as _

from ballots.inputs import BallotInput
from ballots.models import Ballot, EntryPass, Mark, content_digest
from ballots.selectors import pass_difference
from ballots.services.common import (
    _build_marks,
    _check_pass,
    _checked_content,
    _clean,
    _content_delta,
    _entered_count,
    _official_ids,
    _refuse_held_number,
    _require_counting,
    _too_many,
)
from ballots.totals import totals_apply
from confidence_vote.lib.text import clean_text
from sessions.access import User, require
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.services.common import lock_session

# --- resolving a difference between the passes ----------------------------------------------


@transaction.atomic
def difference_resolve(
    *, user: User | None, session: VoteSession, number: int, entry: BallotInput, reason: str = ""
) -> None:
    """The chair reads the paper ballot and states its content: both passes take it.

    The only way anyone changes the other pass's entries. A side missing from a pass is
    created (entered by the chair, within the ballots issued); a voided entry with that
    number is brought back with the content.
    """
    session = lock_session(session)
    require(user=user, session=session, capability="compare")
    _require_counting(session)
    _check_pass(session=session, entry_pass=EntryPass.SECOND)
    number = int(number)
    if entry.number is not None and int(entry.number) != number:
        raise DomainError(
            _("This form is for ballot %(number)d; the entry number cannot change here.")
            % {"number": number},
            field="number",
        )
    difference = pass_difference(session=session, number=number)
    if difference is None:
        raise DomainError(
            _("The two passes agree on ballot %(number)d: there is nothing to resolve.")
            % {"number": number}
        )
    officials = _official_ids(session)
    invalid_reason, note, marks = _checked_content(number=number, entry=entry, officials=officials)
    created = []
    for entry_pass in (EntryPass.FIRST, EntryPass.SECOND):
        ballot = (
            Ballot.objects.select_for_update()
            .filter(session=session, entry_pass=entry_pass, number=number)
            .first()
        )
        if ballot is None or ballot.voided:
            _refuse_held_number(session=session, entry_pass=entry_pass, number=number)
            count = _entered_count(session=session, entry_pass=entry_pass) + 1
            assert session.ballots_issued is not None  # set when counting opened (a constraint)
            if count > session.ballots_issued:
                raise _too_many(session=session, entry_pass=entry_pass, count=count)
            created.append(int(entry_pass))
        if ballot is None:
            ballot = Ballot(session=session, entry_pass=entry_pass, number=number)
        if ballot.pk is None or ballot.voided:
            ballot.voided = False
            # Not "entered" by the chair in a pass: the audit entry names who resolved it, and
            # the chair stays free to enter the pass they type, if any.
            ballot.entered_by = None
        # The running totals: the side this pass had (None: missing or voided) goes, the
        # content stated from the paper comes.
        side = difference["first" if entry_pass == EntryPass.FIRST else "second"]
        delta = _content_delta(officials, invalid_reason, marks)
        if side is not None:
            delta.update(_content_delta(officials, side["invalid_reason"], side["marks"], -1))
        ballot.invalid_reason = invalid_reason
        ballot.invalid_note = note
        ballot.content_digest = content_digest(invalid_reason, marks)
        _clean(ballot, number=number, exclude=["session", "entered_by"])
        ballot.save()
        ballot.marks.all().delete()
        Mark.objects.bulk_create(_build_marks(ballot, marks, officials))
        totals_apply(session_id=session.pk, entry_pass=entry_pass, delta=delta)
    audit_record(
        action="ballot.resolve",
        user=user,
        session=session,
        data={
            "number": number,
            "before": {"1": difference["first"], "2": difference["second"]},
            "after": {"invalid_reason": invalid_reason, "invalid_note": note, "marks": marks},
            "created": created,
        },
        reason=clean_text(reason),
    )
