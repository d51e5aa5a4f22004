"""Reads that span relations."""

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from confidence_vote.lib.signing import EXPIRY_WARNING_DAYS
from confidence_vote.lib.text import fold, identity_key
from sessions.access import User, organizations_for
from sessions.audit import action_choices, audit_visible, log_actions
from sessions.models import (
    Attendance,
    AuditEntry,
    Delegate,
    Official,
    Organization,
    SigningSetup,
    VoteSession,
)


@dataclass(frozen=True)
class AttendanceSummary:
    convened: int
    present: int
    absent: int
    unknown: int
    quorum_required: int
    quorum_met: bool


def attendance_summary(*, session: VoteSession) -> AttendanceSummary:
    """Convened, present and absent in one query, with the profile's quorum."""
    counts = session.delegates.aggregate(
        convened=Count("pk"),
        present=Count("pk", filter=Q(attendance=Attendance.PRESENT)),
        absent=Count("pk", filter=Q(attendance=Attendance.ABSENT)),
    )
    convened, present, absent = counts["convened"], counts["present"], counts["absent"]
    profile = session.profile
    return AttendanceSummary(
        convened=convened,
        present=present,
        absent=absent,
        unknown=convened - present - absent,
        quorum_required=profile.quorum_required(convened),
        quorum_met=profile.quorum_met(convened=convened, present=present),
    )


def delegates_found(
    *, session: VoteSession, q: str = "", sort: str = "order"
) -> QuerySet[Delegate]:
    """The session's delegates whose name, position, unit or group holds every word of `q`
    (accents and case ignored: "nguyen van" finds "Nguyễn Văn"), in list order or by name
    (`sort="name"`, the Vietnamese way: given name first). Filtered and ordered in SQL on
    the stored keys, so that a page of 50 costs the same among 10,000."""
    found = session.delegates.all()
    for word in fold(q).split():
        found = found.filter(search_key__contains=word)
    return found.order_by("name_key", "order") if sort == "name" else found.order_by("order")


def delegate_named(*, session: VoteSession, q: str) -> Delegate | None:
    """The one delegate whose full name is the whole of `q`, typed with its accents or else
    without (case ignored): on the attendance screen it wins over those whose details only
    hold the words, and Enter checks them in. None when nobody's name is `q` or two share it.
    One query, on the stored folded text."""
    folded = fold(q)
    if not folded:
        return None
    candidates = [
        delegate
        for delegate in session.delegates.filter(search_key__startswith=folded)
        if fold(delegate.full_name) == folded
    ]
    wanted = identity_key(q)[0]
    for found in ([d for d in candidates if identity_key(d.full_name)[0] == wanted], candidates):
        if found:
            return found[0] if len(found) == 1 else None
    return None


def _count_of(queryset) -> Coalesce:
    """A per-session count as a correlated subquery (0 when none)."""
    return Coalesce(
        Subquery(
            queryset.filter(session=OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def sessions_visible_to(user: User) -> QuerySet[VoteSession]:
    """Sessions of every organization where the user holds any role, with list counts.

    Each count is a subquery on that session's rows (not a join of every official with every
    delegate), so a page of the list costs the same whatever the history."""
    if not user.is_authenticated:
        return VoteSession.objects.none()
    organizations = organizations_for(user, need="view").values("pk")
    return (
        VoteSession.objects.filter(organization_id__in=organizations)
        .select_related("organization")
        .annotate(
            official_count=_count_of(Official.objects.all()),
            delegate_count=_count_of(Delegate.objects.all()),
            present_count=_count_of(Delegate.objects.filter(attendance=Attendance.PRESENT)),
        )
    )


@dataclass
class AuditPage:
    entries: QuerySet[AuditEntry]
    actions: list[tuple[str, str]]
    people: list[str]
    action: str
    person: str


def audit_entries(
    *, session: VoteSession, can, log_only: bool = False, action: str = "", person: str = ""
) -> AuditPage:
    """The entries of a session's history (or, `log_only`, of its ballot record) that the
    reader may see, filtered by action and person, with the filters' choices. `can` is the
    access object's `can`."""
    entries = AuditEntry.objects.filter(session=session)
    codes = set(entries.order_by().values_list("action", flat=True).distinct())
    visible = {code for code in codes if audit_visible(code, can)}
    if log_only:
        visible &= log_actions()
    entries = entries.filter(action__in=visible)
    people = sorted(
        set(entries.exclude(username="").order_by().values_list("username", flat=True).distinct())
    )
    if action in visible:
        entries = entries.filter(action=action)
    else:
        action = ""
    person = person.strip()
    if person:
        entries = entries.filter(username=person)
    return AuditPage(
        entries=entries.select_related("user"),
        actions=action_choices(visible),
        people=people,
        action=action,
        person=person,
    )


ReadinessState = Literal["missing", "not_yet_valid", "expired", "expiring", "ready"]


@dataclass(frozen=True)
class CertificationReadiness:
    """Whether the organization can sign certified documents, from its signing setup:
    "missing" (none configured), "not_yet_valid", "expired", "expiring" (within
    EXPIRY_WARNING_DAYS days; still usable) or "ready"."""

    state: ReadinessState
    setup: SigningSetup | None = None
    days_left: int | None = None

    @property
    def possible(self) -> bool:
        return self.state in ("ready", "expiring")

    @property
    def is_trial(self) -> bool:
        return self.setup is not None and self.setup.is_trial


def certification_readiness(
    *, organization: Organization, now: dt.datetime | None = None
) -> CertificationReadiness:
    """Can the organization certify today? One query; no key material is touched."""
    setup = SigningSetup.objects.filter(organization=organization).defer("certificate").first()
    return readiness_of(setup, now=now)


def readiness_of(setup: SigningSetup | None, *, now: dt.datetime | None = None):
    """The readiness a (possibly missing) signing setup gives, without a query."""
    now = now or timezone.now()
    if setup is None:
        return CertificationReadiness(state="missing")
    days_left = (setup.not_after - now).days
    state: ReadinessState
    if now < setup.not_before:
        state = "not_yet_valid"
    elif now > setup.not_after:
        state = "expired"
    elif setup.not_after - now <= dt.timedelta(days=EXPIRY_WARNING_DAYS):
        state = "expiring"
    else:
        state = "ready"
    return CertificationReadiness(state=state, setup=setup, days_left=days_left)
