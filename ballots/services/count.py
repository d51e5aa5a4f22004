"""The count's life: open, record the ballots collected, close, reopen."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ballots.models import EntryPass, TallySheetRow
from ballots.selectors import (
    ballot_totals,
    hand_count_totals,
    pass_difference_numbers,
    pass_entered_counts,
)
from ballots.services.common import (
    _entered_count,
    _orders,
    _require_counting,
    _require_reason,
)
from ballots.services.hand_count import _sheet_problems
from sessions import lifecycle
from sessions.access import User, require
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.models import Typing, VoteSession
from sessions.services.common import lock_session, validate
from sessions.services.sessions import session_open_counting

# How many differing entry numbers a problem lists before it is cut short.
MAX_LISTED = 50

# --- counting opens -----------------------------------------------------------------------


def _check_typing(session: VoteSession, typing: dict[int, str]) -> None:
    """Double entry needs two typists, and someone able to type each pass."""
    members = {m.pk: m for m in session.committee_members.all()}
    unknown = set(typing) - set(members)
    if unknown or any(value not in Typing.values for value in typing.values()):
        raise DomainError(_("Choose who types which pass among this session's committee."))
    typists = [value for value in typing.values() if value != Typing.NONE]
    if not session.double_entry:
        if not typists:
            raise DomainError(_("Name at least one committee member who types the ballots."))
        return
    unlinked = [
        members[pk].full_name
        for pk, value in typing.items()
        if value != Typing.NONE and members[pk].user_id is None
    ]
    if unlinked:
        raise DomainError(
            _("%(names)s has no user account and cannot type: link an account first.")
            % {"names": ", ".join(unlinked)}
        )
    for number in ("1", "2"):
        if not any(value in (Typing.ANY, number) for value in typists):
            raise DomainError(
                _("Nobody may type pass %(pass)s: name a typist for each pass.") % {"pass": number}
            )
    if len(typists) < 2:
        raise DomainError(
            _("Double entry needs two typists, one for each pass, who do not see each other's.")
        )


@transaction.atomic
def count_open(
    *,
    user: User | None,
    session: VoteSession,
    ballots_issued: int,
    typing: dict[int, str] | None = None,
) -> VoteSession:
    """The committee chair records the ballots issued and opens counting, saying who types
    which pass (by default every member but the chair types, either pass)."""
    session = lock_session(session)
    require(user=user, session=session, capability="chair")
    if typing:
        _check_typing(session, typing)
    session = session_open_counting(user=user, session=session, ballots_issued=ballots_issued)
    if typing:
        for member in session.committee_members.all():
            member.typing = typing.get(member.pk, member.typing)
            member.save(update_fields=["typing"])
        names = dict(session.committee_members.values_list("pk", "full_name"))
        audit_record(
            action="count.typists",
            user=user,
            session=session,
            data={"typing": {names[pk]: value for pk, value in sorted(typing.items())}},
        )
    return session


# --- the count ----------------------------------------------------------------------------


@transaction.atomic
def count_record_collected(
    *, user: User | None, session: VoteSession, ballots_collected: int
) -> VoteSession:
    """The chair records the physical count of ballots collected."""
    session = lock_session(session)
    require(user=user, session=session, capability="chair")
    _require_counting(session)
    assert session.ballots_issued is not None  # set when counting opened (a constraint)
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


def count_close_problems(
    *,
    session: VoteSession,
    entered: dict[int, int] | None = None,
    differing: list[int] | None = None,
) -> list[str]:
    """Why a count in progress cannot close yet; empty when it can.

    The count closes when every collected ballot is entered (in both passes, and alike, with
    double entry). When no ballot was entered one by one, a complete hand-count sheet stands in
    for the pile; when both exist, the sheet must match the ballots entered.

    `entered` ({pass: ballots}, `pass_entered_counts`) and `differing` (the numbers where the
    passes differ, `pass_difference_numbers`): pass them when the caller has read them.
    A fixed number of queries, whatever the number of ballots.
    """
    collected = session.ballots_collected
    if collected is None:
        return [_("Record the number of ballots collected first.")]
    if entered is None:
        entered = pass_entered_counts(session=session)
    sheet = hand_count_totals(session=session)
    # Were any ballots entered one by one (in either pass, voided entries aside)?
    if sheet and not any(entered.values()):
        return _sheet_problems(session=session, sheet=sheet, collected=collected)
    passes = [EntryPass.FIRST, EntryPass.SECOND] if session.double_entry else [EntryPass.FIRST]
    problems = []
    for entry_pass in passes:
        if entered[entry_pass] != collected:
            problems.append(
                _("Entry %(pass)d: %(entered)d ballots entered, %(collected)d collected.")
                % {"pass": entry_pass, "entered": entered[entry_pass], "collected": collected}
            )
    if session.double_entry:
        if differing is None:
            differing = list(pass_difference_numbers(session=session))
        if differing:
            # A long list is cut: the compare page shows every difference.
            shown = _orders(differing[:MAX_LISTED]) + (", …" if len(differing) > MAX_LISTED else "")
            problems.append(_("The passes differ on ballots %(numbers)s.") % {"numbers": shown})
    if sheet:
        problems.extend(
            _sheet_problems(
                session=session,
                sheet=sheet,
                collected=collected,
                ballots=ballot_totals(session=session, entry_pass=EntryPass.FIRST),
            )
        )
    return problems


@transaction.atomic
def count_close(*, user: User | None, session: VoteSession) -> VoteSession:
    """Close the count once every collected ballot is entered (twice, and alike, if double),
    or the hand-count sheet accounts for them."""
    session = lock_session(session)
    require(user=user, session=session, capability="chair")
    lifecycle.transition_check(session, "close_count")
    problems = count_close_problems(session=session)
    if problems:
        raise DomainError(" ".join(problems))
    passes = [EntryPass.FIRST, EntryPass.SECOND] if session.double_entry else [EntryPass.FIRST]
    data: dict[str, Any] = {
        "ballots_collected": session.ballots_collected,
        "entered": {str(p): _entered_count(session=session, entry_pass=p) for p in passes},
    }
    if TallySheetRow.objects.filter(session=session).exists():
        data["tally_sheet"] = True
    session.save(update_fields=lifecycle.transition_apply(session, "close_count"))
    audit_record(action="count.close", user=user, session=session, data=data)
    return session


@transaction.atomic
def count_reopen(*, user: User | None, session: VoteSession, reason: str) -> VoteSession:
    """Return a closed count to counting so ballots can be corrected; needs a reason."""
    session = lock_session(session)
    require(user=user, session=session, capability="chair")
    lifecycle.transition_check(session, "reopen_count")
    reason = _require_reason(reason)
    session.save(update_fields=lifecycle.transition_apply(session, "reopen_count"))
    audit_record(action="count.reopen", user=user, session=session, reason=reason)
    return session
