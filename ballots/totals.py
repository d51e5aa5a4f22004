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


def _row_sql(instance, columns: list[str]) -> tuple[str, list]:
    """`(%s, %s, ...)` and the values of a model instance's columns, prepared by the fields
    as the ORM would write them."""
    fields = {field.column: field for field in instance._meta.concrete_fields}
    values = [
        fields[column].get_db_prep_save(getattr(instance, fields[column].attname), connection)
        for column in columns
    ]
    placeholders = [
        "%s::jsonb" if fields[column].get_internal_type() == "JSONField" else "%s"
        for column in columns
    ]
    return "(" + ", ".join(placeholders) + ")", values


def ballot_insert(
    *, ballot: Ballot, marks: list[Mark], audit, entry_pass: int, delta: Counter
) -> None:
    """Insert a new ballot, its marks, its audit entry (an unsaved AuditEntry) and add `delta`
    to the pass's running totals; sets `ballot.pk` and `audit.pk`.

    On PostgreSQL one statement does it all (data-modifying WITH); elsewhere (SQLite has no
    such statement) the ORM's inserts, one per table, and `totals_apply`.
    """
    if connection.vendor != "postgresql":
        ballot.save()
        for mark in marks:
            mark.ballot = ballot
        Mark.objects.bulk_create(marks)
        audit.save()
        totals_apply(session_id=ballot.session_id, entry_pass=entry_pass, delta=delta)
        return
    for field in (*ballot._meta.concrete_fields, *audit._meta.concrete_fields):
        field.pre_save(ballot if field.model is Ballot else audit, add=True)  # auto_now(_add)
    quote = connection.ops.quote_name
    ballot_columns = [str(f.column) for f in Ballot._meta.concrete_fields if not f.primary_key]
    audit_columns = [str(f.column) for f in audit._meta.concrete_fields if not f.primary_key]
    ballot_row, params = _row_sql(ballot, ballot_columns)
    audit_row, audit_params = _row_sql(audit, audit_columns)
    sql = [
        f"WITH new_ballot AS (INSERT INTO {quote(Ballot._meta.db_table)} "  # noqa: S608
        f"({', '.join(map(quote, ballot_columns))}) VALUES {ballot_row} RETURNING id), "
        f"new_audit AS (INSERT INTO {quote(audit._meta.db_table)} "
        f"({', '.join(map(quote, audit_columns))}) VALUES {audit_row} RETURNING id)"
    ]
    params += audit_params
    if marks:
        sql.append(
            f", new_marks AS (INSERT INTO {quote(Mark._meta.db_table)} "  # noqa: S608
            "(ballot_id, official_id, value) SELECT new_ballot.id, v.official_id, v.value "
            "FROM new_ballot, (VALUES "
            + ", ".join(["(%s::bigint, %s)"] * len(marks))
            + ") AS v(official_id, value) RETURNING 1)"
        )
        for mark in marks:
            params.extend([mark.official_id, mark.value])
    rows = [(key, n) for key, n in sorted(delta.items()) if n]
    if rows:
        total_table = quote(PassTotal._meta.db_table)
        sql.append(
            f", new_totals AS (INSERT INTO {total_table} "  # noqa: S608
            "(session_id, entry_pass, official_id, value, count) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
            + " ON CONFLICT (session_id, entry_pass, official_id, value) "
            f"DO UPDATE SET count = {total_table}.count + excluded.count RETURNING 1)"  # noqa: S608
        )
        for (official_id, value), n in rows:
            params.extend([ballot.session_id, entry_pass, official_id, value, n])
    sql.append(" SELECT (SELECT id FROM new_ballot), (SELECT id FROM new_audit)")
    # A CTE that nobody reads still runs (PostgreSQL runs every data-modifying WITH).
    with connection.cursor() as cursor:
        cursor.execute("".join(sql), params)
        ballot.pk, audit.pk = cursor.fetchone()
    ballot._state.adding = audit._state.adding = False
    ballot._state.db = audit._state.db = connection.alias
