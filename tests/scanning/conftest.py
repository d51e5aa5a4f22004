"""A counting session's machine-readable ballot paper, rendered once per test, and the
template the reader compares scans with."""

from dataclasses import dataclass

import pytest

from ballots.scanning.layout import BallotLayout
from ballots.scanning.reader import Template, prepare_template
from reports.documents import ballot_layout
from sessions.models import Role
from tests.ballots import make_chair_user, make_counting_session
from tests.factories import make_user


@dataclass
class Paper:
    session: object
    pdf: bytes
    layout: BallotLayout
    template: Template


def make_paper(org, *, officials: int, issued: int = 28) -> Paper:
    session = make_counting_session(org, officials=officials, issued=issued)
    layout, pdf = ballot_layout(session=session)
    return Paper(session, pdf, layout, prepare_template(layout, pdf))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def chair(org):
    return make_chair_user(org)


@pytest.fixture
def typist2(org):
    """A second typist, for pass 2."""
    return make_user("nhap-2", organization=org, roles=[Role.COUNTING])


@pytest.fixture
def counting(org, chair, counting_member, typist2):
    """Counting open with two typists: `counting_member` and `typist2`."""
    return make_counting_session(org, chair=chair, members=[counting_member, typist2])


@pytest.fixture
def paper(org, media):
    """28 officials: two pages."""
    return make_paper(org, officials=28)


@pytest.fixture
def small_paper(org, media):
    """5 officials (the seed case): one page."""
    return make_paper(org, officials=5)
