"""Reads on ballots that span relations: entry progress and the differences between passes."""

from typing import Any

from django.db.models import Count, Q

from ballots.models import Ballot, Mark, MarkValue
from sessions.models import VoteSession


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


def pass_differences(*, session: VoteSession) -> list[dict[str, Any]]:
    """Every entry number where the two passes disagree, in number order: two queries.

    Each item: {"number": n, "first": side or None, "second": side or None}, a side being
    {"invalid_reason": "...", "marks": {official order: value}}; None: not entered in that pass.
    Voided entries are left out, as if never typed.
    """
    passes: dict[int, dict[int, dict[str, Any]]] = {1: {}, 2: {}}
    by_id: dict[int, dict[str, Any]] = {}
    ballots = Ballot.objects.filter(session=session, voided=False).values_list(
        "pk", "entry_pass", "number", "invalid_reason"
    )
    for pk, entry_pass, number, invalid_reason in ballots:
        side = {"invalid_reason": invalid_reason, "marks": {}}
        passes[entry_pass][number] = side
        by_id[pk] = side
    marks = (
        Mark.objects.filter(ballot__session=session, ballot__voided=False)
        .order_by("official__order")
        .values_list("ballot_id", "official__order", "value")
    )
    for ballot_id, order, value in marks:
        by_id[ballot_id]["marks"][order] = value
    differences = []
    for number in sorted(passes[1].keys() | passes[2].keys()):
        first, second = passes[1].get(number), passes[2].get(number)
        if first != second:
            differences.append({"number": number, "first": first, "second": second})
    return differences
