"""Helpers shared by the ballot tests: a session whose count is open, and ballot entries."""

from ballots.inputs import BallotInput
from sessions.models import CommitteeRole, Role, Typing, VoteSession
from sessions.services.sessions import session_open_counting, session_start_voting
from tests.factories import make_committee_member, make_ready_session, make_user


def make_chair_user(org, username="to-truong"):
    return make_user(username, organization=org, roles=[Role.COUNTING])


def make_counting_session(
    org,
    *,
    chair=None,
    members=(),
    issued=28,
    officials=5,
    double_entry=True,
    chair_types=False,
    convened=31,
    present=28,
) -> VoteSession:
    """The seed case at the point counting opens: 31 convened, 28 present, `issued` ballots.
    `chair_types`: the chair said, when opening the count, that they type too (by default the
    chair oversees and types nothing)."""
    session = make_ready_session(org, officials=officials, convened=convened, present=present)
    session.double_entry = double_entry
    session.save(update_fields=["double_entry"])
    if chair is not None:
        session.committee_members.filter(role=CommitteeRole.CHAIR).update(user=chair)
    if chair_types:
        session.committee_members.filter(role=CommitteeRole.CHAIR).update(typing=Typing.ANY)
    for user in members:
        make_committee_member(session, user=user)
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=issued)
    session.refresh_from_db()
    return session


def marks(*values: str) -> dict[int, str]:
    """{1: values[0], 2: values[1], ...}: marks keyed by the officials' ballot order."""
    return dict(enumerate(values, start=1))


def entry(number=None, *values: str, officials=5, **fields) -> BallotInput:
    """A valid entry: the given marks, or "high" for every official."""
    return BallotInput(number=number, marks=marks(*(values or ("high",) * officials)), **fields)
