"""Set-up run in a separate process against the database in DATABASE_URL (a file SQLite
database or the PostgreSQL test database), for the tests that drive a real server or real
concurrent writers:

    python -m tests.deploy.scripts counting-session   -> JSON: session id, username, password
    python -m tests.deploy.scripts sqlite-race N M    -> JSON: N typists saving M ballots each,
                                                          all at once; what was saved and raised
    python -m tests.deploy.scripts certify-race       -> JSON: the chair certifying in two tabs
                                                          at once; what each got
"""

import json
import sys
import threading
import traceback


def _setup() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confidence_vote.settings")
    django.setup()


def counting_session() -> dict:
    from sessions.models import Role
    from tests.ballots import make_counting_session
    from tests.factories import PASSWORD, make_organization, make_user

    org = make_organization(name="Viện kiểm sát nhân dân tỉnh Quảng Ninh")
    member = make_user("kiem-phieu-serve", organization=org, roles=[Role.COUNTING])
    session = make_counting_session(org, members=[member])
    return {"session": session.pk, "username": member.username, "password": PASSWORD}


def sqlite_race(typists: int, each: int) -> dict:
    """`typists` committee members, each in a thread with its own connection, save `each`
    ballots (pass 1) as fast as they can, all released together."""
    from django.db import connection

    from ballots.models import Ballot, Mark
    from ballots.services import ballot_record
    from sessions.models import Role
    from sessions.services.sessions import session_open_counting, session_start_voting
    from tests.ballots import entry
    from tests.factories import (
        make_committee_member,
        make_organization,
        make_ready_session,
        make_user,
    )

    org = make_organization(name="Tòa án nhân dân tỉnh Thử")
    users = [
        make_user(f"go-phieu-{n}", organization=org, roles=[Role.COUNTING])
        for n in range(1, typists + 1)
    ]
    session = make_ready_session(org, convened=typists * each + 5, present=typists * each)
    session.double_entry = False
    session.save(update_fields=["double_entry"])
    for user in users:
        make_committee_member(session, user=user)
    session_start_voting(user=None, session=session)
    session_open_counting(user=None, session=session, ballots_issued=typists * each)
    session.refresh_from_db()
    connection.close()
    barrier = threading.Barrier(typists, timeout=60)
    saved: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def typist(user) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            for _n in range(each):
                ballot = ballot_record(user=user, session=session, entry_pass=1, entry=entry())
                with lock:
                    saved.append(ballot.number)
        except Exception:
            with lock:
                errors.append(traceback.format_exc(limit=3))
        finally:
            connection.close()

    threads = [threading.Thread(target=typist, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    numbers = sorted(Ballot.objects.filter(session=session).values_list("number", flat=True))
    return {
        "journal_mode": _journal_mode(),
        "saved": sorted(saved),
        "errors": errors,
        "stored": numbers,
        "marks": Mark.objects.filter(ballot__session=session).count(),
    }


def certify_race() -> dict:
    """A counted, confirmed session; the chair presses "certify" in two tabs at the same time."""
    from django.db import connection

    from reports.key_services import trial_signer_install
    from reports.models import SignedDocument
    from reports.services import result_certify
    from sessions.errors import DomainError
    from sessions.models import Role
    from tests.factories import make_organization, make_user
    from tests.reports.test_certify_views import confirm_all, counted_session

    org = make_organization(name="Tòa án nhân dân tỉnh Thử")
    chair = make_user("to-truong-thu", organization=org, roles=[Role.COUNTING])
    session = counted_session(org, chair=chair)
    confirm_all(session)
    trial_signer_install(organization=org)
    connection.close()
    barrier = threading.Barrier(2, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def tab() -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            documents = result_certify(user=chair, session=session)
            outcome = f"certified {len(documents)}"
        except DomainError as exc:
            outcome = f"refused: {exc}"
        except Exception:
            outcome = "error: " + traceback.format_exc(limit=3)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=tab) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    return {
        "outcomes": sorted(outcomes),
        "documents": SignedDocument.objects.filter(session=session).count(),
    }


def _journal_mode() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        return cursor.fetchone()[0]


def main(argv: list[str]) -> None:
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if argv[0] == "counting-session":
        result = counting_session()
    elif argv[0] == "sqlite-race":
        result = sqlite_race(int(argv[1]), int(argv[2]))
    elif argv[0] == "certify-race":
        result = certify_race()
    else:
        raise SystemExit(f"unknown script {argv[0]!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
