"""Reads that span relations."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from sessions.models import Attendance, VoteSession


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


def sessions_visible_to(user) -> QuerySet[VoteSession]:
    """Sessions of every organization where the user holds any role, with list counts."""
    if not user.is_authenticated:
        return VoteSession.objects.none()
    return (
        VoteSession.objects.filter(
            organization__memberships__user=user,
        )
        .distinct()
        .select_related("organization")
        .annotate(
            official_count=Count("officials", distinct=True),
            delegate_count=Count("delegates", distinct=True),
            present_count=Count(
                "delegates", filter=Q(delegates__attendance=Attendance.PRESENT), distinct=True
            ),
        )
    )
