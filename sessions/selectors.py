"""Reads that span relations."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from sessions.access import NEEDS
from sessions.models import Attendance, Delegate, Membership, Official, VoteSession


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


def sessions_visible_to(user) -> QuerySet[VoteSession]:
    """Sessions of every organization where the user holds any role, with list counts.

    Each count is a subquery on that session's rows (not a join of every official with every
    delegate), so a page of the list costs the same whatever the history."""
    if not user.is_authenticated:
        return VoteSession.objects.none()
    organizations = Membership.objects.filter(user=user, role__in=NEEDS["view"]).values(
        "organization_id"
    )
    return (
        VoteSession.objects.filter(organization_id__in=organizations)
        .select_related("organization")
        .annotate(
            official_count=_count_of(Official.objects.all()),
            delegate_count=_count_of(Delegate.objects.all()),
            present_count=_count_of(Delegate.objects.filter(attendance=Attendance.PRESENT)),
        )
    )
