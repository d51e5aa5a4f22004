"""Benchmark: every page of a counting session, for every role, at two or more sizes.

Builds (directly, with bulk inserts, in a throwaway test database on whatever DATABASE_URL
points at) a session of National Assembly size (480 ballots rating 44 officials, entered in
both passes of blind double entry, 480 delegates present, an audit entry per ballot), a
50-ballot one, and with --history N, N past sessions of 500 ballots in the same organization.
Then walks every page a person opens with the Django test client, for the secretariat, the
committee chair, the member who typed pass 1, the member who typed pass 2 and leadership,
--runs times each (after one warm-up), and reports the median server time, the queries and
the size of the HTML.

    DJANGO_SETTINGS_MODULE=confidence_vote.settings .venv/bin/python bench/pages.py --json
    ... bench/pages.py --json --history 200 --sizes 50,480,10000

The last line of output is one JSON object: {"pages": [{"role", "page", "ballots", "ms",
"queries", "kib"}, ...]}.
"""

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import INVALID_SHARE, MARK_WEIGHTS, SEED, bench_database, database_version  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
)
from django.urls import reverse  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICIALS = 44
# Ballot numbers where pass 2 reads one official differently (the chair's compare page).
DIFFERENT = (7, 19, 23)
# Delegates' names: Vietnamese family and given names, so searches and the name order have
# work to do.
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đông", "Hằng", "Hùng", "Hưng", "Lan", "Mai", "Nam"]


def delegate_name(n: int) -> str:
    return (
        f"{FAMILY[n % len(FAMILY)]} {MIDDLE[n // 7 % len(MIDDLE)]} {GIVEN[n // 3 % len(GIVEN)]} {n}"
    )


def make_people():
    """The organization and one account per role."""
    from sessions.models import Membership, Organization, Role

    org = Organization.objects.create(
        name="Quốc hội (benchmark)",
        issuing_body="Ủy ban Thường vụ Quốc hội",
        parent_body="",
        place="Hà Nội",
        style="state",
        code="UBTVQH",
    )
    users = {}
    for name, role in [
        ("secretariat", Role.SECRETARIAT),
        ("chair", Role.COUNTING),
        ("member1", Role.COUNTING),
        ("member2", Role.COUNTING),
        ("leader", Role.LEADERSHIP),
    ]:
        user = get_user_model().objects.create_user(username=f"bench-{name}", password=None)
        Membership.objects.create(user=user, organization=org, role=role)
        users[name] = user
    return org, users


def build_session(
    org, users, *, ballots: int, officials: int = OFFICIALS, title: str = "", differ: bool = True
):
    """A session counting `ballots` ballots, entered in both passes (with `differ`, pass 2
    differs from pass 1 on the ballots in DIFFERENT), collected and recorded; running totals
    recounted."""
    from ballots.models import Ballot, Mark, PassTotal, content_digest
    from ballots.totals import totals_recounted
    from sessions.models import (
        Attendance,
        AuditEntry,
        CommitteeMember,
        CommitteeRole,
        Delegate,
        Official,
        SessionStatus,
        VoteSession,
        delegate_keys,
    )

    session = VoteSession.objects.create(
        organization=org,
        title=title or f"Lấy phiếu tín nhiệm ({ballots} phiếu)",
        starts_at=dt.datetime(2023, 10, 25, 8, 0, tzinfo=TZ),
        double_entry=True,
    )
    official_rows = Official.objects.bulk_create(
        Official(
            session=session, full_name=f"Người được lấy phiếu {n}", position="Bộ trưởng", order=n
        )
        for n in range(1, officials + 1)
    )
    now = dt.datetime(2023, 10, 25, 7, 45, tzinfo=TZ)
    Delegate.objects.bulk_create(
        (
            Delegate(
                session=session,
                full_name=delegate_name(n),
                order=n,
                attendance=Attendance.PRESENT,
                checked_in_at=now,
                **delegate_keys(full_name=delegate_name(n)),
            )
            for n in range(1, ballots + 1)
        ),
        batch_size=2000,
    )
    CommitteeMember.objects.bulk_create(
        [
            CommitteeMember(
                session=session,
                full_name="Tổ trưởng",
                role=CommitteeRole.CHAIR,
                user=users["chair"],
            ),
            CommitteeMember(
                session=session,
                full_name="Thành viên 1",
                role=CommitteeRole.MEMBER,
                user=users["member1"],
            ),
            CommitteeMember(
                session=session,
                full_name="Thành viên 2",
                role=CommitteeRole.MEMBER,
                user=users["member2"],
            ),
        ]
    )
    VoteSession.objects.filter(pk=session.pk).update(
        status=SessionStatus.COUNTING, ballots_issued=ballots, ballots_collected=ballots
    )
    session.refresh_from_db()

    rng = random.Random(SEED + ballots)
    values, weights = list(MARK_WEIGHTS), list(MARK_WEIGHTS.values())
    contents = []
    for _n in range(ballots):
        if rng.random() < INVALID_SHARE:
            contents.append(("not_issued", []))
        else:
            contents.append(("", rng.choices(values, weights=weights, k=officials)))
    audit = []
    for entry_pass, typist in ((1, users["member1"]), (2, users["member2"])):
        read = []
        for number, (reason, ballot_marks) in enumerate(contents, start=1):
            by_order = dict(enumerate(ballot_marks, start=1))
            if differ and entry_pass == 2 and number in DIFFERENT and not reason:
                by_order[3] = "low" if by_order[3] != "low" else "high"
            read.append((number, reason, by_order))
        created = Ballot.objects.bulk_create(
            Ballot(
                session=session,
                entry_pass=entry_pass,
                number=number,
                invalid_reason=reason,
                entered_by=typist,
                content_digest=content_digest(reason, by_order),
            )
            for number, reason, by_order in read
        )
        marks = []
        for ballot, (_number, _reason, by_order) in zip(created, read, strict=True):
            for official in official_rows:
                if official.order in by_order:
                    marks.append(
                        Mark(ballot=ballot, official=official, value=by_order[official.order])
                    )
            audit.append(
                AuditEntry(
                    organization=org,
                    session=session,
                    user=typist,
                    username=typist.username,
                    action="ballot.create",
                    data={
                        "pass": entry_pass,
                        "number": ballot.number,
                        "invalid_reason": ballot.invalid_reason,
                        "marks": {str(n): v for n, v in enumerate(ballot_marks, start=1)},
                    },
                )
            )
        Mark.objects.bulk_create(marks, batch_size=5000)
        PassTotal.objects.bulk_create(
            PassTotal(
                session=session,
                entry_pass=entry_pass,
                official_id=official_id,
                value=value,
                count=n,
            )
            for (official_id, value), n in totals_recounted(
                session_id=session.pk, entry_pass=entry_pass
            ).items()
        )
    AuditEntry.objects.bulk_create(audit, batch_size=2000)
    return session


def pages_of(session) -> list[tuple[str, str, str]]:
    """(role, page, url) for every page a person opens in a counting session."""
    pk = session.pk
    first_difference = DIFFERENT[0]
    people = [
        ("delegates", "vote_sessions:delegates"),
        ("attendance", "vote_sessions:attendance"),
    ]
    walk = [
        ("secretariat", "session_list", reverse("vote_sessions:list")),
        ("secretariat", "session_detail", reverse("vote_sessions:detail", args=[pk])),
        ("secretariat", "history", reverse("vote_sessions:history", args=[pk])),
        ("secretariat", "officials", reverse("vote_sessions:officials", args=[pk])),
        *[("secretariat", page, reverse(name, args=[pk])) for page, name in people],
        # A search (accents left out) and a page in the middle, as on the day.
        *[
            ("secretariat", f"{page}_search", reverse(name, args=[pk]) + "?q=nguyen+thanh")
            for page, name in people
        ],
        (
            "secretariat",
            "attendance_by_name_p3",
            reverse("vote_sessions:attendance", args=[pk]) + "?sort=name&page=3",
        ),
        ("secretariat", "committee", reverse("vote_sessions:committee", args=[pk])),
        ("chair", "session_list", reverse("vote_sessions:list")),
        ("chair", "session_detail", reverse("vote_sessions:detail", args=[pk])),
        ("chair", "history", reverse("vote_sessions:history", args=[pk])),
        ("chair", "attendance", reverse("vote_sessions:attendance", args=[pk])),
        ("chair", "count", reverse("ballots:count", args=[pk])),
        ("chair", "compare", reverse("ballots:compare", args=[pk])),
        ("chair", "resolve", reverse("ballots:resolve", args=[pk, first_difference])),
        ("chair", "tally_sheet", reverse("ballots:hand_count", args=[pk])),
        ("chair", "record", reverse("ballots:count_log", args=[pk])),
        ("chair", "results", reverse("reports:results", args=[pk])),
        ("chair", "signoff", reverse("reports:signoff", args=[pk])),
        ("member1", "session_detail", reverse("vote_sessions:detail", args=[pk])),
        ("member1", "count", reverse("ballots:count", args=[pk])),
        ("member1", "entry", reverse("ballots:entry", args=[pk, 1])),
        ("member1", "ballot_list", reverse("ballots:ballot_list", args=[pk, 1])),
        ("member1", "ballot_edit", reverse("ballots:ballot_edit", args=[pk, 1, 1])),
        ("member1", "held_list", reverse("ballots:held_list", args=[pk, 1])),
        ("member1", "upload", reverse("ballots:upload", args=[pk])),
        ("member1", "results", reverse("reports:results", args=[pk])),
        ("member2", "entry", reverse("ballots:entry", args=[pk, 2])),
        ("member2", "ballot_list", reverse("ballots:ballot_list", args=[pk, 2])),
        ("leader", "session_list", reverse("vote_sessions:list")),
        ("leader", "session_detail", reverse("vote_sessions:detail", args=[pk])),
        ("leader", "delegates", reverse("vote_sessions:delegates", args=[pk])),
        ("leader", "history", reverse("vote_sessions:history", args=[pk])),
        ("leader", "record", reverse("ballots:count_log", args=[pk])),
        ("leader", "results", reverse("reports:results", args=[pk])),
    ]
    return walk


def measure(client: Client, url: str, runs: int) -> dict:
    client.get(url)  # warm-up: templates, translations, the connection
    times, queries, size = [], 0, 0
    for _run in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{url}: status {response.status_code}")
        times.append(elapsed)
        queries = max(queries, len(captured))
        size = len(response.content)
    return {
        "ms": round(statistics.median(times) * 1000, 1),
        "queries": queries,
        "kib": round(size / 1024, 1),
    }


def build_history(org, users, count: int) -> None:
    for n in range(count):
        build_session(org, users, ballots=500, title=f"Lấy phiếu tín nhiệm cũ {n + 1}")


def run(*, sizes: list[int], history: int, runs: int) -> list[dict]:
    org, users = make_people()
    started = time.perf_counter()
    build_history(org, users, history)
    sessions = [build_session(org, users, ballots=size) for size in sizes]
    if connection.vendor == "postgresql":
        # What autovacuum's analyze does on a server within a minute of such inserts (the
        # planner's statistics); SQLite has no such thing and is measured as it is.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"built {history} past sessions and sessions of {sizes} ballots "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    clients = {}
    for role, user in users.items():
        clients[role] = Client(headers={"accept-language": "vi"})
        clients[role].force_login(user)
    results = []
    for session, size in zip(sessions, sizes, strict=True):
        for role, page, url in pages_of(session):
            figures = measure(clients[role], url, runs)
            results.append({"role": role, "page": page, "ballots": size, **figures})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="End with the JSON line.")
    parser.add_argument("--history", type=int, default=0, help="Past sessions of 500 ballots.")
    parser.add_argument("--sizes", default="50,480", help="Ballots of the sessions measured.")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    with bench_database("bench-pages-"):
        version = database_version()
        results = run(sizes=sizes, history=args.history, runs=args.runs)

    print(f"{version}; {args.history} past sessions; median of {args.runs} runs")
    print(f"{'role':12} {'page':15} {'ballots':>7} {'ms':>8} {'queries':>7} {'KiB':>8}")
    for row in results:
        print(
            f"{row['role']:12} {row['page']:15} {row['ballots']:7d} {row['ms']:8.1f} "
            f"{row['queries']:7d} {row['kib']:8.1f}"
        )
    if args.json:
        print(json.dumps({"pages": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
