"""Who may open which entry pass: the access helper for ballot pages.

It builds on `sessions.access.get_session_for(need="enter_ballots")` (a seat on
the session's counting committee) and adds blind double entry: whoever entered
ballots in one pass sees nothing of the other, and a member who has entered
nothing yet sees no entries of either pass (so nobody can read a pass before
typing their own).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from ballots.models import EntryPass
from ballots.selectors import EntrySnapshot, entry_snapshot, passes_entered_by
from sessions.access import NEEDS, get_session_for
from sessions.models import Role, VoteSession


def check_pass(*, session: VoteSession, user, entry_pass: int, see_entries: bool) -> bool:
    """Raise PermissionDenied when the pass is closed to the user; return whether the user
    may see the entries already made in it."""
    if entry_pass not in EntryPass.values:
        raise PermissionDenied
    if not session.double_entry:
        if entry_pass != EntryPass.FIRST:
            raise PermissionDenied
        return True
    mine = passes_entered_by(session=session, user=user)
    if mine - {entry_pass}:
        raise PermissionDenied
    sees = entry_pass in mine
    if see_entries and not sees:
        raise PermissionDenied
    return sees


def get_pass_for(
    request: HttpRequest, pk: int, entry_pass: int, *, see_entries: bool
) -> VoteSession:
    """The session, for a committee member who may work in this pass. `see_entries`: the page
    shows the pass's ballots (a list, one ballot), so the member must have entered in it."""
    session = get_session_for(request, pk, need="enter_ballots")
    session.sees_pass_entries = check_pass(
        session=session, user=request.user, entry_pass=entry_pass, see_entries=see_entries
    )
    return session


def lock_pass_for_entry(
    request: HttpRequest, pk: int, entry_pass: int, *, client_token=None
) -> EntrySnapshot:
    """The entry screen's save: the access check and the save's facts in one query, after the
    session's row lock (`entry_snapshot(lock=True)`; call it inside the save's transaction).

    The rules are those of `get_session_for(request, pk, need="enter_ballots")`, read from
    the same query: no such session, or no role in its organization: 404; no counting role,
    or no seat on the session's committee: 403. Whether the user may write in this pass
    (blind double entry) is the service's rule, as before.
    """
    snapshot = entry_snapshot(
        session_pk=pk, user=request.user, entry_pass=entry_pass, client_token=client_token
    )
    if snapshot is None or not snapshot.roles:
        raise Http404
    if not snapshot.roles & NEEDS["enter_ballots"]:
        raise PermissionDenied
    if snapshot.committee_role is None:
        raise PermissionDenied
    session = snapshot.session
    session.viewer_roles = snapshot.roles
    session.viewer_can_manage = Role.SECRETARIAT in snapshot.roles
    session.viewer_committee_role = snapshot.committee_role
    return snapshot


def sees_pass_totals(snapshot: EntrySnapshot) -> bool:
    """Whether the save's answer may carry the pass's running counts: the rule of `check_pass`
    (single entry: yes; double entry: once the user has typed in this pass)."""
    return not snapshot.session.double_entry or snapshot.entry_pass in snapshot.passes_entered
