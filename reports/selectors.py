"""The tally: per official and per session, by the session's rule profile, in a fixed number
of queries whatever the number of ballots."""

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from ballots.models import (
    TOTAL_VALUES,
    WHOLE_INVALID,
    Ballot,
    EntryPass,
    InvalidReason,
    Mark,
    MarkValue,
)
from ballots.selectors import hand_count_totals
from ballots.totals import totals_of
from confidence_vote.rules import RuleProfile
from reports.models import Confirmation, SignedDocument
from sessions import lifecycle
from sessions.models import VoteSession
from sessions.selectors import attendance_summary

ROW_DEFECTS = (MarkValue.NONE, MarkValue.SEVERAL)


@dataclass(frozen=True)
class OfficialResult:
    order: int
    name: str
    position: str
    valid: int
    invalid: int
    high: int
    medium: int
    low: int
    high_pct: Decimal
    medium_pct: Decimal
    low_pct: Decimal
    band: str
    # The block the official is rated in ("" for none): for grouping on paper, never part of
    # the result data (as_data), so fingerprints of results certified before stay the same.
    block: str = ""


@dataclass(frozen=True)
class ChainCheck:
    code: str
    passed: bool
    # Which numbers were compared, for people: "31 ≥ 28".
    detail: str


@dataclass(frozen=True)
class Tally:
    session: int
    rule_profile: str
    percentage_base: str
    convened: int
    present: int
    quorum_required: int
    quorum_met: bool
    issued: int
    collected: int
    count_closed: bool
    officials: list[OfficialResult]
    # Ballots invalid as a whole (counted invalid for every official).
    ballots_invalid: int = 0
    # "ballots" (entered one by one) or "tally_sheet" (hand count) or "none" (nothing yet).
    source: str = "ballots"
    base: int = 0
    checks: list[ChainCheck] = field(default_factory=list)

    @property
    def ballots_valid(self) -> int:
        return self.collected - self.ballots_invalid

    @property
    def absent(self) -> int:
        return self.convened - self.present

    @property
    def checks_passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def as_data(self) -> dict:
        """The result data with exactly the keys of `manage.py tally --format json`."""
        return {
            "session": self.session,
            "rule_profile": self.rule_profile,
            "percentage_base": self.percentage_base,
            "convened": self.convened,
            "present": self.present,
            "quorum_required": self.quorum_required,
            "quorum_met": self.quorum_met,
            "issued": self.issued,
            "collected": self.collected,
            "count_closed": self.count_closed,
            "officials": [
                {
                    **{
                        k: v
                        for k, v in asdict(row).items()
                        if not k.endswith("_pct") and k not in ("band", "block")
                    },
                    "high_pct": str(row.high_pct),
                    "medium_pct": str(row.medium_pct),
                    "low_pct": str(row.low_pct),
                    "band": row.band,
                }
                for row in self.officials
            ],
        }

    def canonical_json(self) -> str:
        """The result data as canonical JSON (sorted keys, no spaces, UTF-8 text)."""
        return json.dumps(self.as_data(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON: printed on every page of the certified documents and
        verifiable through /verify/. Never shown before certification: everything in the data
        but the marks is known to the secretariat, so a plain hash of a small session's result
        could be confirmed by trying every candidate."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def draft_code(self, *, version: int) -> str:
        """The result's code before certification: an HMAC of the canonical JSON with a key
        the server derives from its secret for this session's result version. It tells two
        readings of the result apart, but nobody without the server's secret can test a
        guess against it."""
        key = hmac.new(
            settings.SECRET_KEY.encode("utf-8"),
            f"confidence-vote:result-draft:{self.session}:{version}".encode(),
            hashlib.sha256,
        ).digest()
        return hmac.new(key, self.canonical_json().encode("utf-8"), hashlib.sha256).hexdigest()

    def shown_code(self, *, official: bool, version: int) -> str:
        """The code a page or document shows: the fingerprint once certified, else the draft
        code."""
        return self.fingerprint() if official else self.draft_code(version=version)


def _ballot_counts(
    session: VoteSession, profile: RuleProfile, official_orders: dict[int, int]
) -> tuple[int, int, dict[int, dict[str, int]]]:
    """(ballots collected, ballots invalid as a whole, {order: counts}) from pass 1: 2 queries.

    With double entry the first pass stands until both agree (then they are the same). When
    the profile voids a whole ballot for a defect in one row, such ballots count as invalid
    as a whole and their marks count for nobody.

    The marks are aggregated first, grouped by official and value (at most five rows per
    official), starting from this session's pass-1 ballots; the officials are joined after,
    in Python (`official_orders`: {official id: order}).
    """
    ballots = Ballot.objects.filter(session=session, entry_pass=EntryPass.FIRST, voided=False)
    defective = Mark.objects.filter(ballot=OuterRef("pk"), value__in=ROW_DEFECTS)
    if profile.row_defect_voids_ballot:
        ballots = ballots.annotate(defect=Exists(defective))
        whole_invalid = ~Q(invalid_reason="") | Q(defect=True)
    else:
        whole_invalid = ~Q(invalid_reason="")
    totals = ballots.aggregate(collected=Count("pk"), invalid=Count("pk", filter=whole_invalid))
    marks = Mark.objects.filter(
        ballot__session=session, ballot__entry_pass=EntryPass.FIRST, ballot__voided=False
    )
    if profile.row_defect_voids_ballot:
        marks = marks.exclude(
            ballot__in=Ballot.objects.filter(session=session).filter(Exists(defective))
        )
    by_value: dict[int, dict[str, int]] = {
        official_id: dict.fromkeys(MarkValue.values, 0) for official_id in official_orders
    }
    for official_id, value, n in (
        marks.order_by()
        .values("official_id", "value")
        .annotate(n=Count("pk"))
        .values_list("official_id", "value", "n")
    ):
        if official_id in by_value:
            by_value[official_id][value] = n
    counts = {
        official_orders[official_id]: {
            "high": row[MarkValue.HIGH],
            "medium": row[MarkValue.MEDIUM],
            "low": row[MarkValue.LOW],
            "invalid": row[MarkValue.NONE] + row[MarkValue.SEVERAL] + totals["invalid"],
        }
        for official_id, row in by_value.items()
    }
    return totals["collected"], totals["invalid"], counts


def _counts_from_totals(
    session: VoteSession, profile: RuleProfile, official_orders: dict[int, int]
) -> tuple[int, int, dict[int, dict[str, int]]] | None:
    """What `_ballot_counts` gives, read from pass 1's running totals (`ballots.PassTotal`,
    kept by every service that changes ballots) instead of grouping every mark: 2 queries
    (the ballots with the number of their marks, the totals).

    None, so that the caller counts the marks themselves, when the totals cannot give the
    answer (a profile that voids a ballot for one defective row) or do not agree with the pile:
    a ballot or a mark added or removed other than through the services, or totals that do
    not add up. The chain checks are then computed from the marks, so a mark missing from the
    pile shows as a failed check, as it always has."""
    if profile.row_defect_voids_ballot:
        return None
    # Each ballot's marks counted by a subquery on the index of its marks (no GROUP BY, no
    # join of the whole mark table: PostgreSQL would read every mark of every session).
    marks_of_ballot = (
        Mark.objects.filter(ballot=OuterRef("pk"))
        .order_by()
        .values(n=Func(Value(1), function="COUNT"))
    )
    ballots = Ballot.objects.filter(
        session=session, entry_pass=EntryPass.FIRST, voided=False
    ).aggregate(
        collected=Count("pk"),
        invalid=Count("pk", filter=~Q(invalid_reason="")),
        marks=Coalesce(Sum(Subquery(marks_of_ballot, output_field=IntegerField())), 0),
    )
    totals = totals_of(session_id=session.pk, entry_pass=EntryPass.FIRST)
    marks = ballots["marks"]
    by_official: dict[int, dict[str, int]] = {
        official_id: dict.fromkeys(TOTAL_VALUES, 0) for official_id in official_orders
    }
    for (official_id, value), n in totals.items():
        if official_id not in by_official or value not in TOTAL_VALUES:
            return None
        by_official[official_id][value] = n
    collected, invalid = ballots["collected"], ballots["invalid"]
    agree = marks == sum(n for (_id, value), n in totals.items() if value != WHOLE_INVALID)
    for row in by_official.values():
        agree = agree and sum(row.values()) == collected and row[WHOLE_INVALID] == invalid
    if not agree:
        return None
    counts = {
        official_orders[official_id]: {
            "high": row[MarkValue.HIGH],
            "medium": row[MarkValue.MEDIUM],
            "low": row[MarkValue.LOW],
            "invalid": row[MarkValue.NONE] + row[MarkValue.SEVERAL] + row[WHOLE_INVALID],
        }
        for official_id, row in by_official.items()
    }
    return collected, invalid, counts


def tally_for_session(*, session: VoteSession, running_totals: bool = False) -> Tally:
    """The tally of a session by its rule profile: a fixed number of queries (at most 7).

    `running_totals`: read pass 1's running totals rather than count the marks, when they
    agree with the pile (`_counts_from_totals`); the figures and checks are the same. The
    results page does; documents, exports, confirmations and certification count the marks.
    """
    profile = session.profile
    summary = attendance_summary(session=session)
    officials = list(
        session.officials.order_by("order").values("pk", "order", "full_name", "position", "block")
    )
    official_orders = {official["pk"]: official["order"] for official in officials}
    counted = _counts_from_totals(session, profile, official_orders) if running_totals else None
    if counted is None:
        counted = _ballot_counts(session, profile, official_orders)
    collected, whole_invalid, counts = counted
    source = "ballots"
    if collected == 0:
        sheet = hand_count_totals(session=session)
        if sheet:
            source = "tally_sheet"
            counts = sheet
            collected = session.ballots_collected or 0
            # A hand count does not say how many ballots were invalid as a whole.
            whole_invalid = 0
        else:
            source = "none"
    percentage_base = profile.base_for(session.percentage_base)
    base = profile.base(
        collected=collected, convened=summary.convened, chosen=session.percentage_base
    )
    results = []
    for official in officials:
        c = counts.get(official["order"], {"high": 0, "medium": 0, "low": 0, "invalid": 0})
        # Ballots valid for this official: from the ballots, those collected less the invalid
        # (so a missing mark shows in the checks); from a hand count, the sheet's three levels
        # (so a row that does not add up to the ballots collected shows).
        if source == "ballots":
            valid = collected - c["invalid"]
        else:
            valid = c["high"] + c["medium"] + c["low"]
        results.append(
            OfficialResult(
                order=official["order"],
                name=official["full_name"],
                position=official["position"],
                valid=valid,
                invalid=c["invalid"],
                high=c["high"],
                medium=c["medium"],
                low=c["low"],
                high_pct=profile.share(c["high"], base=base),
                medium_pct=profile.share(c["medium"], base=base),
                low_pct=profile.share(c["low"], base=base),
                band=profile.band(c["low"], base=base),
                block=official["block"],
            )
        )
    issued = session.ballots_issued or 0
    tally = Tally(
        session=session.pk,
        rule_profile=profile.code,
        percentage_base=percentage_base,
        convened=summary.convened,
        present=summary.present,
        quorum_required=summary.quorum_required,
        quorum_met=summary.quorum_met,
        issued=issued,
        collected=collected,
        count_closed=lifecycle.count_closed(session),
        officials=results,
        ballots_invalid=whole_invalid,
        source=source,
        base=base,
    )
    return _with_checks(tally, session)


def _with_checks(tally: Tally, session: VoteSession) -> Tally:
    """Every chain check of docs/domain.md: convened ≥ present ≥ issued ≥ collected; per official
    collected = valid + invalid and high + medium + low = valid."""
    checks = [
        ChainCheck(
            "convened_present",
            tally.convened >= tally.present,
            f"{tally.convened} ≥ {tally.present}",
        ),
        ChainCheck(
            "present_issued", tally.present >= tally.issued, f"{tally.present} ≥ {tally.issued}"
        ),
        ChainCheck(
            "issued_collected",
            tally.issued >= tally.collected,
            f"{tally.issued} ≥ {tally.collected}",
        ),
    ]
    if session.ballots_collected is not None:
        checks.append(
            ChainCheck(
                "collected_counted",
                tally.collected == session.ballots_collected,
                f"{tally.collected} = {session.ballots_collected}",
            )
        )
    for row in tally.officials:
        checks.append(
            ChainCheck(
                f"official_{row.order}_collected",
                tally.collected == row.valid + row.invalid,
                f"{tally.collected} = {row.valid} + {row.invalid}",
            )
        )
        checks.append(
            ChainCheck(
                f"official_{row.order}_valid",
                row.high + row.medium + row.low == row.valid,
                f"{row.high} + {row.medium} + {row.low} = {row.valid}",
            )
        )
    return Tally(**{**tally.__dict__, "checks": checks})


OFFICIAL_CODE_LABEL = "Mã kiểm tra kết quả (SHA-256)"
DRAFT_CODE_LABEL = "Mã dự thảo kết quả (chưa chứng nhận, không tra cứu được)"


def result_code(
    *, session: VoteSession, tally: "Tally", official: bool | None = None
) -> tuple[str, str]:
    """(label, code) a document or an export prints: the verifiable fingerprint once the result
    is certified (or being certified: `official`), the keyed draft code before."""
    if official is None:
        official = lifecycle.result_final(session)
    code = tally.shown_code(official=official, version=session.result_version)
    return (OFFICIAL_CODE_LABEL if official else DRAFT_CODE_LABEL), code


def confirmation_code(*, session: VoteSession, tally: "Tally | None" = None) -> str:
    """What committee members confirm: the current result's draft code for this version."""
    tally = tally or tally_for_session(session=session)
    return tally.draft_code(version=session.result_version)


def confirmation_state(*, session: VoteSession, fingerprint: str | None = None) -> dict:
    """Who of the counting committee confirmed the current version of the result, with the
    current fingerprint (pass it when the caller already has the tally; else it is computed).

    {"version", "fingerprint", "members": [{"member", "user", "confirmed_at" | None}],
     "all_confirmed", "missing": [names]}; a confirmation of another fingerprint (the count
    was corrected since) does not count."""
    if fingerprint is None:
        fingerprint = confirmation_code(session=session)
    version = session.result_version
    confirmed = dict(
        Confirmation.objects.filter(
            session=session, version=version, fingerprint=fingerprint
        ).values_list("member_id", "confirmed_at")
    )
    members: list[dict[str, Any]] = [
        {"member": member, "user": member.user, "confirmed_at": confirmed.get(member.pk)}
        for member in session.committee_members.select_related("user").order_by("role", "pk")
    ]
    missing = [row["member"].full_name for row in members if row["confirmed_at"] is None]
    return {
        "version": version,
        "fingerprint": fingerprint,
        "members": members,
        "all_confirmed": bool(members) and not missing,
        "missing": missing,
    }


def invalid_ballots_by_reason(*, session: VoteSession) -> list[tuple[str, int]]:
    """Ballots invalid as a whole, by reason, from pass 1 (one query): [(reason, count)] in
    the order of the reasons' choices, only reasons that occur."""
    counts = dict(
        Ballot.objects.filter(session=session, entry_pass=EntryPass.FIRST, voided=False)
        .exclude(invalid_reason="")
        .values_list("invalid_reason")
        .annotate(n=Count("pk"))
        .values_list("invalid_reason", "n")
    )
    return [(reason, counts[reason]) for reason in InvalidReason.values if counts.get(reason)]


def current_signed_document(*, session: VoteSession, kind: str) -> SignedDocument | None:
    """The signed document of this kind for the session's current result version, if any."""
    return (
        SignedDocument.objects.filter(
            session=session, kind=kind, version=session.result_version, superseded_at__isnull=True
        )
        .order_by("-pk")
        .first()
    )
