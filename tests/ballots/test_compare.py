"""The chair's comparison of the two passes: every difference side by side."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ballots.inputs import BallotInput
from ballots.services import ballots_import
from sessions.models import Role, SessionStatus, VoteSession
from tests.ballots import entry, make_counting_session
from tests.factories import make_user


def url(session):
    return f"/sessions/{session.pk}/count/compare/"


def pile(count, start=1):
    return [entry(n) for n in range(start, start + count)]


def sections(body):
    """{ballot number: section html} for each difference shown."""
    found = re.findall(r'data-testid="difference" data-number="(\d+)">(.*?)</section>', body, re.S)
    return {int(number): html for number, html in found}


def cells(row_html):
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)
    ]


def test_differences_side_by_side(login, counting, chair):
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(4))
    ballots_import(
        user=None,
        session=counting,
        entry_pass=2,
        rows=[
            entry(1),
            entry(2, "high", "low", "high", "high", "several"),
            BallotInput(number=3, invalid_reason="name_crossed_out"),
        ],
    )
    response = login(chair).get(url(counting))
    assert response.status_code == 200
    shown = sections(response.content.decode())
    assert sorted(shown) == [2, 3, 4]
    # Ballot 2: two officials differ, highlighted; the others read alike.
    rows = re.findall(
        r'<tr class="table-danger" data-testid="difference-row">(.*?)</tr>', shown[2], re.S
    )
    assert [cells(row) for row in rows] == [
        ["2", "Trần Văn Cán 2", "High confidence", "Low confidence"],
        ["5", "Trần Văn Cán 5", "High confidence", "Several boxes ticked"],
    ]
    assert 'data-testid="difference-whole"' not in shown[2]
    # Ballot 3: invalid as a whole in pass 2, with the reason.
    whole = re.search(r'data-testid="difference-whole">(.*?)</tr>', shown[3], re.S).group(1)
    assert cells(whole) == ["Whole ballot", "Valid", "Invalid: A printed name crossed out"]
    # Ballot 4: not entered in pass 2.
    whole = re.search(r'data-testid="difference-whole">(.*?)</tr>', shown[4], re.S).group(1)
    assert cells(whole) == ["Whole ballot", "Valid", "Not entered in this pass"]
    for number in (2, 3, 4):
        assert f'href="/sessions/{counting.pk}/count/compare/{number}/"' in shown[number]


def test_passes_that_agree(login, counting, chair):
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(3))
    ballots_import(user=None, session=counting, entry_pass=2, rows=pile(3))
    body = login(chair).get(url(counting)).content.decode()
    assert 'data-testid="compare-agree"' in body
    assert "The two passes agree" in body
    assert sections(body) == {}


def test_single_entry(login, org, chair):
    session = make_counting_session(org, chair=chair, double_entry=False)
    ballots_import(user=None, session=session, entry_pass=1, rows=pile(2))
    body = login(chair).get(url(session)).content.decode()
    assert 'data-testid="compare-single-entry"' in body
    assert sections(body) == {}


def test_closed_count_shows_no_resolve_links(login, counting, chair):
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(1))
    VoteSession.objects.filter(pk=counting.pk).update(
        status=SessionStatus.COUNTED, ballots_collected=1
    )
    body = login(chair).get(url(counting)).content.decode()
    assert sorted(sections(body)) == [1]
    assert 'data-testid="resolve-link"' not in body


def test_permissions(login, org, counting, counting_member, secretariat, leader, outsider, chair):
    bystander = make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    anonymous = login(None).get(url(counting))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert login(outsider).get(url(counting)).status_code == 404
    for user in (secretariat, leader, counting_member, bystander):
        assert login(user).get(url(counting)).status_code == 403
    assert login(chair).post(url(counting)).status_code == 405


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_differences(login, counting, chair):
    VoteSession.objects.filter(pk=counting.pk).update(ballots_issued=40)
    client = login(chair)
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(5))
    ballots_import(
        user=None,
        session=counting,
        entry_pass=2,
        rows=[entry(n, "low", "high", "high", "high", "high") for n in range(1, 6)],
    )
    few = _queries(client, url(counting))
    ballots_import(user=None, session=counting, entry_pass=1, rows=pile(35, start=6))
    ballots_import(
        user=None,
        session=counting,
        entry_pass=2,
        rows=[BallotInput(number=n, invalid_reason="not_issued") for n in range(6, 41)],
    )
    # Ten differences a page (each shows a row per official); the count names all 40.
    body = client.get(url(counting)).content.decode()
    assert len(sections(body)) == 10
    assert "The passes differ on 40 ballots." in body
    assert len(sections(client.get(url(counting) + "?page=4").content.decode())) == 10
    many = _queries(client, url(counting))
    assert few == many
    assert many <= 12
