"""What the ballot services share: who may act, and one ballot's content checked and built.

Every service locks the session row first, so two committee members cannot race past the
"no more ballots than issued" limit or close a count while a ballot is being saved.
"""

from collections import Counter
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ballots.inputs import BallotInput
from ballots.models import (
    Ballot,
    EntryPass,
    InvalidReason,
    Mark,
    MarkValue,
    ScannedBallot,
    ScanStatus,
)
from ballots.totals import ballot_delta
from confidence_vote.lib.text import clean_text
from sessions import lifecycle
from sessions.access import User, access_for, require
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.services.common import lock_session

# --- who may act --------------------------------------------------------------------------


def _require_member(*, user: User | None, session: VoteSession) -> None:
    require(user=user, session=session, capability="enter_ballots")


def _require_own_pass(*, user: User | None, session: VoteSession, entry_pass: int) -> None:
    """Blind double entry: whoever entered ballots in one pass may not enter in the other."""
    account = user if user is not None else AnonymousUser()
    refused = access_for(user=account, session=session).refuse_pass(entry_pass)
    if refused:
        raise DomainError(refused, field="entry_pass")


def _require_counting(session: VoteSession) -> None:
    lifecycle.require_counting_open(session)


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


def _content_delta(
    officials: dict[int, int], invalid_reason: str, marks: dict[int, str], sign: int = 1
) -> Counter:
    """The running totals' change for a ballot's content ({order: value} marks)."""
    return ballot_delta(
        officials=officials.values(),
        invalid_reason=invalid_reason,
        marks={officials[order]: value for order, value in marks.items()},
        sign=sign,
    )


def _locked_ballot(ballot: Ballot) -> tuple[VoteSession, Ballot]:
    session = lock_session(ballot.session)
    return session, Ballot.objects.select_for_update().get(pk=ballot.pk)


def _refuse_held_number(
    *, session: VoteSession, entry_pass: int, number: int, scanned_id: int | None = None
) -> None:
    """A scanned ballot held for review keeps its number in its pass: the paper is in the
    pile under that number and is entered by its review, not typed again (or typed over by
    another ballot). Numbers given automatically already skip it (`entry_snapshot`).
    `scanned_id`: the held ballot being reviewed, which takes its own number."""
    held = ScannedBallot.objects.filter(
        session=session, entry_pass=entry_pass, number=number, status=ScanStatus.HELD
    )
    if scanned_id is not None:
        held = held.exclude(pk=scanned_id)
    if held.exists():
        raise DomainError(
            _(
                "Ballot %(number)d of entry %(pass)d is a scanned ballot held for review: its "
                "number is kept for it. Review it in the list of held ballots, or leave the "
                "number empty to take the next free one."
            )
            % {"number": number, "pass": entry_pass},
            field="number",
        )
