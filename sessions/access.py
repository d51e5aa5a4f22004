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
| edit_committee    | secretariat, until the result is certified                          |
| enter_ballots     | a typist: a seat whose member types (every member but the chair, by |
|                   | default; the chair says otherwise when opening the count)           |
| confirm_result    | a seat on the committee                                             |
| chair             | the committee's chair                                               |
| certify           | the committee's chair                                               |
| compare           | the chair, unless a typist whose passes are not both complete       |
| view_log       | leadership and the chair (the record of ballot changes)             |
| view_results      | counting users and leadership; the secretariat once certified; never|
|                   | a typist of a double entry before both passes are complete ("blind")|
| enter_pass(n)     | a typist, in the pass assigned to them if any; with double entry,   |
|                   | never a member who typed in the other pass                          |
| edit_pass(n)      | whoever may enter pass n and typed in it (double entry)             |
| view_pass(n)      | whoever may edit pass n; a chair who types no pass (the overview)   |
| view_scan(n)      | the page images of pass n's scanned ballots: whoever may edit pass  |
|                   | n; whoever may compare (the chair, never a blind typist)            |
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from confidence_vote.lib.db import JoinedText
from sessions import lifecycle
from sessions.errors import DomainError
from sessions.models import (
    CommitteeMember,
    CommitteeRole,
    Membership,
    Organization,
    Role,
    Typing,
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
    "view_log",
    "view_results",
    "compare",
    "edit_committee",
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
    "view_log": _("Only leadership and the committee chair may read the ballot record."),
    "view_results": _("The result is not yours to see yet."),
    "compare": _(
        "The passes can be compared once both are complete, by the chair of the counting committee."
    ),
    "edit_committee": _("The counting committee can change only until the result is certified."),
}

# Roles that may create sessions and see an organization in the list.
MANAGING_ROLES = {Role.SECRETARIAT}

# The ballots app answers two questions about a count (registered at start-up, so that this
# module need not import it: arrows point from ballots to sessions): the passes a user typed
# in, and how many ballots each pass holds.
PassLookup = Callable[[VoteSession, User], set[int]]
EnteredLookup = Callable[[VoteSession], dict[int, int]]
_pass_lookup: PassLookup | None = None
_entered_lookup: EnteredLookup | None = None


def register_pass_lookup(lookup: PassLookup, entered: EnteredLookup) -> None:
    global _pass_lookup, _entered_lookup
    _pass_lookup, _entered_lookup = lookup, entered


@dataclass
class SessionAccess:
    user: User
    session: VoteSession
    roles: frozenset[str]
    # The user's seat on the session's counting committee (counting users only).
    seat_id: int | None = None
    committee_role: str | None = None
    # Which pass the seat types (CommitteeMember.typing), as set when the count opened.
    seat_typing: str = ""
    _passes: set[int] | None = field(default=None, repr=False)
    _entered: dict[int, int] | None = field(default=None, repr=False)

    @classmethod
    def from_facts(
        cls,
        *,
        user: User,
        session: VoteSession,
        roles: Iterable[str],
        seat_id: int | None,
        seat_role: str | None,
        seat_typing: str | None,
        passes_typed: Iterable[int],
    ) -> "SessionAccess":
        """The access object from facts a caller has just read in a query of its own (a ballot
        save reads them in its one snapshot query, under the session's row lock), instead of
        the look-up `access_for` makes: the user's roles in the session's organization, their
        seat on its committee (id, role, typing) and the passes they typed in (ballots, scan
        files). The same rules apply as to a looked-up one (`_lookup`): a seat counts only with
        the counting role. Remembered on the session object as `access_for` remembers its own.
        """
        if not user.is_authenticated:
            roles = ()
        access = cls(user=user, session=session, roles=frozenset(roles))
        if Role.COUNTING in access.roles and seat_id is not None:
            access.seat_id, access.committee_role = seat_id, seat_role
            access.seat_typing = seat_typing or ""
        access._passes = set(passes_typed) if access.seat_id is not None else set()
        cache = session.__dict__.setdefault("_access_by_user", {})
        cache[user.pk if user.is_authenticated else None] = access
        return access

    @classmethod
    def from_row(
        cls, *, user: User, session: VoteSession, passes_typed: Iterable[int]
    ) -> "SessionAccess":
        """`from_facts` for a session read with `access_annotations(user)` as columns."""
        row: Any = session
        return cls.from_facts(
            user=user,
            session=session,
            roles=[role for role in (getattr(row, "access_roles", None) or "").split(",") if role],
            seat_id=getattr(row, "access_seat_id", None),
            seat_role=getattr(row, "access_seat_role", None),
            seat_typing=getattr(row, "access_seat_typing", None),
            passes_typed=passes_typed,
        )

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
    def typing(self) -> str:
        """none, any, 1 or 2: by default every member but the chair types, either pass."""
        if self.seat_id is None:
            return Typing.NONE
        if self.seat_typing:
            return self.seat_typing
        return Typing.NONE if self.is_chair else Typing.ANY

    @property
    def is_typist(self) -> bool:
        """Has typed, or may still type, an entry pass."""
        return self.seat_id is not None and (self.typing != Typing.NONE or bool(self.passes_typed))

    @property
    def assigned_pass(self) -> int | None:
        return int(self.typing) if self.typing in (Typing.FIRST, Typing.SECOND) else None

    @property
    def passes_typed(self) -> set[int]:
        """The entry passes in which this user entered ballots."""
        if self._passes is None:
            if self.seat_id is None or _pass_lookup is None:
                self._passes = set()
            else:
                self._passes = set(_pass_lookup(self.session, self.user))
        return self._passes

    def know_passes_typed(self, passes: set[int]) -> None:
        """The passes typed, when the caller has just read them (a save's snapshot)."""
        self._passes = passes

    @property
    def passes_complete(self) -> bool:
        """Every pass holds as many ballots as were collected (or issued, until then)."""
        expected = self.session.ballots_collected
        if expected is None:
            expected = self.session.ballots_issued
        if not expected or _entered_lookup is None:
            return False
        if self._entered is None:
            self._entered = dict(_entered_lookup(self.session))
        return all(self._entered.get(number, 0) >= expected for number in self.passes())

    @property
    def blind(self) -> bool:
        """A typist of a double entry before both passes are complete: sees nothing of a pass
        they did not type, in any form."""
        return self.session.double_entry and self.is_typist and not self.passes_complete

    # --- capabilities ---------------------------------------------------------------------

    def _rules(self) -> dict[str, Callable[[], bool]]:
        roles, session = self.roles, self.session
        return {
            "view": lambda: bool(roles),
            "manage": lambda: Role.SECRETARIAT in roles,
            "edit_lists": lambda: Role.SECRETARIAT in roles and not lifecycle.lists_locked(session),
            "edit_committee": lambda: (
                Role.SECRETARIAT in roles and not lifecycle.result_final(session)
            ),
            "count": lambda: Role.COUNTING in roles,
            "confirm_result": lambda: self.seat_id is not None,
            "enter_ballots": lambda: self.is_typist,
            "chair": lambda: self.is_chair,
            "certify": lambda: self.is_chair,
            "view_log": lambda: Role.LEADERSHIP in roles or self.is_chair,
            "view_results": lambda: (
                (
                    bool(roles & {Role.COUNTING, Role.LEADERSHIP})
                    or (Role.SECRETARIAT in roles and lifecycle.result_final(session))
                )
                and not self.blind
            ),
            "compare": lambda: self.is_chair and not self.blind,
        }

    @cached_property
    def capabilities(self) -> frozenset[str]:
        """Every capability this user holds in the session."""
        return frozenset(name for name in self._rules() if self.can(name))

    def can(self, capability: str) -> bool:
        """Asked one at a time, so a page pays only for the facts its question needs."""
        cache = self.__dict__.setdefault("_can", {})
        if capability not in cache:
            rule = self._rules().get(capability)
            cache[capability] = bool(rule and rule())
        return cache[capability]

    def require(self, capability: str) -> None:
        """403 unless the user has the capability (views)."""
        if not self.can(capability):
            raise PermissionDenied

    def passes(self) -> list[int]:
        """The entry passes this session has."""
        return [1, 2] if self.session.double_entry else [1]

    def enter_pass(self, entry_pass: int) -> bool:
        """May type ballots in this pass: a typist, in the pass assigned if any; with double
        entry, never in both."""
        return self.refuse_pass(entry_pass) is None

    def edit_pass(self, entry_pass: int) -> bool:
        """May list, correct and void the ballots of this pass: its typist, once typing in it."""
        if not self.enter_pass(entry_pass):
            return False
        return not self.session.double_entry or entry_pass in self.passes_typed

    def view_pass(self, entry_pass: int) -> bool:
        """May see the ballots entered in this pass and its running totals: whoever may edit it,
        and a chair who types no pass (the overview)."""
        if entry_pass not in self.passes():
            return False
        if self.is_chair and not self.is_typist:
            return True
        return self.edit_pass(entry_pass)

    def view_scan(self, entry_pass: int) -> bool:
        """May see the page images of this pass's scanned ballots: its typist (the review of
        held ballots), and whoever compares the passes (a difference beside its paper). A
        blind typist never sees the other pass's images: they may neither edit nor compare."""
        if entry_pass not in self.passes():
            return False
        return self.edit_pass(entry_pass) or self.can("compare")

    def refuse_pass(self, entry_pass: int) -> str | None:
        """Why this user may not type in the pass (a service's domain error), or None."""
        if self.seat_id is None:
            return str(REFUSALS["enter_ballots"])
        if entry_pass not in self.passes():
            return str(_("This session has no entry pass %(pass)s.") % {"pass": entry_pass})
        if not self.is_typist:
            return str(_("You do not type ballots in this count: the chair oversees it."))
        assigned = self.assigned_pass
        if self.session.double_entry and assigned is not None and assigned != entry_pass:
            return str(_("You type pass %(pass)d of this count.") % {"pass": assigned})
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
            seat_id=Subquery(seat.values("pk")[:1]),
            seat_role=Subquery(seat.values("role")[:1]),
            seat_typing=Subquery(seat.values("typing")[:1]),
        )
        .values_list("role", "seat_id", "seat_role", "seat_typing")
    )
    roles = frozenset(row[0] for row in rows)
    access = SessionAccess(user=user, session=session, roles=roles)
    if rows and Role.COUNTING in roles and rows[0][1] is not None:
        access.seat_id, access.committee_role, access.seat_typing = rows[0][1:]
    return access


def access_annotations(user_id: int | None) -> dict[str, Any]:
    """The facts `_lookup` reads (roles in the organization, the committee seat), as columns
    to annotate a VoteSession query with, so that a caller reading the session anyway (a
    ballot save's one snapshot query) needs no query of its own for them; then
    `SessionAccess.from_row`. Nothing for an anonymous user (None: no roles)."""
    if user_id is None:
        return {}
    seat = CommitteeMember.objects.filter(session=OuterRef("pk"), user_id=user_id).order_by()
    roles = (
        Membership.objects.filter(user_id=user_id, organization_id=OuterRef("organization_id"))
        .order_by()
        .values("user")
        .annotate(joined=JoinedText(F("role")))
        .values("joined")[:1]
    )
    return {
        "access_roles": Subquery(roles),
        "access_seat_id": Subquery(seat.values("pk")[:1]),
        "access_seat_role": Subquery(seat.values("role")[:1]),
        "access_seat_typing": Subquery(seat.values("typing")[:1]),
    }


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
    return admit(session, access_for(user=request.user, session=session), need=need)


def admit(session: VoteSession, access: SessionAccess, *, need: Need) -> VoteSession:
    """`get_session_for`'s verdict on a session already read with its access object (e.g.
    `SessionAccess.from_facts`): 404 outside its organization, 403 without `need`."""
    if access.session is not session:
        raise ValueError("the access object belongs to another session object")
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
    request: HttpRequest, pk: int, entry_pass: int, *, mode: Literal["enter", "edit", "view"]
) -> VoteSession:
    """The session, for a committee member who may work in this entry pass: type in it
    ("enter"), correct and void its ballots ("edit"), or read them ("view")."""
    session = get_session_for(request, pk, need="count")
    access = session.access
    allowed = {"enter": access.enter_pass, "edit": access.edit_pass, "view": access.view_pass}
    if not allowed[mode](entry_pass):
        raise PermissionDenied
    return session


# --- an organization's signing key: Django superusers ------------------------------------


def may_manage_signing(user: User) -> bool:
    """Installing an organization's signing certificate or token: Django superusers only."""
    return bool(user.is_authenticated and user.is_superuser)


def get_organization_for_signing(request: HttpRequest, organization_id: int) -> Organization:
    """The organization, for a superuser. Its own members get 403 (they know it exists);
    anyone else 404."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise Http404
    if not may_manage_signing(request.user):
        if (
            request.user.is_authenticated
            and Membership.objects.filter(user=request.user, organization=organization).exists()
        ):
            raise PermissionDenied
        raise Http404
    return organization
