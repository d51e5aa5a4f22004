"""Writes on ballots and on the count: open, enter, import, correct, void, resolve a difference
between the passes, record hand-count totals, collect, close, reopen.

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
from ballots.models import Ballot, EntryPass, InvalidReason, Mark, MarkValue, TallySheetRow
from ballots.selectors import (
    TALLY_COLUMNS,
    ballot_totals,
    pass_difference,
    pass_differences,
    passes_entered_by,
    tally_sheet_totals,
)
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


def _require_own_pass(*, user, session: VoteSession, entry_pass: int) -> None:
    """Blind double entry: whoever entered ballots in one pass may not enter in the other."""
    other = passes_entered_by(session=session, user=user) - {entry_pass}
    if session.double_entry and other:
        raise DomainError(
            _(
                "You entered ballots in pass %(other)d; with double entry each member enters "
                "one pass only, so that the two passes stay independent."
            )
            % {"other": min(other)},
            field="entry_pass",
        )


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
    _require_own_pass(user=user, session=session, entry_pass=entry_pass)

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
    if user is not None:
        _require_own_pass(user=user, session=session, entry_pass=entry_pass)
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
def ballot_void(*, user, ballot: Ballot, reason: str) -> Ballot:
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


def _entered_one_by_one(session: VoteSession) -> bool:
    """Were any ballots entered one by one (in either pass, voided entries aside)?"""
    return Ballot.objects.filter(session=session, voided=False).exists()


def count_close_problems(*, session: VoteSession) -> list[str]:
    """Why a count in progress cannot close yet; empty when it can.

    The count closes when every collected ballot is entered (in both passes, and alike, with
    double entry). When no ballot was entered one by one, a complete hand-count sheet stands in
    for the pile; when both exist, the sheet must match the ballots entered.
    """
    collected = session.ballots_collected
    if collected is None:
        return [_("Record the number of ballots collected first.")]
    sheet = tally_sheet_totals(session=session)
    if sheet and not _entered_one_by_one(session):
        return _sheet_problems(session=session, sheet=sheet, collected=collected)
    passes = [EntryPass.FIRST, EntryPass.SECOND] if session.double_entry else [EntryPass.FIRST]
    problems = []
    for entry_pass in passes:
        entered = _entered_count(session=session, entry_pass=entry_pass)
        if entered != collected:
            problems.append(
                _("Entry %(pass)d: %(entered)d ballots entered, %(collected)d collected.")
                % {"pass": entry_pass, "entered": entered, "collected": collected}
            )
    if session.double_entry:
        differing = [row["number"] for row in pass_differences(session=session)]
        if differing:
            problems.append(
                _("The passes differ on ballots %(numbers)s.") % {"numbers": _orders(differing)}
            )
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
def count_close(*, user, session: VoteSession) -> VoteSession:
    """Close the count once every collected ballot is entered (twice, and alike, if double),
    or the hand-count sheet accounts for them."""
    session = lock_session(session)
    _require_chair(user=user, session=session)
    if session.status != SessionStatus.COUNTING:
        raise DomainError(_("Only a count in progress can be closed."))
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
    session.status = SessionStatus.COUNTED
    session.save(update_fields=["status", "updated_at"])
    audit_record(action="count.close", user=user, session=session, data=data)
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


# --- resolving a difference between the passes ----------------------------------------------


@transaction.atomic
def difference_resolve(
    *, user, session: VoteSession, number: int, entry: BallotInput, reason: str = ""
) -> None:
    """The chair reads the paper ballot and states its content: both passes take it.

    The only way anyone changes the other pass's entries. A side missing from a pass is
    created (entered by the chair, within the ballots issued); a voided entry with that
    number is brought back with the content.
    """
    session = lock_session(session)
    _require_chair(user=user, session=session)
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
            count = _entered_count(session=session, entry_pass=entry_pass) + 1
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
        ballot.invalid_reason = invalid_reason
        ballot.invalid_note = note
        _clean(ballot, number=number, exclude=["session", "entered_by"])
        ballot.save()
        ballot.marks.all().delete()
        Mark.objects.bulk_create(_build_marks(ballot, marks, officials))
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


# --- the hand-count sheet -----------------------------------------------------------------


def _counts_text(counts: dict[str, int]) -> str:
    return _("%(high)d high, %(medium)d medium, %(low)d low, %(invalid)d invalid") % counts


def _sheet_problems(
    *,
    session: VoteSession,
    sheet: dict[int, dict[str, int]],
    collected: int,
    ballots: dict[int, dict[str, int]] | None = None,
) -> list[str]:
    """What is wrong with a hand-count sheet: a row missing, a row that does not add up to the
    ballots collected, a row that differs from the ballots entered (when given)."""
    names = dict(session.officials.order_by("order").values_list("order", "full_name"))
    missing = [name for order, name in names.items() if order not in sheet]
    if missing:
        return [
            _("The hand-count totals have no row for %(names)s.") % {"names": ", ".join(missing)}
        ]
    problems = []
    for order, name in names.items():
        counts = sheet[order]
        total = sum(counts[column] for column in TALLY_COLUMNS)
        if total != collected:
            problems.append(
                _(
                    "%(name)s: %(high)d + %(medium)d + %(low)d + %(invalid)d = %(total)d, "
                    "but %(collected)d ballots were collected."
                )
                % {"name": name, **counts, "total": total, "collected": collected}
            )
    if problems or ballots is None:
        return problems
    for order, name in names.items():
        if sheet[order] != ballots[order]:
            problems.append(
                _("%(name)s: the hand count says %(sheet)s; the ballots entered say %(ballots)s.")
                % {
                    "name": name,
                    "sheet": _counts_text(sheet[order]),
                    "ballots": _counts_text(ballots[order]),
                }
            )
    return problems


def _sheet_counts(*, name: str, row) -> dict[str, int]:
    try:
        values = [int(value) for value in row]
    except (TypeError, ValueError):
        values = []
    if len(values) != len(TALLY_COLUMNS):
        raise DomainError(
            _("%(name)s: give four numbers (high, medium, low, invalid).") % {"name": name}
        )
    if any(value < 0 for value in values):
        raise DomainError(_("%(name)s: a count cannot be negative.") % {"name": name})
    return dict(zip(TALLY_COLUMNS, values, strict=True))


@transaction.atomic
def tally_sheet_record(
    *, user, session: VoteSession, rows: dict[int, tuple[int, int, int, int]]
) -> list[TallySheetRow]:
    """Record the hand-counted totals, one row per official keyed by ballot order:
    (high, medium, low, invalid). Replaces the previous sheet.

    Each row must add up to the ballots collected; where ballots were also entered one by
    one, each row must match the totals of the first pass.
    """
    session = lock_session(session)
    _require_chair(user=user, session=session)
    _require_counting(session)
    collected = session.ballots_collected
    if collected is None:
        raise DomainError(_("Record the number of ballots collected first."))
    officials = {official.order: official for official in session.officials.order_by("order")}
    unknown = sorted(set(rows) - set(officials), key=_order_key)
    if unknown:
        raise DomainError(
            _("There is no official no. %(orders)s in this session.") % {"orders": _orders(unknown)}
        )
    sheet = {}
    for order, official in officials.items():
        if order in rows:
            sheet[order] = _sheet_counts(name=official.full_name, row=rows[order])
    ballots = None
    if Ballot.objects.filter(session=session, entry_pass=EntryPass.FIRST, voided=False).exists():
        ballots = ballot_totals(session=session, entry_pass=EntryPass.FIRST)
    problems = _sheet_problems(session=session, sheet=sheet, collected=collected, ballots=ballots)
    if problems:
        raise DomainError(" ".join(problems))

    before = tally_sheet_totals(session=session)
    TallySheetRow.objects.filter(session=session).delete()
    built = []
    for order, counts in sheet.items():
        row = TallySheetRow(session=session, official=officials[order], recorded_by=user, **counts)
        try:
            row.full_clean(
                exclude=["session", "official", "recorded_by"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            _field, messages = next(iter(exc.message_dict.items()))
            raise DomainError(f"{officials[order].full_name}: {messages[0]}") from None
        built.append(row)
    created = TallySheetRow.objects.bulk_create(built)

    def as_lists(totals: dict[int, dict[str, int]]) -> dict[str, list[int]]:
        return {str(o): [totals[o][c] for c in TALLY_COLUMNS] for o in sorted(totals)}

    audit_record(
        action="tally_sheet.record",
        user=user,
        session=session,
        data={
            "ballots_collected": collected,
            "before": as_lists(before),
            "after": as_lists(sheet),
            "checked_against_ballots": ballots is not None,
        },
    )
    return created
