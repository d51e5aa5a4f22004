"""A vote session's life: its statuses, the transitions between them, and what each state allows.

This is the one module that reads `VoteSession.status`. Services ask `transition_check` /
`transition_apply` before they change the state, views and the access object ask the named
predicates (`lists_locked`, `counting_open`, ...), templates read `session.state`.

    draft ──start_voting──▶ voting ──open_counting──▶ counting ──close_count──▶ counted
      ▲                       │                          ▲   ▲                     │
      └────────unlock─────────┘                          │   └────reopen_count─────┤
                                                         │                         │ certify
                                                         └──────reopen_result── certified

A session "reopened" is one in counting with `result_version > 1`: its earlier certified
version is superseded and a new one is being counted.

Who may ask for a transition is a capability of the access object (`sessions/access.py`);
conditions beyond the state (a quorum, every ballot entered, every member's confirmation) are
checked by the service named in the table, which raises the domain error with its message.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sessions.errors import DomainError

if TYPE_CHECKING:  # pragma: no cover
    from sessions.models import VoteSession


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VOTING = "voting", _("Voting")
    COUNTING = "counting", _("Counting")
    COUNTED = "counted", _("Counted")
    CERTIFIED = "certified", _("Certified")


INITIAL_STATUS = SessionStatus.DRAFT

# Statuses in which the ballots issued are known (the count has opened at least once).
ISSUED_KNOWN = (SessionStatus.COUNTING, SessionStatus.COUNTED, SessionStatus.CERTIFIED)


def issued_known_condition() -> Q:
    """The database check: once the count has opened, the ballots issued are recorded."""
    return (
        Q(status=SessionStatus.DRAFT)
        | Q(status=SessionStatus.VOTING)
        | Q(ballots_issued__isnull=False)
    )


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    # The capability of the access object needed to ask for it.
    who: str
    # Why it is refused when the session is in another state.
    refused: Promise
    # Where the conditions beyond the state are checked.
    service: str


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "start_voting",
            (SessionStatus.DRAFT,),
            SessionStatus.VOTING,
            who="manage",
            refused=_("Voting has already started for this session."),
            service="sessions.services.sessions.session_start_voting "
            "(officials, quorum, a chair named)",
        ),
        Transition(
            "unlock",
            (SessionStatus.VOTING,),
            SessionStatus.DRAFT,
            who="manage",
            refused=_(
                "Only a session in voting can be unlocked; once counting has opened the lists stay."
            ),
            service="sessions.services.sessions.session_unlock (a reason)",
        ),
        Transition(
            "open_counting",
            (SessionStatus.VOTING,),
            SessionStatus.COUNTING,
            who="chair",
            refused=_("Counting can only open while the session is voting."),
            service="sessions.services.sessions.session_open_counting "
            "(quorum, ballots issued at most the delegates present)",
        ),
        Transition(
            "close_count",
            (SessionStatus.COUNTING,),
            SessionStatus.COUNTED,
            who="chair",
            refused=_("Only a count in progress can be closed."),
            service="ballots.services.count_close (count_close_problems: every collected "
            "ballot entered, the passes alike, or a hand-count sheet that adds up)",
        ),
        Transition(
            "reopen_count",
            (SessionStatus.COUNTED,),
            SessionStatus.COUNTING,
            who="chair",
            refused=_("Only a closed count that is not yet certified can be reopened."),
            service="ballots.services.count_reopen (a reason)",
        ),
        Transition(
            "certify",
            (SessionStatus.COUNTED,),
            SessionStatus.CERTIFIED,
            who="certify",
            refused=_("The result can be confirmed and certified only once the count is closed."),
            service="reports.services.result_certify (every member confirmed this fingerprint)",
        ),
        Transition(
            "reopen_result",
            (SessionStatus.CERTIFIED,),
            SessionStatus.COUNTING,
            who="chair",
            refused=_("Only a certified result can be reopened."),
            service="reports.services.result_reopen (a reason; a new result version)",
        ),
    ]
}


def transition_allowed(session: "VoteSession", name: str) -> bool:
    return session.status in TRANSITIONS[name].sources


def transition_check(session: "VoteSession", name: str) -> None:
    """Raise the transition's domain error unless the session's state allows it."""
    if not transition_allowed(session, name):
        raise DomainError(TRANSITIONS[name].refused)


def transition_apply(session: "VoteSession", name: str) -> list[str]:
    """Move the (locked) session along the transition; returns the fields to save."""
    transition_check(session, name)
    session.status = TRANSITIONS[name].target
    return ["status", "updated_at"]


# --- what each state allows -----------------------------------------------------------------


def is_draft(session: "VoteSession") -> bool:
    return session.status == SessionStatus.DRAFT


def is_voting(session: "VoteSession") -> bool:
    return session.status == SessionStatus.VOTING


def lists_locked(session: "VoteSession") -> bool:
    """Officials, delegates, attendance and the committee change only in draft."""
    return session.status != SessionStatus.DRAFT


def counting_open(session: "VoteSession") -> bool:
    """Ballots may be entered, corrected and voided; hand counts recorded."""
    return session.status == SessionStatus.COUNTING


def count_closed(session: "VoteSession") -> bool:
    """The count is closed (counted, or certified on top of that)."""
    return session.status in (SessionStatus.COUNTED, SessionStatus.CERTIFIED)


def awaiting_certification(session: "VoteSession") -> bool:
    """The count is closed and the result not yet certified: members confirm, the chair
    certifies."""
    return session.status == SessionStatus.COUNTED


def result_final(session: "VoteSession") -> bool:
    """The result is certified: its documents are signed and stored."""
    return session.status == SessionStatus.CERTIFIED


def reopened(session: "VoteSession") -> bool:
    """A certified result was reopened and a new version is being counted."""
    return session.result_version > 1 and not result_final(session)


def details_editable(session: "VoteSession") -> bool:
    """The session's own details (title, venue, ...) change until the count closes."""
    return not count_closed(session)


def profile_editable(session: "VoteSession") -> bool:
    return not lists_locked(session)


def double_entry_editable(session: "VoteSession") -> bool:
    """Double entry is fixed once counting opens."""
    return session.status in (SessionStatus.DRAFT, SessionStatus.VOTING)


def ballots_issued_known(session: "VoteSession") -> bool:
    return session.status in ISSUED_KNOWN


def ballots_refused(session: "VoteSession") -> Promise | None:
    """Why ballots cannot be entered, corrected or voided now; None while counting."""
    if counting_open(session):
        return None
    if count_closed(session):
        return _("The count is closed: ballots can no longer change.")
    return _("Counting has not opened for this session.")


def require_counting_open(session: "VoteSession") -> None:
    refused = ballots_refused(session)
    if refused is not None:
        raise DomainError(refused)


def signoff_open(session: "VoteSession") -> bool:
    """The sign-off page has something to show: a closed count or a certified result."""
    return count_closed(session)


# How the status shows as a badge.
BADGES = {
    SessionStatus.DRAFT: "text-bg-secondary",
    SessionStatus.VOTING: "text-bg-primary",
    SessionStatus.COUNTING: "text-bg-warning",
    SessionStatus.COUNTED: "text-bg-success",
    SessionStatus.CERTIFIED: "text-bg-success",
}


class State:
    """The predicates above for templates: `{% if session.state.counting_open %}`."""

    def __init__(self, session: "VoteSession"):
        self._session = session

    @property
    def badge(self) -> str:
        return BADGES[SessionStatus(self._session.status)]

    def __getattr__(self, name: str) -> bool:
        predicate = PREDICATES.get(name)
        if predicate is None:
            raise AttributeError(name)
        return predicate(self._session)


PREDICATES = {
    function.__name__: function
    for function in [
        is_draft,
        is_voting,
        lists_locked,
        counting_open,
        count_closed,
        awaiting_certification,
        result_final,
        reopened,
        details_editable,
        profile_editable,
        double_entry_editable,
        ballots_issued_known,
        signoff_open,
    ]
}
