"""Races on ballot entry, with real threads and real transactions.

Each thread has its own database connection; a Barrier starts them together so that they
meet at the session row lock (`lock_session`). SQLite has no row locks (select_for_update is
a no-op there and writers simply queue on the file lock), so these tests run on PostgreSQL.
"""

import threading
import traceback
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection
from django.utils import translation

from ballots.models import Ballot, Mark
from ballots.services import ballot_record
from sessions.errors import DomainError
from sessions.models import AuditEntry, Role, VoteSession
from sessions.services.sessions import session_open_counting, session_start_voting
from tests.ballots import entry
from tests.factories import make_committee_member, make_ready_session, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; .ci/run runs the suite on PostgreSQL",
    ),
]

OFFICIALS = 5
# How long a thread may wait for the others, or for its turn at the lock.
TIMEOUT = 60


def counting_session(org, *, members: int, issued: int) -> tuple[VoteSession, list]:
    """A session counting `issued` ballots (45 delegates present), and `members` committee
    members with accounts."""
    session = make_ready_session(org, convened=48, present=45, officials=OFFICIALS)
    users = []
    for n in range(1, members + 1):
        user = make_user(f"thanh-vien-{n}", organization=org, roles=[Role.COUNTING])
        make_committee_member(session, user=user)
        users.append(user)
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=issued)
    session.refresh_from_db()
    return session, users


def run_together(calls: list[Callable[[], object]]) -> list[tuple[str, object, str]]:
    """Run each call in its own thread, all released at once; in call order, each result is
    ("ok", value, "") or ("error", exception, traceback)."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)
    results: list = [None] * len(calls)

    def worker(index: int, call: Callable[[], object]) -> None:
        try:
            # Connect before the barrier, so the threads meet at the lock, not at connect().
            connection.ensure_connection()
            barrier.wait()
            # Translations are per thread; messages are compared in English.
            with translation.override("en"):
                results[index] = ("ok", call(), "")
        except Exception as exc:
            results[index] = ("error", exc, traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


def errors(results) -> list[tuple[object, str]]:
    return [(value, trace) for kind, value, trace in results if kind == "error"]


def unexpected(results, allowed=()) -> str:
    """The tracebacks of every exception that is not an allowed DomainError."""
    return "\n".join(
        trace
        for value, trace in errors(results)
        if not (isinstance(value, DomainError) and any(text in str(value) for text in allowed))
    )


def record_call(user, session, *, token=None):
    return lambda: ballot_record(
        user=user, session=session, entry_pass=1, entry=entry(None), client_token=token
    )


def test_forty_saves_at_once_get_the_numbers_one_to_forty(org):
    session, members = counting_session(org, members=4, issued=40)
    calls = [record_call(user, session) for user in members for _n in range(10)]

    results = run_together(calls)

    assert unexpected(results) == ""
    assert not any(isinstance(value, IntegrityError) for value, _trace in errors(results))
    numbers = sorted(Ballot.objects.filter(session=session).values_list("number", flat=True))
    assert numbers == list(range(1, 41))
    # Every thread got its own ballot: none lost, none doubled.
    assert sorted(value.number for kind, value, _trace in results if kind == "ok") == numbers
    assert Mark.objects.filter(ballot__session=session).count() == 40 * OFFICIALS
    per_member = Counter(
        Ballot.objects.filter(session=session).values_list("entered_by__username", flat=True)
    )
    assert per_member == {user.username: 10 for user in members}
    assert AuditEntry.objects.filter(session=session, action="ballot.create").count() == 40


def test_sixteen_saves_with_ten_issued_ten_succeed_six_are_refused(org):
    session, members = counting_session(org, members=4, issued=10)
    calls = [record_call(user, session) for user in members for _n in range(4)]

    results = run_together(calls)

    assert unexpected(results, allowed=["more ballots than issued"]) == ""
    ok = [value for kind, value, _trace in results if kind == "ok"]
    refused = [str(value) for value, _trace in errors(results)]
    assert len(ok) == 10
    assert refused == ["That would make 11 ballots in entry 1: more ballots than issued (10)."] * 6
    numbers = sorted(Ballot.objects.filter(session=session).values_list("number", flat=True))
    assert numbers == list(range(1, 11))
    assert Mark.objects.filter(ballot__session=session).count() == 10 * OFFICIALS
    assert AuditEntry.objects.filter(session=session, action="ballot.create").count() == 10


def test_one_client_token_sent_five_times_at_once_makes_one_ballot(org):
    session, members = counting_session(org, members=1, issued=40)
    token = uuid.uuid4()
    calls = [record_call(members[0], session, token=token) for _n in range(5)]

    results = run_together(calls)

    # An IntegrityError here would mean the token check raced past the lock: a service bug.
    assert unexpected(results) == ""
    ballot = Ballot.objects.get(session=session)
    assert (ballot.number, ballot.client_token) == (1, token)
    assert {value.pk for kind, value, _trace in results if kind == "ok"} == {ballot.pk}
    assert Mark.objects.filter(ballot__session=session).count() == OFFICIALS
    assert AuditEntry.objects.filter(session=session, action="ballot.create").count() == 1
