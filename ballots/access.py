"""Who may open which entry pass: the access helper for ballot pages.

It builds on `sessions.access.get_session_for(need="enter_ballots")` (a seat on
the session's counting committee) and adds blind double entry: whoever entered
ballots in one pass sees nothing of the other, and a member who has entered
nothing yet sees no entries of either pass (so nobody can read a pass before
typing their own).
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ballots.models import EntryPass
from ballots.selectors import passes_entered_by
from sessions.access import get_session_for
from sessions.models import VoteSession


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
