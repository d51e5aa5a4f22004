"""manage.py import_ballots SESSION_ID FILE [--pass 1|2]."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from ballots.models import Ballot, Mark
from sessions.access import access_for
from sessions.models import Role, SessionStatus
from sessions.services.sessions import session_open_counting, session_start_voting
from tests.factories import make_ready_session, make_user

HEADER = "ballot,1,2,3,4,5,invalid_reason\n"
# 28 ballots: 20 all high, then a mix; ballot 23 was not issued by the committee.
MIXED = [
    "21,H,H,M,L,H,",
    "22,H,,X,H,H,",
    "23,,,,,,not_issued",
    "24,m,m,m,m,m,",
    "25,L,H,H,H,H,",
    "26,H,L,L,,H,",
    "27,x,H,H,H,M,",
    "28,H,H,H,H,H,",
]
CSV_28 = HEADER + "".join(f"{n},H,H,H,H,H,\n" for n in range(1, 21)) + "\n".join(MIXED) + "\n"


@pytest.fixture
def counting_session(org):
    session = make_ready_session(org)
    session_start_voting(user=None, session=session)
    return session_open_counting(user=None, session=session, ballots_issued=28)


def run(session_id, path, *args):
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_ballots", str(session_id), str(path), *args, stdout=out)
    return out.getvalue()


def refused(session_id, path, *args) -> str:
    with translation.override("en"), pytest.raises(CommandError) as info:
        call_command("import_ballots", str(session_id), str(path), *args, stdout=io.StringIO())
    return str(info.value)


def write(tmp_path, text, name="phieu.csv", *, bom=False):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8-sig" if bom else "utf-8"))
    return path


def mark_counts(session, entry_pass=1) -> dict[int, Counter]:
    counts: dict[int, Counter] = {}
    marks = Mark.objects.filter(ballot__session=session, ballot__entry_pass=entry_pass)
    for order, value in marks.values_list("official__order", "value"):
        counts.setdefault(order, Counter())[value] += 1
    return counts


def test_imports_28_ballots(counting_session, tmp_path):
    path = write(tmp_path, CSV_28, bom=True)

    out = run(counting_session.pk, path)

    assert out.strip() == f"28 ballots imported into pass 1 of session {counting_session.pk}."
    ballots = Ballot.objects.filter(session=counting_session)
    assert ballots.count() == 28
    assert sorted(ballots.values_list("number", flat=True)) == list(range(1, 29))
    assert set(ballots.values_list("entry_pass", flat=True)) == {1}
    assert set(ballots.values_list("entered_by", flat=True)) == {None}
    invalid = ballots.exclude(invalid_reason="")
    assert list(invalid.values_list("number", "invalid_reason")) == [(23, "not_issued")]
    assert Mark.objects.filter(ballot__number=23, ballot__session=counting_session).count() == 0
    assert Mark.objects.filter(ballot__session=counting_session).count() == 27 * 5
    assert mark_counts(counting_session) == {
        1: Counter(high=24, medium=1, low=1, several=1),
        2: Counter(high=24, medium=1, low=1, none=1),
        3: Counter(high=23, medium=2, low=1, several=1),
        4: Counter(high=24, medium=1, low=1, none=1),
        5: Counter(high=25, medium=2),
    }
    ballot_22 = Ballot.objects.get(session=counting_session, number=22)
    assert dict(ballot_22.marks.values_list("official__order", "value")) == {
        1: "high",
        2: "none",
        3: "several",
        4: "high",
        5: "high",
    }


def test_second_pass(counting_session, tmp_path):
    path = write(tmp_path, CSV_28)
    run(counting_session.pk, path)

    out = run(counting_session.pk, path, "--pass", "2")

    assert out.strip() == f"28 ballots imported into pass 2 of session {counting_session.pk}."
    assert Ballot.objects.filter(session=counting_session, entry_pass=2).count() == 28
    assert Ballot.objects.filter(session=counting_session).count() == 56
    assert mark_counts(counting_session, 2) == mark_counts(counting_session, 1)


def test_imports_xlsx_without_reason_column(counting_session, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ballot", 1, 2, 3, 4, 5])
    sheet.append([1, "h", "m", "l", "x", None])
    sheet.append([2, "H", "H", "H", "H", "H"])
    path = tmp_path / "phieu.xlsx"
    workbook.save(path)

    out = run(counting_session.pk, path)

    assert out.strip() == f"2 ballots imported into pass 1 of session {counting_session.pk}."
    ballot = Ballot.objects.get(session=counting_session, number=1)
    assert dict(ballot.marks.values_list("official__order", "value")) == {
        1: "high",
        2: "medium",
        3: "low",
        4: "several",
        5: "none",
    }


def test_unknown_session(db, tmp_path):
    path = write(tmp_path, CSV_28)
    assert refused(999999, path) == "There is no session 999999."
    assert Ballot.objects.count() == 0


def test_missing_file(counting_session, tmp_path):
    message = refused(counting_session.pk, tmp_path / "nowhere.csv")
    assert message.startswith("Cannot read ")
    assert Ballot.objects.count() == 0


def test_session_not_counting(org, tmp_path):
    session = make_ready_session(org)
    path = write(tmp_path, CSV_28)
    message = refused(session.pk, path)
    assert "Counting has not opened for this session." in message
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize("status", [SessionStatus.COUNTED, SessionStatus.CERTIFIED])
def test_closed_count(counting_session, tmp_path, status):
    type(counting_session).objects.filter(pk=counting_session.pk).update(status=status)
    message = refused(counting_session.pk, write(tmp_path, CSV_28))
    assert "The count is closed: ballots can no longer change." in message
    assert Ballot.objects.count() == 0


def test_entry_number_already_used(counting_session, tmp_path):
    run(counting_session.pk, write(tmp_path, HEADER + "5,H,H,H,H,H,\n", "one.csv"))
    assert Ballot.objects.count() == 1

    message = refused(counting_session.pk, write(tmp_path, CSV_28))

    assert "Ballots 5 are already entered in entry 1." in message
    assert Ballot.objects.count() == 1


def test_more_ballots_than_issued(counting_session, tmp_path):
    text = CSV_28 + "29,H,H,H,H,H,\n"
    message = refused(counting_session.pk, write(tmp_path, text))
    assert "more ballots than issued (28)" in message
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ballot,1,2,3,4\n1,H,H,H,H\n",
            "Row 1: no column for the officials with ballot order 5.",
        ),
        (
            "ballot,1,2,3,4,5,6\n1,H,H,H,H,H,H\n",
            "Row 1, column G ('6'): no official has ballot order 6.",
        ),
        (
            "ballot,1,2,3,4,5,5\n1,H,H,H,H,H,H\n",
            "Row 1, column G ('5'): '5' is also column F.",
        ),
        (
            "ballot,1,2,3,4,5\n1,H,H,K,H,H\n",
            "Row 2, column D ('3'): unknown mark 'K'; use H, M, L, X, or leave it empty for "
            "no box ticked.",
        ),
        (
            "ballot,1,2,3,4,5,invalid_reason\n1,H,H,H,H,H,torn\n",
            "Row 2, column G ('invalid_reason'): unknown reason 'torn'",
        ),
        (
            "ballot,1,2,3,4,5\n0,H,H,H,H,H\n",
            "Row 2, column A ('ballot'): '0' is not a ballot number (a positive whole number).",
        ),
        (
            "ballot,1,2,3,4,5\n1,H,H,H,H,H\n1,H,H,H,H,H\n",
            "Row 3, column A ('ballot'): ballot number 1 is already on row 2.",
        ),
    ],
    ids=["official-missing", "no-official", "duplicate", "code", "reason", "number", "repeat"],
)
def test_file_problems(counting_session, tmp_path, text, expected):
    path = write(tmp_path, text)
    message = refused(counting_session.pk, path)
    assert message.startswith(f"Nothing was imported from {path}:\n")
    assert f"\n  {expected}" in message
    assert Ballot.objects.count() == 0
    assert Mark.objects.count() == 0


def test_problems_are_capped_at_30_lines(counting_session, tmp_path):
    rows = "".join(f"{n},Q,H,H,H,H\n" for n in range(1, 36))
    message = refused(counting_session.pk, write(tmp_path, "ballot,1,2,3,4,5\n" + rows))
    lines = message.splitlines()
    assert lines[1] == "  Row 2, column B ('1'): " + (
        "unknown mark 'Q'; use H, M, L, X, or leave it empty for no box ticked."
    )
    assert len(lines) == 1 + 30 + 1
    assert lines[-1] == "  … and 5 more."
    assert Ballot.objects.count() == 0


def test_pass_must_be_1_or_2(counting_session, tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command(
            "import_ballots", str(counting_session.pk), str(write(tmp_path, CSV_28)), "--pass", "3"
        )
    assert Ballot.objects.count() == 0


def test_the_upload_size_limit_applies_to_the_command(counting_session, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1024
    path = write(tmp_path, CSV_28 * 3)
    assert path.stat().st_size > 1024
    message = refused(counting_session.pk, path)
    assert "Nothing was imported from" in message
    assert "The file is 1.2\xa0KB; at most 1.0\xa0KB is accepted." in message
    assert not Ballot.objects.exists()


def test_the_command_refuses_a_spreadsheet_bomb(counting_session, tmp_path):
    from tests.spreadsheet_bombs import huge_shared_string

    path = tmp_path / "phieu.xlsx"
    path.write_bytes(huge_shared_string())
    assert "The spreadsheet expands to more than the server accepts" in refused(
        counting_session.pk, path
    )
    assert not Ballot.objects.exists()


# --- --as USERNAME: the pass is attributed to the committee member who typed it ------------


def test_as_attributes_the_pass_to_a_committee_member_who_may_then_list_it(
    counting, counting_member, tmp_path, login
):
    out = run(counting.pk, write(tmp_path, CSV_28), "--as", "kiem-phieu")

    assert out.splitlines() == [
        f"28 ballots imported into pass 1 of session {counting.pk}.",
        "Entered by kiem-phieu.",
    ]
    ballots = Ballot.objects.filter(session=counting, entry_pass=1)
    assert set(ballots.values_list("entered_by", flat=True)) == {counting_member.pk}
    # With double entry only the typist of a pass may list it: now somebody can.
    response = login(counting_member).get(reverse("ballots:ballot_list", args=[counting.pk, 1]))
    assert response.status_code == 200
    assert access_for(user=counting_member, session=counting).view_pass(1)


def test_as_an_unknown_account_is_refused(counting, tmp_path):
    message = refused(counting.pk, write(tmp_path, CSV_28), "--as", "khong-co")

    assert message == "--as: there is no active user account khong-co."
    assert Ballot.objects.count() == 0


def test_as_an_account_off_the_committee_is_refused(counting, leader, org, tmp_path):
    make_user("kiem-phieu-khac", organization=org, roles=[Role.COUNTING])
    for username in ("lanh-dao", "kiem-phieu-khac"):
        message = refused(counting.pk, write(tmp_path, CSV_28), "--as", username)

        assert message.startswith(
            f"--as: {username} does not sit on the counting committee of session {counting.pk}"
        )
    assert Ballot.objects.count() == 0


def test_as_the_typist_of_the_other_pass_is_refused_with_double_entry(counting, tmp_path):
    path = write(tmp_path, CSV_28)
    run(counting.pk, path, "--as", "kiem-phieu")

    message = refused(counting.pk, path, "--pass", "2", "--as", "kiem-phieu")

    assert "You entered ballots in pass 1; with double entry each member enters one pass" in (
        message
    )
    assert Ballot.objects.filter(entry_pass=2).count() == 0


def test_as_another_member_types_the_second_pass(counting, chair, chair_types, tmp_path):
    path = write(tmp_path, CSV_28)
    run(counting.pk, path, "--as", "kiem-phieu")

    run(counting.pk, path, "--pass", "2", "--as", "to-truong")

    second = Ballot.objects.filter(session=counting, entry_pass=2)
    assert set(second.values_list("entered_by", flat=True)) == {chair.pk}


def test_as_a_chair_who_types_nothing_is_refused(counting, chair, tmp_path):
    message = refused(counting.pk, write(tmp_path, CSV_28), "--as", "to-truong")
    assert message.startswith("--as: to-truong does not type ballots in this count")
    assert Ballot.objects.count() == 0
