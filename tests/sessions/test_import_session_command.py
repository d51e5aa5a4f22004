"""manage.py import_session FILE.json"""

import datetime as dt
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from sessions.access import access_for
from sessions.demo import SEED_FILE
from sessions.models import (
    Attendance,
    CommitteeMember,
    CommitteeRole,
    Delegate,
    Membership,
    Official,
    Organization,
    Role,
    SessionStatus,
    VoteSession,
)
from tests.factories import make_user

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def seed_data() -> dict:
    """The seed case: 5 officials, 31 delegates of whom 28 present, a committee of 3."""
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "session.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def run(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_session", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        VoteSession.objects.count(),
        Official.objects.count(),
        Delegate.objects.count(),
        CommitteeMember.objects.count(),
    )


@pytest.mark.django_db
def test_import_prints_the_new_session_id_alone_on_the_last_line(tmp_path):
    out, err = run(write(tmp_path, seed_data()))

    lines = out.splitlines()
    session = VoteSession.objects.get()
    assert lines[-1] == str(session.pk)
    assert err == ""
    assert lines[0].startswith("Imported “Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ")
    assert (
        "5 officials, 31 delegates (28 present, 3 absent), 3 on the counting committee"
        in (lines[0])
    )


@pytest.mark.django_db
def test_import_creates_the_session_with_its_date_order_and_links(tmp_path):
    out, _err = run(write(tmp_path, seed_data()))

    session = VoteSession.objects.get(pk=int(out.splitlines()[-1]))
    assert session.starts_at == dt.datetime(2023, 7, 3, 8, 0, tzinfo=HANOI)
    assert session.status == SessionStatus.DRAFT
    assert session.organization.code == "BCSĐ"
    officials = list(session.officials.select_related("delegate").order_by("order"))
    assert [o.order for o in officials] == [1, 2, 3, 4, 5]
    assert [o.full_name for o in officials] == [
        "Lương Phúc Sơn",
        "Trần Thị Thu Hương",
        "Phạm Quang Huy",
        "Vũ Đức Thắng",
        "Hoàng Minh Tuấn",
    ]
    assert all(o.delegate is not None and o.delegate.full_name == o.full_name for o in officials)
    assert session.delegates.filter(attendance=Attendance.PRESENT).count() == 28
    chair = session.committee_members.get(role=CommitteeRole.CHAIR)
    assert chair.delegate.position == "Chánh Văn phòng tổng hợp"


@pytest.mark.django_db
def test_verbosity_zero_prints_only_the_id(tmp_path):
    out = StringIO()
    call_command("import_session", str(write(tmp_path, seed_data())), stdout=out, verbosity=0)

    assert out.getvalue() == f"{VoteSession.objects.get().pk}\n"


@pytest.mark.django_db
def test_an_existing_organization_is_reused(tmp_path, org):
    before = Organization.objects.count()

    run(write(tmp_path, seed_data()))

    assert Organization.objects.count() == before
    assert VoteSession.objects.get().organization == org


@pytest.mark.django_db
def test_ballots_issued_opens_counting_with_that_many_issued(tmp_path):
    data = seed_data()
    data["ballots_issued"] = 28

    out, _err = run(write(tmp_path, data))

    session = VoteSession.objects.get(pk=int(out.splitlines()[-1]))
    assert session.status == SessionStatus.COUNTING
    assert session.ballots_issued == 28
    assert "status: Counting." in out


@pytest.mark.django_db
def test_more_ballots_issued_than_present_is_refused_and_nothing_created(tmp_path):
    data = seed_data()
    data["ballots_issued"] = 29
    before = counts()

    with pytest.raises(CommandError) as exc:
        run(write(tmp_path, data))

    assert "ballots_issued: 29 ballots issued, but only 28 delegates are present." in str(exc.value)
    assert counts() == before == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_ballots_issued_without_quorum_is_refused_and_nothing_created(tmp_path):
    data = seed_data()
    # 20 of 31 present: 2/3 of 31 rounds up to 21.
    present = [d for d in data["delegates"] if d["present"]]
    for delegate in present[20:]:
        delegate["present"] = False
    data["ballots_issued"] = 20
    before = counts()

    with pytest.raises(CommandError) as exc:
        run(write(tmp_path, data))

    assert (
        "ballots_issued: No quorum: 20 of 31 delegates are present; at least 21 are needed."
        in str(exc.value)
    )
    assert counts() == before


def _blank_official_name(data):
    data["officials"][2]["name"] = ""


def _delegate_twice(data):
    data["delegates"][5] = dict(data["delegates"][1])


def _bad_profile(data):
    data["rule_profile"] = "party-262-2014"


def _bad_date(data):
    data["date"] = "03/7/2023"


def _unknown_key(data):
    data["ghi_chu"] = "x"


def _two_chairs(data):
    data["counting_committee"][2]["role"] = "chair"


def _bad_type(data):
    data["delegates"][0]["present"] = "true"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_blank_official_name, "officials[2].name: this field is required"),
        (_delegate_twice, "delegates[5]: listed twice (same as delegates[1])"),
        (_bad_profile, "rule_profile: must be one of party-96-2023, assembly-96-2023"),
        (_bad_date, "date: not a date (YYYY-MM-DD)"),
        (_unknown_key, "ghi_chu: unknown key"),
        (
            _two_chairs,
            "counting_committee[2].role: more than one chair "
            "(counting_committee[0] is the chair already)",
        ),
        (_bad_type, "delegates[0].present: must be true or false"),
    ],
)
def test_an_invalid_file_names_the_field_and_creates_nothing(tmp_path, mutate, message):
    data = seed_data()
    mutate(data)
    path = write(tmp_path, data)
    before = counts()

    with pytest.raises(CommandError) as exc:
        run(path)

    text = str(exc.value)
    assert text.splitlines()[0] == f"Nothing was imported from {path}:"
    assert any(line.startswith(f"  {message}") for line in text.splitlines()[1:]), text
    assert counts() == before == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "session.json"
    # The seed file saved as Windows-1258 (Vietnamese ANSI): "Viện" starts with "Vi\xea\xf2n".
    text = json.dumps(seed_data(), ensure_ascii=False, indent=2)
    raw = text.encode("utf-8").replace("Viện".encode(), b"Vi\xea\xf2n")
    path.write_bytes(raw)

    with pytest.raises(CommandError) as exc:
        run(path)

    assert str(exc.value).splitlines()[1] == (
        "  not UTF-8 text (line 3, column 16): save the file as UTF-8 and try again"
    )

    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_malformed_json_is_refused_with_line_and_column(tmp_path):
    path = tmp_path / "session.json"
    path.write_text('{\n  "title": "Hội nghị",\n}\n', encoding="utf-8")

    with pytest.raises(CommandError) as exc:
        run(path)

    assert "not valid JSON: Expecting property name enclosed in double quotes (line 3, " in str(
        exc.value
    )
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_missing_file_is_refused(tmp_path):
    path = tmp_path / "nope.json"

    with pytest.raises(CommandError) as exc:
        run(path)

    assert str(exc.value) == f"Nothing was imported from {path}:\n  file not found"
    assert counts() == (0, 0, 0, 0, 0)


def test_from_the_shell_an_invalid_file_exits_non_zero_with_the_message_on_stderr(tmp_path):
    """The real command line: CommandError goes to stderr with exit status 1; stdout is empty.

    The file is refused before any database access, so the child needs no test database.
    """
    path = tmp_path / "session.json"
    path.write_text('{"title": }', encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}

    result = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "import_session", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    # Commands speak the default language, Vietnamese.
    assert f"CommandError: Không nhập được dữ liệu nào từ {path}:" in result.stderr
    assert "(dòng 1, cột 11)" in result.stderr


@pytest.mark.django_db
def test_committee_usernames_link_accounts_that_can_then_finish_the_count(tmp_path):
    ha, khai = make_user("ha.dtt"), make_user("khai.lv")
    data = seed_data()
    data["counting_committee"][0]["username"] = "ha.dtt"
    data["counting_committee"][1]["username"] = "khai.lv"
    data["ballots_issued"] = 28

    out, _err = run(write(tmp_path, data))

    session = VoteSession.objects.get(pk=int(out.splitlines()[-1]))
    seats = {m.full_name: m.user for m in session.committee_members.all()}
    names = [member["name"] for member in data["counting_committee"]]
    assert seats == {names[0]: ha, names[1]: khai, names[2]: None}
    assert set(
        Membership.objects.filter(organization=session.organization).values_list("user", "role")
    ) == {(ha.pk, Role.COUNTING), (khai.pk, Role.COUNTING)}
    assert access_for(user=ha, session=session).can("chair")
    # The operator is told who still has no account, before the id on the last line.
    assert out.splitlines()[-2].startswith(
        "Without a user account on the counting committee: Bùi Thị Ngọc Ánh."
    )


@pytest.mark.django_db
def test_an_unknown_username_is_refused_naming_the_entry(tmp_path):
    data = seed_data()
    data["counting_committee"][2]["username"] = "anh.btn"

    with pytest.raises(CommandError) as exc:
        run(write(tmp_path, data))

    assert (
        "  counting_committee[2].username: there is no user account anh.btn "
        "(create it first, or leave the key out)"
    ) in str(exc.value).splitlines()
    assert VoteSession.objects.count() == 0
