"""The hand-count sheet: each official's totals as the committee counted them on paper."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ballots.models import Ballot, EntryPass, TallySheetRow
from ballots.selectors import TALLY_COLUMNS, ballot_totals, hand_count_totals
from ballots.services.common import _order_key, _orders, _require_counting
from sessions.access import User, require
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.services.common import acting_account, lock_session

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
def hand_count_record(
    *, user: User | None, session: VoteSession, rows: dict[int, tuple[int, int, int, int]]
) -> list[TallySheetRow]:
    """Record the hand-counted totals, one row per official keyed by ballot order:
    (high, medium, low, invalid). Replaces the previous sheet.

    Each row must add up to the ballots collected; where ballots were also entered one by
    one, each row must match the totals of the first pass.
    """
    session = lock_session(session)
    require(user=user, session=session, capability="chair")
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

    before = hand_count_totals(session=session)
    TallySheetRow.objects.filter(session=session).delete()
    built = []
    for order, counts in sheet.items():
        row = TallySheetRow(
            session=session, official=officials[order], recorded_by=acting_account(user), **counts
        )
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
