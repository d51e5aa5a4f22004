"""The one answer to "who may see or do what" in a session: the access object.

Every view that touches a session calls `get_session_for(request, pk, need=...)` first. A user
with no role in the session's organization gets 404 (the session's existence is not revealed);
a member without the needed capability gets 403. The session comes back with `session.access`,
a `SessionAccess` whose capabilities views, services, templates and the navigation read;
nothing else derives a role from memberships or committee seats. Services ask
`require(user=..., session=..., capability=...)`, which raises the domain error instead.

Capabilities combine the user's organization roles, their seat on the session's counting
committee, the passes they typed and, where a right depends on it, the session's state (asked of
`sessions/lifecycle.py`, never compared here by hand).

| capability        | who                                                                 |
|-------------------|---------------------------------------------------------------------|
| view              | any role in the organization                                        |
| manage            | secretariat                                                         |
| edit_lists        | secretariat, while the lists are not locked                         |
| count             | a counting user (the count's dashboard, read-only off the committee)|
| enter_ballots     | a seat on this session's counting committee                         |
| confirm_result    | a seat on the committee                                             |
| chair             | the committee's chair                                               |
| certify           | the committee's chair                                               |
| view_record       | leadership and the chair (the record of ballot changes)             |
| view_results      | counting users and leadership; the secretariat once certified       |
| view_pass(n)      | a seat; with double entry, only the member who typed in pass n      |
| enter_pass(n)     | a seat; with double entry, not a member who typed in the other pass |
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from sessions import lifecycle
from sessions.errors import DomainError
from sessions.models import (
    CommitteeMember,
    CommitteeRole,
    Membership,
    Organization,
    Role,
    VoteSession,
)

if TYPE_CHECKING:
    # django-stubs' placeholders, which its plugin reads as the AUTH_USER_MODEL (Account) and
    # as request.user's type, that model or anonymous (User).
    from django.contrib.auth.models import _AnyUser as User
    from django.contrib.auth.models import _User as Account
else:
    Account = AbstractBaseUser
    User = AbstractBaseUser | AnonymousUser

Capability = Literal[
    "view",
    "manage",
    "edit_lists",
    "count",
    "enter_ballots",
    "confirm_result",
    "chair",
    "certify",
    "view_record",
    "view_results",
]
# `need` of get_session_for: any capability.
Need = Capability

# Why a service refuses: the domain error's message per capability.
REFUSALS: dict[str, object] = {
    "view": _("You have no role in this session's organization."),
    "manage": _("Only the secretariat may do this."),
    "edit_lists": _("Voting has started: the lists are locked. Unlock them first, with a reason."),
    "count": _("Only the counting committee may do this."),
    "enter_ballots": _("Only members of this session's counting committee may do this."),
    "confirm_result": _("Only members of this session's counting committee may do this."),
    "chair": _("Only the chair of the counting committee may do this."),
    "certify": _("Only the chair of the counting committee may do this."),
    "view_record": _("Only leadership and the committee chair may read the ballot record."),
    "view_results": _("The result is not yours to see yet."),
}

# Roles that may create sessions and see an organization in the list.
MANAGING_ROLES = {Role.SECRETARIAT}

# The passes a user typed in a session: the ballots app answers (registered at start-up, so
# that this module need not import it: arrows point from ballots to sessions).
PassLookup = Callable[[VoteSession, User], set[int]]
_pass_lookup: PassLookup | None = None


def register_pass_lookup(lookup: PassLookup) -> None:
    global _pass_lookup
    _pass_lookup = lookup


@dataclass
class SessionAccess:
    user: User
    session: VoteSession
    roles: frozenset[str]
    # The user's seat on the session's counting committee (counting users only).
    seat_id: int | None = None
    committee_role: str | None = None
    _passes: set[int] | None = field(default=None, repr=False)

    # --- facts --------------------------------------------------------------------------

    @cached_property
    def seat(self) -> CommitteeMember | None:
        if self.seat_id is None:
            return None
        return CommitteeMember.objects.get(pk=self.seat_id)

    @property
    def is_chair(self) -> bool:
        return self.committee_role == CommitteeRole.CHAIR

    @property
    def passes_typed(self) -> set[int]:
        """The entry passes in which this user entered ballots."""
        if self._passes is None:
            if self.seat_id is None or _pass_lookup is None:
                self._passes = set()
            else:
                self._passes = set(_pass_lookup(self.session, self.user))
        return self._passes

    # --- capabilities ---------------------------------------------------------------------

    @cached_property
    def capabilities(self) -> frozenset[str]:
        roles, session = self.roles, self.session
        caps: set[str] = set()
        if roles:
            caps.add("view")
        if Role.SECRETARIAT in roles:
            caps.add("manage")
            if not lifecycle.lists_locked(session):
                caps.add("edit_lists")
        if Role.COUNTING in roles:
            caps.add("count")
        if self.seat_id is not None:
            caps |= {"enter_ballots", "confirm_result"}
        if self.is_chair:
            caps |= {"chair", "certify"}
        if Role.LEADERSHIP in roles or self.is_chair:
            caps.add("view_record")
        if roles & {Role.COUNTING, Role.LEADERSHIP} or (
            Role.SECRETARIAT in roles and lifecycle.result_final(session)
        ):
            caps.add("view_results")
        return frozenset(caps)

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    def require(self, capability: str) -> None:
        """403 unless the user has the capability (views)."""
        if not self.can(capability):
            raise PermissionDenied

    def passes(self) -> list[int]:
        """The entry passes this session has."""
        return [1, 2] if self.session.double_entry else [1]

    def enter_pass(self, entry_pass: int) -> bool:
        """May type ballots in this pass: with double entry, never in both."""
        if self.seat_id is None or entry_pass not in self.passes():
            return False
        if not self.session.double_entry:
            return True
        return not (self.passes_typed - {entry_pass})

    def view_pass(self, entry_pass: int) -> bool:
        """May see the ballots entered in this pass: with double entry, only after typing in it
        (so nobody reads a pass before typing their own)."""
        if not self.enter_pass(entry_pass):
            return False
        return not self.session.double_entry or entry_pass in self.passes_typed

    def refuse_pass(self, entry_pass: int) -> str | None:
        """Why this user may not type in the pass, for a service's domain error."""
        if self.seat_id is None:
            return str(REFUSALS["enter_ballots"])
        other = self.passes_typed - {entry_pass}
        if self.session.double_entry and other:
            return str(
                _(
                    "You entered ballots in pass %(other)d; with double entry each member enters "
                    "one pass only, so that the two passes stay independent."
                )
                % {"other": min(other)}
            )
        return None

    def may(self, transition: str) -> bool:
        """May ask for this transition of the session's life now: the capability it needs,
        and a state it starts from."""
        return self.can(lifecycle.TRANSITIONS[transition].who) and lifecycle.transition_allowed(
            self.session, transition
        )

    # --- for templates: {% if session.access.manage %}, {% if session.access.may_unlock %} --

    def __getitem__(self, name: str) -> bool:
        if name in REFUSALS:
            return self.can(name)
        if name.startswith("may_") and name[4:] in lifecycle.TRANSITIONS:
            return self.may(name[4:])
        raise KeyError(name)


def _lookup(user: User, session: VoteSession) -> SessionAccess:
    """Roles in the organization and the committee seat, in one query."""
    if not user.is_authenticated:
        return SessionAccess(user=user, session=session, roles=frozenset())
    seat = CommitteeMember.objects.filter(session=session, user=user)
    rows = list(
        Membership.objects.filter(user=user, organization_id=session.organization_id)
        .annotate(
            seat_id=Subquery(seat.values("pk")[:1]), seat_role=Subquery(seat.values("role")[:1])
        )
        .values_list("role", "seat_id", "seat_role")
    )
    roles = frozenset(role for role, _seat, _seat_role in rows)
    access = SessionAccess(user=user, session=session, roles=roles)
    if rows and Role.COUNTING in roles:
        access.seat_id, access.committee_role = rows[0][1], rows[0][2]
    return access


def access_for(*, user: User, session: VoteSession) -> SessionAccess:
    """The user's access to this session object, looked up once per object (a service re-reads
    the session under its row lock, so each service call asks afresh)."""
    cache = session.__dict__.setdefault("_access_by_user", {})
    key = user.pk if user.is_authenticated else None
    if key not in cache:
        cache[key] = _lookup(user, session)
    return cache[key]


def get_session_for(request: HttpRequest, pk: int, *, need: Need) -> VoteSession:
    """The session with `session.access`; 404 outside its organization, 403 without `need`."""
    session = VoteSession.objects.select_related("organization").filter(pk=pk).first()
    if session is None:
        raise Http404
    access = access_for(user=request.user, session=session)
    if not access.roles:
        raise Http404
    access.require(need)
    session.access = access
    return session


def require(*, user: User | None, session: VoteSession, capability: Capability) -> SessionAccess:
    """For services: the domain error unless the user has the capability in the session."""
    access = access_for(user=user if user is not None else AnonymousUser(), session=session)
    if not access.can(capability):
        raise DomainError(REFUSALS[capability])
    return access


def committee_accounts(*, organization_id: int):
    """Accounts that may sit on a counting committee: those holding the counting role."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__organization_id=organization_id, memberships__role=Role.COUNTING
        )
        .distinct()
    )


def organizations_for(user: User, *, need: Literal["manage", "view"]) -> QuerySet[Organization]:
    """Organizations where the user holds a role that satisfies `need`."""
    if not user.is_authenticated:
        return Organization.objects.none()
    # One filter() call: both conditions on the same membership row.
    if need == "manage":
        memberships = {"memberships__user": user, "memberships__role__in": MANAGING_ROLES}
    else:
        memberships = {"memberships__user": user}
    return Organization.objects.filter(**memberships).distinct()


def get_pass_for(
    request: HttpRequest, pk: int, entry_pass: int, *, see_entries: bool
) -> VoteSession:
    """The session, for a committee member who may type in this entry pass. `see_entries`: the
    page shows the pass's ballots (a list, one ballot), so the member must be able to see them."""
    session = get_session_for(request, pk, need="enter_ballots")
    access = session.access
    allowed = access.view_pass(entry_pass) if see_entries else access.enter_pass(entry_pass)
    if not allowed:
        raise PermissionDenied
    return session
