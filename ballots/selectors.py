"""Reads on ballots that span relations: entry progress, the differences between passes, and the
totals per official (from the ballots entered, or from the hand-count sheet)."""

from typing import Any

from django.db.models import Count, Max, Q

from ballots.models import (
    Ballot,
    Mark,
    MarkValue,
    ScanBatch,
    ScanBatchStatus,
    ScannedBallot,
    ScanStatus,
    TallySheetRow,
)
from sessions.access import User
from sessions.models import VoteSession

# The four columns of a tally per official; "invalid" is invalid for that official
# (no box or several ticked) plus the ballots invalid as a whole.
TALLY_COLUMNS = ("high", "medium", "low", "invalid")


def entry_progress(*, session: VoteSession, entry_pass: int) -> dict[str, Any]:
    """How far one entry pass has come: two queries, whatever the number of ballots.

    {"entered": non-voided ballots, "invalid": of which invalid as a whole,
     "by_order": {official order: {"high": n, "medium": n, "low": n, "none": n, "several": n}}}
    """
    totals = Ballot.objects.filter(session=session, entry_pass=entry_pass, voided=False).aggregate(
        entered=Count("pk"), invalid=Count("pk", filter=~Q(invalid_reason=""))
    )
    counted = Q(marks__ballot__entry_pass=entry_pass, marks__ballot__voided=False)
    rows = (
        session.officials.order_by("order")
        .annotate(
            **{
                f"n_{value}": Count("marks", filter=counted & Q(marks__value=value))
                for value in MarkValue.values
            }
        )
        .values("order", *(f"n_{value}" for value in MarkValue.values))
    )
    return {
        "entered": totals["entered"],
        "invalid": totals["invalid"],
        "by_order": {
            row["order"]: {value: row[f"n_{value}"] for value in MarkValue.values} for row in rows
        },
    }


def _pass_sides(
    *, session: VoteSession, number: int | None = None
) -> dict[int, dict[int, dict[str, Any]]]:
    """{pass: {number: side}} for the non-voided ballots (only `number`'s when given)."""
    passes: dict[int, dict[int, dict[str, Any]]] = {1: {}, 2: {}}
    by_id: dict[int, dict[str, Any]] = {}
    ballots = Ballot.objects.filter(session=session, voided=False)
    marks = Mark.objects.filter(ballot__session=session, ballot__voided=False)
    if number is not None:
        ballots = ballots.filter(number=number)
        marks = marks.filter(ballot__number=number)
    for pk, entry_pass, ballot_number, invalid_reason in ballots.values_list(
        "pk", "entry_pass", "number", "invalid_reason"
    ):
        side = {"invalid_reason": invalid_reason, "marks": {}}
        passes[entry_pass][ballot_number] = side
        by_id[pk] = side
    for ballot_id, order, value in marks.order_by("official__order").values_list(
        "ballot_id", "official__order", "value"
    ):
        by_id[ballot_id]["marks"][order] = value
    return passes


def pass_differences(*, session: VoteSession) -> list[dict[str, Any]]:
    """Every entry number where the two passes disagree, in number order: two queries.

    Each item: {"number": n, "first": side or None, "second": side or None}, a side being
    {"invalid_reason": "...", "marks": {official order: value}}; None: not entered in that pass.
    Voided entries are left out, as if never typed.
    """
    passes = _pass_sides(session=session)
    differences = []
    for number in sorted(passes[1].keys() | passes[2].keys()):
        first, second = passes[1].get(number), passes[2].get(number)
        if first != second:
            differences.append({"number": number, "first": first, "second": second})
    return differences


def pass_difference(*, session: VoteSession, number: int) -> dict[str, Any] | None:
    """The two passes' sides of one entry number, shaped as in `pass_differences`, or None
    when they agree (or neither pass has that number): two queries."""
    passes = _pass_sides(session=session, number=number)
    first, second = passes[1].get(number), passes[2].get(number)
    if first == second:
        return None
    return {"number": number, "first": first, "second": second}


def entered_per_pass(*, session: VoteSession) -> dict[int, int]:
    """{pass: ballots entered and not voided}: one query."""
    return dict(
        Ballot.objects.filter(session=session, voided=False)
        .order_by()
        .values_list("entry_pass")
        .annotate(n=Count("pk"))
        .values_list("entry_pass", "n")
    )


def passes_entered_by(*, session: VoteSession, user: User | None) -> set[int]:
    """The entry passes in which this user has entered ballots, by keyboard, file or scan
    (blind double entry keeps each member to one): one query."""
    if user is None or not user.is_authenticated:
        return set()
    entered = (
        Ballot.objects.filter(session=session, entered_by=user)
        .order_by()
        .values_list("entry_pass", flat=True)
    )
    # Whoever uploaded a scan of a pass is that pass's typist, held ballots and all.
    scanned = (
        ScanBatch.objects.filter(session=session, imported_by=user)
        .exclude(status=ScanBatchStatus.FAILED)
        .order_by()
        .values_list("entry_pass", flat=True)
    )
    return set(entered.union(scanned))


def ballot_totals(*, session: VoteSession, entry_pass: int = 1) -> dict[int, dict[str, int]]:
    """Per official order, the totals from the ballots entered in one pass: two queries.

    {order: {"high": n, "medium": n, "low": n, "invalid": n}}, "invalid" counting the marks
    "none" and "several" and the ballots invalid as a whole.
    """
    progress = entry_progress(session=session, entry_pass=entry_pass)
    return {
        order: {
            "high": counts[MarkValue.HIGH],
            "medium": counts[MarkValue.MEDIUM],
            "low": counts[MarkValue.LOW],
            "invalid": counts[MarkValue.NONE] + counts[MarkValue.SEVERAL] + progress["invalid"],
        }
        for order, counts in progress["by_order"].items()
    }


def tally_sheet_rows(*, session: VoteSession) -> list[TallySheetRow]:
    """The hand-count sheet in ballot order, with each row's official: one query."""
    return list(
        TallySheetRow.objects.filter(session=session)
        .select_related("official", "recorded_by")
        .order_by("official__order")
    )


def tally_sheet_totals(*, session: VoteSession) -> dict[int, dict[str, int]]:
    """The hand-count sheet shaped like `ballot_totals` ({} when none was recorded): one query."""
    rows = TallySheetRow.objects.filter(session=session).values("official__order", *TALLY_COLUMNS)
    return {row["official__order"]: {c: row[c] for c in TALLY_COLUMNS} for row in rows}


def held_count(*, session: VoteSession, entry_pass: int) -> int:
    """Scanned ballots of the pass waiting for a person's review."""
    return ScannedBallot.objects.filter(
        session=session, entry_pass=entry_pass, status=ScanStatus.HELD
    ).count()


def last_number(*, session: VoteSession, entry_pass: int) -> int:
    """The highest entry number taken in the pass: by a ballot (voided ones included) or by a
    scanned ballot held for review, which keeps its number until it is reviewed."""
    entered = Ballot.objects.filter(session=session, entry_pass=entry_pass).aggregate(
        last=Max("number")
    )["last"]
    held = ScannedBallot.objects.filter(session=session, entry_pass=entry_pass).aggregate(
        last=Max("number")
    )["last"]
    return max(entered or 0, held or 0)
