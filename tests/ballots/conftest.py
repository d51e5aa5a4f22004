"""Fixtures shared by the ballot tests: the committee chair and a session whose count is open."""

import pytest

from tests.ballots import make_chair_user, make_counting_session


@pytest.fixture
def chair(org):
    """A counting user who holds the chair's seat on `counting`'s committee."""
    return make_chair_user(org)


@pytest.fixture
def counting(org, chair, counting_member):
    """The seed case with counting open: 28 ballots issued, `counting_member` on the committee."""
    return make_counting_session(org, chair=chair, members=[counting_member])


@pytest.fixture
def chair_types(counting):
    """The chair said, when opening the count, that they type ballots too."""
    counting.committee_members.filter(role="chair").update(typing="any")
