"""Reads on ballots that span relations: entry progress, the differences between passes, and the
totals per official (from the ballots entered, or from the hand-count sheet)."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Concat

from ballots.models import (
    WHOLE_INVALID,
    Ballot,
    EntryPass,
    Mark,
    MarkValue,
    PassTotal,
    ScanBatch,
    ScanBatchStatus,
    ScannedBallot,
    ScanStatus,
    TallySheetRow,
)
from confidence_vote.lib.db import JoinedText
from sessions.access import SessionAccess, User, access_annotations
from sessions.models import Official, VoteSession

# The four columns of a tally per official; "invalid" is invalid for that official
# (no box or several ticked) plus the ballots invalid as a whole.
TALLY_COLUMNS = ("high", "medium", "low", "invalid")


def entry_progress(*, session: VoteSession, entry_pass: int) -> dict[str, Any]:
    """How far one entry pass has come, from its running totals: two queries, whatever the
    number of ballots.

    {"entered": non-voided ballots, "invalid": of which invalid as a whole,
     "by_order": {official order: {"high": n, "medium": n, "low": n, "none": n, "several": n}}}
    """
    orders = list(session.officials.order_by("order").values_list("order", flat=True))
    by_order = {order: dict.fromkeys(MarkValue.values, 0) for order in orders}
    whole_invalid: dict[int, int] = {}
    entered: dict[int, int] = {}
    for order, value, count in PassTotal.objects.filter(
        session=session, entry_pass=entry_pass
    ).values_list("official__order", "value", "count"):
        entered[order] = entered.get(order, 0) + count
        if value == WHOLE_INVALID:
            whole_invalid[order] = count
        elif order in by_order:
            by_order[order][value] = count
    # Every ballot entered counts once for every official: the first official's sum is the
    # number of ballots.
    first = orders[0] if orders else 0
    return {
        "entered": entered.get(first, 0),
        "invalid": whole_invalid.get(first, 0),
        "by_order": by_order,
    }


def _pass_sides(
    *, session: VoteSession, numbers: list[int] | None = None
) -> dict[int, dict[int, dict[str, Any]]]:
    """{pass: {number: side}} for the non-voided ballots (only `numbers`' when given)."""
    passes: dict[int, dict[int, dict[str, Any]]] = {1: {}, 2: {}}
    by_id: dict[int, dict[str, Any]] = {}
    ballots = Ballot.objects.filter(session=session, voided=False)
    marks = Mark.objects.filter(ballot__session=session, ballot__voided=False)
    if numbers is not None:
        ballots = ballots.filter(number__in=numbers)
        marks = marks.filter(ballot__number__in=numbers)
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


def pass_difference_numbers(*, session: VoteSession) -> QuerySet:
    """The entry numbers where the two passes disagree, in order, as a query (count it, slice
    it): one GROUP BY over the session's non-voided ballots, comparing what each says
    (`Ballot.content_digest`); a number entered in one pass only is a difference too."""
    return (
        Ballot.objects.filter(session=session, voided=False)
        .order_by("number")
        .values("number")
        .annotate(n=Count("pk"), low=Min("content_digest"), high=Max("content_digest"))
        .filter(Q(n__lt=2) | ~Q(low=F("high")))
        .values_list("number", flat=True)
    )


def pass_differences(
    *, session: VoteSession, numbers: list[int] | None = None
) -> list[dict[str, Any]]:
    """Every entry number where the two passes disagree (or those of `numbers` that do), in
    number order: three queries.

    Each item: {"number": n, "first": side or None, "second": side or None}, a side being
    {"invalid_reason": "...", "marks": {official order: value}}; None: not entered in that pass.
    Voided entries are left out, as if never typed.
    """
    if numbers is None:
        numbers = list(pass_difference_numbers(session=session))
    if not numbers:
        return []
    passes = _pass_sides(session=session, numbers=numbers)
    differences = []
    for number in sorted(numbers):
        first, second = passes[1].get(number), passes[2].get(number)
        if first != second:
            differences.append({"number": number, "first": first, "second": second})
    return differences


def pass_difference(*, session: VoteSession, number: int) -> dict[str, Any] | None:
    """The two passes' sides of one entry number, shaped as in `pass_differences`, or None
    when they agree (or neither pass has that number): two queries."""
    passes = _pass_sides(session=session, numbers=[number])
    first, second = passes[1].get(number), passes[2].get(number)
    if first == second:
        return None
    return {"number": number, "first": first, "second": second}


def entered_per_pass(*, session: VoteSession) -> dict[int, int]:
    """{pass: ballots entered and not voided}, counted from the ballots (one query on their
    index): what the access object asks to know whether both passes are complete."""
    return dict(
        Ballot.objects.filter(session=session, voided=False)
        .order_by()
        .values_list("entry_pass")
        .annotate(n=Count("pk"))
        .values_list("entry_pass", "n")
    )


def pass_entered_counts(*, session: VoteSession) -> dict[int, int]:
    """{pass: ballots entered (voided aside)} from the running totals: one query. Every ballot
    counts once for every official, so the first official's totals add up to it."""
    first = Official.objects.filter(session=session).order_by("order").values("pk")[:1]
    counts = dict.fromkeys(EntryPass.values, 0)
    for entry_pass, entered in (
        PassTotal.objects.filter(session=session, official_id=Subquery(first))
        .values("entry_pass")
        .annotate(entered=Sum("count"))
        .values_list("entry_pass", "entered")
    ):
        counts[entry_pass] = entered
    return counts


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


def hand_count_rows(*, session: VoteSession) -> list[TallySheetRow]:
    """The hand-count sheet in ballot order, with each row's official: one query."""
    return list(
        TallySheetRow.objects.filter(session=session)
        .select_related("official", "recorded_by")
        .order_by("official__order")
    )


def hand_count_totals(*, session: VoteSession) -> dict[int, dict[str, int]]:
    """The hand-count sheet shaped like `ballot_totals` ({} when none was recorded): one query."""
    rows = TallySheetRow.objects.filter(session=session).values("official__order", *TALLY_COLUMNS)
    return {row["official__order"]: {c: row[c] for c in TALLY_COLUMNS} for row in rows}


# --- one save's look-up -------------------------------------------------------------------


@dataclass
class EntrySnapshot:
    """What a ballot save needs to know, read in one query once the session's row is locked:
    the session (with its organization), the user's roles in the organization, seat on the
    committee and passes typed in, the officials, the pass's last entry number, its running
    totals, and the ballot a client token already made, if any."""

    session: VoteSession
    # The user's access object, from the same query (`SessionAccess.from_row`).
    access: SessionAccess
    entry_pass: int
    passes_entered: set[int]
    # {ballot order: official id}
    officials: dict[int, int]
    last_number: int
    # {(official id, value): count}, zeros left out
    totals: dict[tuple[int, str], int]
    token_ballot_id: int | None

    @property
    def entered(self) -> int:
        """Ballots entered in the pass (voided aside): per official, the values add up to it."""
        if not self.officials:
            return 0
        first = min(self.officials.values())
        return sum(n for (official_id, _value), n in self.totals.items() if official_id == first)

    def progress(self) -> dict[int, dict[str, int]]:
        """{official order: {mark value: count}}, as `entry_progress` answers."""
        return {
            order: {value: self.totals.get((official_id, value), 0) for value in MarkValue.values}
            for order, official_id in sorted(self.officials.items())
        }


def _joined(queryset, expression) -> Subquery:
    return Subquery(
        queryset.order_by()
        .values("session")
        .annotate(joined=JoinedText(expression))
        .values("joined")[:1]
    )


def _pairs(text: str | None) -> list[list[str]]:
    return [item.split(":") for item in text.split(",")] if text else []


def _typed_annotations(user_id: int) -> dict[str, Any]:
    """For each pass, whether the user typed in it (a ballot entered, or a scan file uploaded
    that did not fail): `passes_entered_by`'s question, as columns of the session's row."""
    session_ref = OuterRef("pk")
    return {
        f"x_pass_{number}": Exists(
            Ballot.objects.filter(entered_by_id=user_id, session=session_ref, entry_pass=number)
        )
        | Exists(
            ScanBatch.objects.filter(
                imported_by_id=user_id, session=session_ref, entry_pass=number
            ).exclude(status=ScanBatchStatus.FAILED)
        )
        for number in EntryPass.values
    }


def _facts_queryset(
    *, session_pk: int, user_id: int | None, entry_pass: int, client_token
) -> QuerySet[VoteSession]:
    """The one query of a save's facts (see `entry_snapshot`)."""
    session_ref = OuterRef("pk")
    annotations: dict[str, Any] = {
        "x_officials": _joined(
            Official.objects.filter(session=session_ref),
            Concat("order", Value(":"), "pk", output_field=CharField()),
        ),
        "x_totals": _joined(
            PassTotal.objects.filter(session=session_ref, entry_pass=entry_pass, count__gt=0),
            Concat(
                "official_id", Value(":"), "value", Value(":"), "count", output_field=CharField()
            ),
        ),
        "x_last_number": Subquery(
            Ballot.objects.filter(session=session_ref, entry_pass=entry_pass)
            .order_by("-number")
            .values("number")[:1]
        ),
        # A scanned ballot held for review keeps its number until it is reviewed.
        "x_last_held": Subquery(
            ScannedBallot.objects.filter(session=session_ref, entry_pass=entry_pass)
            .order_by("-number")
            .values("number")[:1]
        ),
    }
    # The access object's facts (roles, seat) and the passes typed, in the same row.
    annotations |= access_annotations(user_id)
    if user_id is not None:
        annotations |= _typed_annotations(user_id)
    if client_token is not None:
        annotations["x_token_ballot"] = Subquery(
            Ballot.objects.filter(client_token=client_token).values("pk")[:1]
        )
    return VoteSession.objects.annotate(**annotations).filter(pk=session_pk).order_by()[:1]


# The facts query compiled once per shape (database, with a user, with a client token), with
# these stand-ins for the values of a save; each save puts its own values in their place.
# Each in its column's range (Django drops a comparison with an out-of-range value).
_SESSION, _USER, _PASS = -7_000_001, -7_000_002, 31_991
_TOKEN = uuid.UUID(int=7_000_004)
_compiled: dict[tuple, tuple[str, tuple]] = {}


def _token_param(token: uuid.UUID):
    return Ballot._meta.get_field("client_token").get_db_prep_value(token, connection)


def _facts_sql(*, session_pk: int, user_id: int | None, entry_pass: int, client_token):
    """The facts query's SQL and parameters for these values.

    Building and compiling the ORM's query (a dozen subqueries) took about as long as a
    save's statements together, at every save; the SQL does not change from one save to the
    next, only its values do. So it is compiled once, with stand-ins, and each save's values
    replace the stand-ins among the parameters (the SQL text carries none of them: checked)."""
    key = (connection.vendor, connection.alias, user_id is not None, client_token is not None)
    if key not in _compiled:
        queryset = _facts_queryset(
            session_pk=_SESSION,
            user_id=None if user_id is None else _USER,
            entry_pass=_PASS,
            client_token=None if client_token is None else _TOKEN,
        )
        sql, params = queryset.query.sql_with_params()
        stand_ins = {_SESSION, _PASS} | ({_USER} if user_id is not None else set())
        if client_token is not None:
            stand_ins.add(_token_param(_TOKEN))
        found = {param for param in params if _replaceable(param)}
        if not stand_ins <= found or any(str(value) in sql for value in stand_ins):
            raise RuntimeError("the facts query does not take its values as parameters")
        _compiled[key] = (sql, tuple(params))
    sql, params = _compiled[key]
    values = {_SESSION: session_pk, _PASS: entry_pass, _USER: user_id}
    if client_token is not None:
        values[_token_param(_TOKEN)] = _token_param(client_token)
    return sql, [values.get(param, param) if _replaceable(param) else param for param in params]


def _replaceable(param) -> bool:
    return isinstance(param, int | str | uuid.UUID) and not isinstance(param, bool)


def entry_snapshot(
    *, session_pk: int, user, entry_pass: int, client_token=None, lock: bool = True
) -> EntrySnapshot | None:
    """The facts of one save (see EntrySnapshot) in one query; None: no such session. The
    session comes back with the user's access object (`SessionAccess.from_row`) built from
    the same query and remembered on it; `sessions.access.admit` gives the verdict (404, 403).
    The session's organization is not read (a query more if asked for).

    With `lock` (call it inside the save's transaction), the session row is locked first, on
    a database that has row locks (PostgreSQL), by a statement of its own: a query that
    waits for a lock reads the other tables as they were when it started, so the facts read
    in the same statement could miss the ballot a concurrent save just committed. SQLite
    has no row locks (its transactions take the whole database when they first write), so
    there the facts are the only query.
    """
    if lock and connection.features.has_select_for_update:
        locked = list(
            VoteSession.objects.select_for_update()
            .filter(pk=session_pk)
            .order_by()
            .values_list("pk", flat=True)
        )
        if not locked:
            return None
    if user is None:
        user = AnonymousUser()
    user_id = user.pk if user.is_authenticated else None
    sql, params = _facts_sql(
        session_pk=session_pk, user_id=user_id, entry_pass=entry_pass, client_token=client_token
    )
    session = next(iter(VoteSession.objects.raw(sql, params)), None)
    if session is None:
        return None
    facts: Any = session  # the query's annotations
    passes = {n for n in EntryPass.values if getattr(facts, f"x_pass_{n}", False)}
    return EntrySnapshot(
        session=session,
        access=SessionAccess.from_row(user=user, session=session, passes_typed=passes),
        entry_pass=entry_pass,
        passes_entered=passes,
        officials={int(order): int(pk) for order, pk in _pairs(facts.x_officials)},
        last_number=max(facts.x_last_number or 0, facts.x_last_held or 0),
        totals={
            (int(official_id), value): int(count)
            for official_id, value, count in _pairs(facts.x_totals)
        },
        token_ballot_id=getattr(session, "x_token_ballot", None),
    )


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
