"""Query counts that must not grow with the ballots: a ballot save and every page of a counting
session, each measured on a session of 5 ballots and one of 60 (both passes entered, pass 2
differing on a few), must make the same number of queries, and no more than the limit below.

Timings are the benches' business (bench/pages.py, bench/ballot_entry.py), never a test's.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ballots.inputs import BallotInput
from ballots.services import ballots_import, count_record_collected
from sessions.models import Role, VoteSession
from tests.ballots import make_chair_user, make_counting_session
from tests.factories import make_user

SMALL, LARGE = 5, 60
OFFICIALS = 5
# Pass 2 reads these numbers differently (the chair's compare page has something to show).
DIFFERENT = (2, 4)

# (role, page name, url name, arguments after the session's pk): the limit is the most queries
# the page may make (the login session, which loads the user with it, included).
PAGES = [
    ("secretariat", "session_list", "vote_sessions:list", None, 5),
    ("secretariat", "session_detail", "vote_sessions:detail", (), 8),  # and the signing readiness
    ("secretariat", "history", "vote_sessions:history", (), 8),
    ("secretariat", "officials", "vote_sessions:officials", (), 5),
    ("secretariat", "delegates", "vote_sessions:delegates", (), 5),
    ("secretariat", "attendance", "vote_sessions:attendance", (), 6),
    ("secretariat", "committee", "vote_sessions:committee", (), 7),  # and the delegates counted
    ("chair", "history", "vote_sessions:history", (), 8),
    ("chair", "count", "ballots:count", (), 9),
    # and the scanned ballots among the differences shown (their page images)
    ("chair", "compare", "ballots:compare", (), 10),
    ("chair", "resolve", "ballots:resolve", (DIFFERENT[0],), 8),
    ("chair", "tally_sheet", "ballots:hand_count", (), 9),
    ("chair", "record", "ballots:count_log", (), 8),
    # The results page reads pass 1's running totals and checks them against the ballots and
    # the number of their marks, instead of grouping every mark.
    ("chair", "results", "reports:results", (), 8),
    ("chair", "signoff", "reports:signoff", (), 8),
    ("member1", "count", "ballots:count", (), 10),
    ("member1", "entry", "ballots:entry", (1,), 10),
    ("member1", "ballot_list", "ballots:ballot_list", (1,), 10),
    ("member1", "ballot_edit", "ballots:ballot_edit", (1, 1), 8),
    ("member1", "upload", "ballots:upload", (), 7),
    ("member2", "entry", "ballots:entry", (2,), 10),
    ("member2", "ballot_list", "ballots:ballot_list", (2,), 10),
    ("leader", "history", "vote_sessions:history", (), 8),
    ("leader", "record", "ballots:count_log", (), 8),
    ("leader", "results", "reports:results", (), 8),
]


def rows(count, *, entry_pass, start=1):
    result = []
    for number in range(start, start + count):
        if number % 7 == 0:
            result.append(BallotInput(number=number, invalid_reason="not_issued"))
            continue
        marks = {order: ("high", "medium", "low")[(number + order) % 3] for order in (1, 2, 3)}
        marks[4], marks[5] = "none", "several"
        if entry_pass == 2 and number in DIFFERENT:
            marks[1] = "several"
        result.append(BallotInput(number=number, marks=marks))
    return result


@pytest.fixture
def people(org, secretariat, leader):
    chair = make_chair_user(org)
    member1 = make_user("nhap-luot-1", organization=org, roles=[Role.COUNTING])
    member2 = make_user("nhap-luot-2", organization=org, roles=[Role.COUNTING])
    return {
        "secretariat": secretariat,
        "chair": chair,
        "member1": member1,
        "member2": member2,
        "leader": leader,
    }


def counted_session(org, people, count):
    session = make_counting_session(
        org, chair=people["chair"], members=[people["member1"], people["member2"]]
    )
    VoteSession.objects.filter(pk=session.pk).update(ballots_issued=LARGE)
    session.refresh_from_db()
    for entry_pass, typist in ((1, people["member1"]), (2, people["member2"])):
        ballots_import(
            user=typist,
            session=session,
            entry_pass=entry_pass,
            rows=rows(count, entry_pass=entry_pass),
        )
    count_record_collected(user=people["chair"], session=session, ballots_collected=count)
    return session


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def sessions(org, people):
    return {count: counted_session(org, people, count) for count in (SMALL, LARGE)}


@pytest.mark.parametrize(("role", "page", "name", "args", "limit"), PAGES, ids=lambda v: v)
def test_page_queries_do_not_grow_with_the_ballots(
    role, page, name, args, limit, sessions, people, login
):
    client = login(people[role])
    counts = {}
    for count, session in sessions.items():
        url = reverse(name) if args is None else reverse(name, args=[session.pk, *args])
        client.get(url)  # the first request of a client may fill caches
        counts[count] = queries(client, url)
    assert counts[SMALL] == counts[LARGE], counts
    assert counts[LARGE] <= limit, counts


# PostgreSQL: the login session with its account (one query), BEGIN, the row lock, the facts
# (the access object's included: roles, seat, passes typed), one statement for the ballot,
# its marks, its audit entry and the totals, COMMIT. SQLite: no lock statement, but one
# INSERT per table and the totals upsert. (In a test the transaction is a savepoint:
# SAVEPOINT and RELEASE instead of BEGIN and COMMIT, as many.)
SAVE_LIMIT = {"postgresql": 6}.get(connection.vendor, 8)


# The secretariat's lists of delegates, 50 a page, searched and sorted in SQL: the same queries
# for a few delegates and for more than a page, with or without a search (the limit: login
# session with its user, session, access, count, page, the counter or the list's total, and on the
# attendance screen the one whose name is the search).
DELEGATE_PAGES = [
    ("vote_sessions:delegates", {}, 5),
    ("vote_sessions:delegates", {"q": "đại biểu 1"}, 6),
    ("vote_sessions:attendance", {}, 6),
    ("vote_sessions:attendance", {"q": "dai bieu 1", "sort": "name"}, 7),
    ("vote_sessions:attendance", {"q": "Lê Thị Đại Biểu 3", "page": "2"}, 7),
]


@pytest.mark.parametrize(("name", "query", "limit"), DELEGATE_PAGES, ids=str)
def test_delegate_pages_queries_do_not_grow_with_the_delegates(
    name, query, limit, org, secretariat, login
):
    from tests.factories import make_ready_session

    client = login(secretariat)
    counts = {}
    for convened in (SMALL, 130):
        session = make_ready_session(org, convened=convened, present=convened // 2)
        url = reverse(name, args=[session.pk])
        client.get(url, query)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, query)
        assert response.status_code == 200
        counts[convened] = len(captured)
    assert counts[SMALL] == counts[130], counts
    assert counts[130] <= limit, counts


def test_a_save_makes_the_same_few_queries_at_ballot_1_and_at_ballot_61(
    org, people, login, django_assert_max_num_queries
):
    session = make_counting_session(org, chair=people["chair"], members=[people["member1"]])
    VoteSession.objects.filter(pk=session.pk).update(ballots_issued=LARGE + 2)
    client = login(people["member1"])
    url = reverse("ballots:entry", args=[session.pk, 1])

    def save():
        data = {"client_token": str(uuid.uuid4()), "invalid_reason": ""}
        data |= {f"mark_{order}": "high" for order in range(1, OFFICIALS + 1)}
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, data, headers={"accept": "application/json"})
        assert response.status_code == 200, response.content
        return len(captured)

    first = save()
    ballots_import(
        user=people["member1"],
        session=session,
        entry_pass=1,
        rows=rows(LARGE - 1, entry_pass=1, start=2),
    )
    last = save()
    assert first == last
    with django_assert_max_num_queries(SAVE_LIMIT):
        save()
