"""The chair compares a difference between the passes beside the scanned paper: the page
images of a scanned side, on the comparison and on the resolve page, served by the
access-checked image view only to whom may compare or type that pass; a blind typist never
gets the other pass's images."""

import re

import pytest
from django.utils import translation

from ballots.services import ballot_record
from tests.ballots import entry, make_chair_user, make_counting_session
from tests.scanning.held import make_held


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def scanned(counting, media, counting_member, typist2):
    """Pass 1 scanned (by counting_member): ballot 1 read and saved, ballot 2 held for review.
    Pass 2 typed (ballot 1 read differently) and one ballot of pass 2 scanned too (number 3).
    """
    one = ballot_record(
        user=counting_member,
        session=counting,
        entry_pass=1,
        entry=entry(1, "high", "medium", "high", "high", "low"),
    )
    make_held(counting, number=1, ballot=one, sha="1" * 64, imported_by=counting_member)
    make_held(counting, number=2, sha="2" * 64, imported_by=counting_member)
    ballot_record(user=typist2, session=counting, entry_pass=2, entry=entry(1))
    ballot_record(user=typist2, session=counting, entry_pass=2, entry=entry(2))
    three = ballot_record(user=typist2, session=counting, entry_pass=2, entry=entry(3))
    make_held(counting, entry_pass=2, number=3, ballot=three, sha="3" * 64, imported_by=typist2)
    return counting


def image_url(session, entry_pass, number, page=1):
    return f"/sessions/{session.pk}/count/pass/{entry_pass}/held/{number}/page-{page}.png"


def sections(body):
    found = re.findall(r'data-testid="difference" data-number="(\d+)">(.*?)</section>', body, re.S)
    return {int(number): html for number, html in found}


def test_the_compare_page_shows_the_scans_of_each_difference(login, scanned, chair):
    response = login(chair).get(f"/sessions/{scanned.pk}/count/compare/")
    assert response.status_code == 200
    shown = sections(response.content.decode())
    assert sorted(shown) == [1, 2, 3]
    # Ballot 1: pass 1 was scanned and saved, pass 2 typed: pass 1's page beside the difference.
    assert f'src="{image_url(scanned, 1, 1)}"' in shown[1]
    assert "Pass 1: scan of ballot 1" in shown[1]
    assert "held for review" not in shown[1]
    assert image_url(scanned, 2, 1) not in shown[1]
    # Ballot 2: pass 1 holds its scan for review (not entered there yet).
    assert f'src="{image_url(scanned, 1, 2)}"' in shown[2]
    assert "held for review" in shown[2]
    # Ballot 3: missing from pass 1, scanned in pass 2.
    assert f'src="{image_url(scanned, 2, 3)}"' in shown[3]


def test_the_resolve_page_shows_the_scan(login, scanned, chair):
    body = login(chair).get(f"/sessions/{scanned.pk}/count/compare/1/").content.decode()
    assert f'src="{image_url(scanned, 1, 1)}"' in body
    assert "scan-page-large" in body


def test_a_difference_of_two_typed_passes_shows_no_scan(
    login, counting, chair, media, counting_member, typist2
):
    low = entry(1, *["low"] * 5)
    ballot_record(user=counting_member, session=counting, entry_pass=1, entry=low)
    ballot_record(user=typist2, session=counting, entry_pass=2, entry=entry(1))
    body = login(chair).get(f"/sessions/{counting.pk}/count/compare/").content.decode()
    assert 'data-testid="difference-scans"' not in body


def test_the_chair_gets_the_images_of_both_passes(login, scanned, chair):
    client = login(chair)
    for entry_pass, number in ((1, 1), (1, 2), (2, 3)):
        response = client.get(image_url(scanned, entry_pass, number))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, no-store"


def test_a_typist_gets_the_images_of_their_pass_only(login, scanned, counting_member, typist2):
    """Blind double entry: neither typist may see a page of the other pass."""
    first = login(counting_member)
    assert first.get(image_url(scanned, 1, 1)).status_code == 200
    assert first.get(image_url(scanned, 2, 3)).status_code == 403
    second = login(typist2)
    assert second.get(image_url(scanned, 2, 3)).status_code == 200
    assert second.get(image_url(scanned, 1, 1)).status_code == 403
    assert second.get(image_url(scanned, 1, 2)).status_code == 403
    # Nor the comparison that would show them.
    assert second.get(f"/sessions/{scanned.pk}/count/compare/").status_code == 403


def test_a_chair_who_types_is_blind_to_the_other_pass(login, org, media, typist2):
    """The chair said they type: before both passes are complete they may not compare, and
    get no image of a pass they did not type."""
    chair = make_chair_user(org, username="to-truong-nhap")
    session = make_counting_session(org, chair=chair, members=[typist2], chair_types=True)
    mine = ballot_record(user=chair, session=session, entry_pass=1, entry=entry(1))
    make_held(session, number=1, ballot=mine, sha="4" * 64, imported_by=chair)
    theirs = ballot_record(user=typist2, session=session, entry_pass=2, entry=entry(1))
    make_held(session, entry_pass=2, number=1, ballot=theirs, sha="5" * 64, imported_by=typist2)
    client = login(chair)
    assert client.get(f"/sessions/{session.pk}/count/compare/").status_code == 403
    assert client.get(image_url(session, 2, 1)).status_code == 403
    assert client.get(image_url(session, 1, 1)).status_code == 200


@pytest.mark.parametrize("who", ["secretariat", "leader"])
def test_no_image_for_who_neither_types_nor_compares(login, scanned, who, request):
    client = login(request.getfixturevalue(who))
    assert client.get(image_url(scanned, 1, 1)).status_code == 403
    assert client.get(image_url(scanned, 2, 3)).status_code == 403


def test_another_organization_gets_404(login, scanned, outsider):
    assert login(outsider).get(image_url(scanned, 1, 1)).status_code == 404


def test_a_pass_the_session_does_not_have_is_refused(login, org, chair, media):
    session = make_counting_session(org, chair=chair, double_entry=False)
    assert login(chair).get(image_url(session, 2, 1)).status_code == 403
