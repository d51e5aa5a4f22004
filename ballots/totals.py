"""Running totals of each entry pass (`PassTotal`): what a change to ballots adds or takes away,
applied in one statement inside the service's transaction, and a recount from the marks.

Every service that creates, corrects, voids, resolves or imports ballots calls
`totals_apply` with the change (`ballot_delta`), under the session's row lock. The recount
(`totals_recounted`) is what the totals must always equal; tests compare the two.
"""

from collections import Counter
from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import Count

from ballots.models import WHOLE_INVALID, Ballot, Mark, PassTotal
from sessions.models import Official


def ballot_delta(
    *, officials: Iterable[int], invalid_reason: str, marks: Mapping[int, str], sign: int = 1
) -> Counter:
    """What one non-voided ballot adds (sign 1) or takes away (sign -1): one per official,
    its mark's value, or WHOLE_INVALID for every official when the ballot is invalid as a whole.

    `officials`: the session's official ids; `marks`: {official id: value}.
    """
    if invalid_reason:
        return Counter({(official_id, WHOLE_INVALID): sign for official_id in officials})
    return Counter(dict.fromkeys(marks.items(), sign))


def totals_apply(*, session_id: int, entry_pass: int, delta: Counter) -> None:
    """Add `delta` to the pass's running totals: one INSERT … ON CONFLICT DO UPDATE statement
    (SQLite ≥ 3.24 and PostgreSQL), whatever the number of officials."""
    rows = [(key, n) for key, n in sorted(delta.items()) if n]
    if not rows:
        return
    table = connection.ops.quote_name(PassTotal._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params: list = []
    for (official_id, value), n in rows:
        params.extend([session_id, entry_pass, official_id, value, n])
    sql = (
        f"INSERT INTO {table} (session_id, entry_pass, official_id, value, count) "  # noqa: S608
        f"VALUES {values} "
        "ON CONFLICT (session_id, entry_pass, official_id, value) "
        f"DO UPDATE SET count = {table}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def totals_of(*, session_id: int, entry_pass: int) -> dict[tuple[int, str], int]:
    """The pass's running totals, {(official id, value): count}, zeros left out: one query."""
    return {
        (official_id, value): count
        for official_id, value, count in PassTotal.objects.filter(
            session_id=session_id, entry_pass=entry_pass
        ).values_list("official_id", "value", "count")
        if count
    }


def totals_recounted(*, session_id: int, entry_pass: int) -> dict[tuple[int, str], int]:
    """The same totals counted from the ballots and marks themselves (slow; for checks)."""
    counts: Counter = Counter()
    for official_id, value, n in (
        Mark.objects.filter(
            ballot__session_id=session_id, ballot__entry_pass=entry_pass, ballot__voided=False
        )
        .values("official_id", "value")
        .annotate(n=Count("pk"))
        .values_list("official_id", "value", "n")
    ):
        counts[(official_id, value)] += n
    invalid = Ballot.objects.filter(
        session_id=session_id, entry_pass=entry_pass, voided=False
    ).exclude(invalid_reason="")
    n_invalid = invalid.count()
    if n_invalid:
        for official_id in Official.objects.filter(session_id=session_id).values_list(
            "pk", flat=True
        ):
            counts[(official_id, WHOLE_INVALID)] += n_invalid
    return {key: n for key, n in counts.items() if n}


def marks_insert_with_totals(
    *, marks: list[Mark], session_id: int, entry_pass: int, delta: Counter
) -> None:
    """Insert a new ballot's marks and add `delta` to the pass's totals.

    On PostgreSQL one statement does both (a data-modifying WITH); elsewhere (SQLite has no
    such statement) a bulk INSERT of the marks and `totals_apply`.
    """
    if connection.vendor != "postgresql" or not marks:
        Mark.objects.bulk_create(marks)
        totals_apply(session_id=session_id, entry_pass=entry_pass, delta=delta)
        return
    rows = [(key, n) for key, n in sorted(delta.items()) if n]
    quote = connection.ops.quote_name
    mark_table, total_table = quote(Mark._meta.db_table), quote(PassTotal._meta.db_table)
    params: list = []
    for mark in marks:
        params.extend([mark.ballot_id, mark.official_id, mark.value])
    for (official_id, value), n in rows:
        params.extend([session_id, entry_pass, official_id, value, n])
    mark_values = ", ".join(["(%s, %s, %s)"] * len(marks))
    total_values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    sql = (
        f"WITH new_marks AS (INSERT INTO {mark_table} (ballot_id, official_id, value) "  # noqa: S608
        f"VALUES {mark_values} RETURNING 1) "
        f"INSERT INTO {total_table} (session_id, entry_pass, official_id, value, count) "
        f"VALUES {total_values} "
        "ON CONFLICT (session_id, entry_pass, official_id, value) "
        f"DO UPDATE SET count = {total_table}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
