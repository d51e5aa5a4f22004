"""The one place that decides who may see or change a session.

Every view that touches a session calls `get_session_for` first. A user with
no role in the session's organization gets 404 (the session's existence is
not revealed); a member without the needed role gets 403.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from sessions.models import (
    CommitteeMember,
    CommitteeRole,
    Membership,
    Organization,
    Role,
    SessionStatus,
    VoteSession,
)

Need = Literal["view", "manage", "count", "enter_ballots", "chair", "ballot_record", "results"]

# Which organization roles satisfy each need.
NEEDS: dict[str, set[str]] = {
    "view": {Role.SECRETARIAT, Role.COUNTING, Role.LEADERSHIP},
    "manage": {Role.SECRETARIAT},
    # The count's page, read-only for counting users who are not on this session's committee.
    "count": {Role.COUNTING},
    # Entering ballots: a counting user who sits on this session's committee.
    "enter_ballots": {Role.COUNTING},
    # Opening, closing, reopening the count; resolving differences: the committee chair.
    "chair": {Role.COUNTING},
    # The record of ballot changes: the committee chair and leadership.
    "ballot_record": {Role.COUNTING, Role.LEADERSHIP},
    # Results (tally, minutes, report): the counting committee and leadership; the
    # secretariat too once the result is certified.
    "results": {Role.COUNTING, Role.LEADERSHIP, Role.SECRETARIAT},
}


def roles_in(user, organization_id: int) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, organization_id=organization_id).values_list(
            "role", flat=True
        )
    )


def get_session_for(request: HttpRequest, pk: int, *, need: Need) -> VoteSession:
    session = VoteSession.objects.select_related("organization").filter(pk=pk).first()
    if session is None:
        raise Http404
    roles = roles_in(request.user, session.organization_id)
    if not roles:
        raise Http404
    if not roles & NEEDS[need]:
        raise PermissionDenied
    if (
        need == "results"
        and not roles & {Role.COUNTING, Role.LEADERSHIP}
        and session.status != SessionStatus.CERTIFIED
    ):
        raise PermissionDenied
    committee_role = committee_role_of(request.user, session) if Role.COUNTING in roles else None
    if need == "enter_ballots" and committee_role is None:
        raise PermissionDenied
    if need == "chair" and committee_role != CommitteeRole.CHAIR:
        raise PermissionDenied
    if (
        need == "ballot_record"
        and Role.LEADERSHIP not in roles
        and committee_role != CommitteeRole.CHAIR
    ):
        raise PermissionDenied
    # The caller's roles, for templates that show or hide actions.
    session.viewer_roles = roles
    session.viewer_can_manage = Role.SECRETARIAT in roles
    session.viewer_committee_role = committee_role
    return session


def committee_role_of(user, session: VoteSession) -> str | None:
    """ "chair" or "member" when the user sits on this session's counting committee."""
    if not user.is_authenticated:
        return None
    return (
        CommitteeMember.objects.filter(session=session, user=user)
        .values_list("role", flat=True)
        .first()
    )


def organizations_for(user, *, need: Need) -> QuerySet[Organization]:
    """Organizations where the user holds a role that satisfies `need`."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user, memberships__role__in=NEEDS[need]
    ).distinct()
