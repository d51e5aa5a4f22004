"""The one place that decides who may see or change a session.

Every view that touches a session calls `get_session_for` first. A user with
no role in the session's organization gets 404 (the session's existence is
not revealed); a member without the needed role gets 403.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from sessions.models import Membership, Organization, Role, VoteSession

Need = Literal["view", "manage"]

# Which roles satisfy each need.
NEEDS: dict[str, set[str]] = {
    "view": {Role.SECRETARIAT, Role.COUNTING, Role.LEADERSHIP},
    "manage": {Role.SECRETARIAT},
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
    # The caller's roles, for templates that show or hide actions.
    session.viewer_roles = roles
    session.viewer_can_manage = Role.SECRETARIAT in roles
    return session


def organizations_for(user, *, need: Need) -> QuerySet[Organization]:
    """Organizations where the user holds a role that satisfies `need`."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user, memberships__role__in=NEEDS[need]
    ).distinct()
