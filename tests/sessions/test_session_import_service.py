"""sessions.services.session_import: reading, checking and writing a session file."""

import copy
import datetime as dt
import json
import unicodedata
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from sessions.access import access_for
from sessions.errors import DomainError
from sessions.models import (
    Attendance,
    AuditEntry,
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
from sessions.services.session_import import (
    session_file_load,
    session_file_validate,
    session_import,
    session_import_file,
)
from tests.factories import make_user

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def valid_data() -> dict:
    """3 officials, 6 delegates (4 present, 1 absent, 1 not recorded), a committee of 2."""
    return {
        "organization": {
            "name": "Viện kiểm sát nhân dân tỉnh Thái Bình",
            "issuing_body": "Ban Cán sự Đảng VKSND tỉnh Thái Bình",
            "parent_body": "Ban Cán sự Đảng VKSND tối cao",
            "place": "Thái Bình",
            "style": "party",
            "code": "BCSĐ",
        },
        "title": "Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ",
        "date": "2023-07-03",
        "venue": "Hội trường tầng 2",
        "legal_basis": "Kế hoạch số 15-KH/BCSĐ, ngày 05/6/2023",
        "rule_profile": "party-96-2023",
        "officials": [
            {"name": "Nguyễn Văn An", "position": "Viện trưởng"},
            {"name": "Trần Thị Bình", "position": "Phó Viện trưởng"},
            {"name": "Lê Văn Cường", "position": "Phó Viện trưởng"},
        ],
        "delegates": [
            {"name": "Nguyễn Văn An", "position": "Viện trưởng", "unit": "VKSND tỉnh",
             "group": "Ủy viên Ban Cán sự Đảng", "present": True},
            {"name": "Trần Thị Bình", "position": "Phó Viện trưởng", "unit": "VKSND tỉnh",
             "group": "Ủy viên Ban Cán sự Đảng", "present": True},
            {"name": "Phạm Thị Dung", "position": "Chánh Văn phòng", "unit": "Văn phòng",
             "present": True},
            {"name": "Hoàng Văn Em", "position": "Trưởng phòng", "unit": "Phòng 1",
             "present": True},
            {"name": "Vũ Thị Giang", "position": "Viện trưởng", "unit": "VKSND huyện Tiền Hải",
             "present": False, "absence_reason": "Đi công tác"},
            {"name": "Đỗ Văn Hùng", "position": "Viện trưởng", "unit": "VKSND huyện Kiến Xương"},
        ],
        "counting_committee": [
            {"name": "Phạm Thị Dung", "role": "chair"},
            {"name": "Hoàng Văn Em", "role": "member"},
        ],
    }  # fmt: skip


def counts() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        VoteSession.objects.count(),
        Official.objects.count(),
        Delegate.objects.count(),
        CommitteeMember.objects.count(),
        AuditEntry.objects.count(),
    )


# --- the happy path -------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_the_organization_session_and_lists():
    session = session_import(user=None, data=valid_data())

    org = session.organization
    assert (org.name, org.issuing_body, org.parent_body, org.place, org.style, org.code) == (
        "Viện kiểm sát nhân dân tỉnh Thái Bình",
        "Ban Cán sự Đảng VKSND tỉnh Thái Bình",
        "Ban Cán sự Đảng VKSND tối cao",
        "Thái Bình",
        "party",
        "BCSĐ",
    )
    assert session.title == "Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ"
    assert session.starts_at == dt.datetime(2023, 7, 3, 8, 0, tzinfo=HANOI)
    assert session.starts_at == dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC)
    assert session.venue == "Hội trường tầng 2"
    assert session.legal_basis == "Kế hoạch số 15-KH/BCSĐ, ngày 05/6/2023"
    assert session.rule_profile == "party-96-2023"
    assert session.status == SessionStatus.DRAFT
    assert session.ballots_issued is None

    officials = list(session.officials.order_by("order"))
    assert [(o.order, o.full_name, o.position) for o in officials] == [
        (1, "Nguyễn Văn An", "Viện trưởng"),
        (2, "Trần Thị Bình", "Phó Viện trưởng"),
        (3, "Lê Văn Cường", "Phó Viện trưởng"),
    ]
    delegates = list(session.delegates.order_by("order"))
    assert [d.order for d in delegates] == [1, 2, 3, 4, 5, 6]
    assert [d.attendance for d in delegates] == [
        Attendance.PRESENT,
        Attendance.PRESENT,
        Attendance.PRESENT,
        Attendance.PRESENT,
        Attendance.ABSENT,
        Attendance.UNKNOWN,
    ]
    assert [d.checked_in_at for d in delegates] == [session.starts_at] * 4 + [None, None]
    assert delegates[4].absence_reason == "Đi công tác"
    assert delegates[0].group == "Ủy viên Ban Cán sự Đảng"
    assert delegates[3].unit == "Phòng 1"


@pytest.mark.django_db
def test_officials_and_committee_are_linked_to_their_delegate_records():
    session = session_import(user=None, data=valid_data())

    links = {o.full_name: o.delegate for o in session.officials.select_related("delegate")}
    assert links["Nguyễn Văn An"].order == 1
    assert links["Trần Thị Bình"].order == 2
    assert links["Lê Văn Cường"] is None  # not a delegate
    chair = session.committee_members.get(role=CommitteeRole.CHAIR)
    member = session.committee_members.get(role=CommitteeRole.MEMBER)
    assert (chair.full_name, chair.delegate.order, chair.position) == (
        "Phạm Thị Dung",
        3,
        "Chánh Văn phòng",  # taken from the delegate record when the file gives none
    )
    assert (member.full_name, member.delegate.order) == ("Hoàng Văn Em", 4)


@pytest.mark.django_db
def test_import_writes_a_create_and_an_import_audit_entry_by_the_system():
    session = session_import(user=None, data=valid_data())

    entries = list(AuditEntry.objects.filter(session=session).order_by("pk"))
    assert [e.action for e in entries] == ["session.create", "session.import"]
    assert entries[1].data == {"officials": 3, "delegates": 6, "present": 4}
    assert all(e.user is None and e.username == "" for e in entries)
    assert entries[1].organization == session.organization


@pytest.mark.django_db
def test_time_chair_and_assembly_profile_are_optional_keys():
    data = valid_data()
    data.update(
        time="14:30",
        rule_profile="assembly-96-2023",
        chair={"name": "Nguyễn Văn An", "position": "Viện trưởng"},
    )
    session = session_import(user=None, data=data)

    assert session.starts_at == dt.datetime(2023, 7, 3, 14, 30, tzinfo=HANOI)
    assert session.rule_profile == "assembly-96-2023"
    assert (session.chair_name, session.chair_position) == ("Nguyễn Văn An", "Viện trưởng")


@pytest.mark.django_db
def test_defaults_when_optional_keys_are_absent():
    data = valid_data()
    for key in ("venue", "legal_basis", "rule_profile", "counting_committee"):
        del data[key]
    del data["organization"]["parent_body"]
    session = session_import(user=None, data=data)

    assert session.rule_profile == "party-96-2023"
    assert session.venue == session.legal_basis == session.chair_name == ""
    assert session.organization.parent_body == ""
    assert session.committee_members.count() == 0


@pytest.mark.django_db
def test_names_are_stored_nfc_with_spaces_folded():
    data = valid_data()
    decomposed = unicodedata.normalize("NFD", "  Nguyễn   Văn  An ")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    data["officials"][0]["name"] = decomposed
    data["delegates"][0]["name"] = decomposed
    session = session_import(user=None, data=data)

    official = session.officials.get(order=1)
    assert official.full_name == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", official.full_name)
    assert official.delegate.full_name == "Nguyễn Văn An"


@pytest.mark.django_db
def test_an_existing_organization_is_matched_by_name_and_left_as_it_is(org):
    data = valid_data()
    data["organization"].update(name=org.name, issuing_body="Something else", place="Hà Nội")
    before = Organization.objects.count()

    session = session_import(user=None, data=data)

    assert Organization.objects.count() == before
    assert session.organization == org
    org.refresh_from_db()
    assert (org.issuing_body, org.place) == ("Ban Cán sự Đảng VKSND tỉnh Quảng Ninh", "Quảng Ninh")


# --- linking rules --------------------------------------------------------------------------


@pytest.mark.django_db
def test_official_link_uses_the_position_when_two_delegates_share_the_name():
    data = valid_data()
    data["delegates"].append(
        {"name": "Nguyễn Văn An", "position": "Trưởng phòng", "unit": "Phòng 2", "present": True}
    )
    session = session_import(user=None, data=data)

    assert session.officials.get(order=1).delegate.order == 1


@pytest.mark.django_db
def test_official_is_not_linked_when_the_match_is_ambiguous():
    data = valid_data()
    data["delegates"].append(
        {"name": "nguyễn văn an", "position": "viện trưởng", "unit": "Phòng 2", "present": True}
    )
    session = session_import(user=None, data=data)

    assert session.officials.get(order=1).delegate is None
    assert session.officials.get(order=2).delegate.order == 2


@pytest.mark.django_db
def test_official_links_to_a_delegate_without_position_by_name_alone():
    data = valid_data()
    data["delegates"].append({"name": "Lê Văn Cường", "present": True})
    session = session_import(user=None, data=data)

    assert session.officials.get(order=3).delegate.order == 7


@pytest.mark.django_db
def test_committee_member_is_not_linked_when_two_delegates_share_the_name():
    data = valid_data()
    data["delegates"].append(
        {"name": "Hoàng Văn Em", "position": "Phó Trưởng phòng", "unit": "Phòng 3"}
    )
    session = session_import(user=None, data=data)

    member = session.committee_members.get(full_name="Hoàng Văn Em")
    assert member.delegate is None
    assert member.position == ""


# --- straight to counting -------------------------------------------------------------------


@pytest.mark.django_db
def test_ballots_issued_takes_the_session_through_voting_to_counting():
    data = valid_data()
    data["ballots_issued"] = 4
    session = session_import(user=None, data=data)

    session.refresh_from_db()
    assert session.status == SessionStatus.COUNTING
    assert session.ballots_issued == 4
    actions = list(session.audit_entries.order_by("pk").values_list("action", flat=True))
    assert actions == [
        "session.create",
        "session.import",
        "session.start_voting",
        "session.open_counting",
    ]


@pytest.mark.django_db
def test_more_ballots_than_present_is_refused_and_nothing_is_created():
    data = valid_data()
    data["ballots_issued"] = 5
    before = counts()

    with pytest.raises(DomainError) as exc:
        session_import(user=None, data=data)

    assert str(exc.value) == "ballots_issued: 5 ballots issued, but only 4 delegates are present."
    assert counts() == before


@pytest.mark.django_db
def test_no_quorum_with_ballots_issued_is_refused_and_nothing_is_created():
    data = valid_data()
    data["delegates"][3]["present"] = False  # 3 of 6 present; 2/3 of 6 = 4 needed
    data["ballots_issued"] = 3
    before = counts()

    with pytest.raises(DomainError) as exc:
        session_import(user=None, data=data)

    assert str(exc.value) == (
        "ballots_issued: No quorum: 3 of 6 delegates are present; at least 4 are needed."
    )
    assert counts() == before


@pytest.mark.django_db
def test_ballots_issued_without_a_committee_chair_is_refused():
    data = valid_data()
    data["counting_committee"] = [{"name": "Hoàng Văn Em", "role": "member"}]
    data["ballots_issued"] = 4
    before = counts()

    with pytest.raises(DomainError, match="Name the chair of the counting committee"):
        session_import(user=None, data=data)

    assert counts() == before


# --- validation: every problem named by its place in the file --------------------------------


def _set(path, value):
    """A mutation that sets data[a][b]... = value (value None deletes the key)."""

    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is None:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return mutate


def _append_delegate(row):
    def mutate(data):
        data["delegates"].append(row)

    return mutate


INVALID = [
    (_set(("organization",), None), "organization: this field is required"),
    (_set(("organization",), "VKSND"), "organization: must be an object ({...})"),
    (_set(("organization", "name"), None), "organization.name: this field is required"),
    (_set(("organization", "name"), "   "), "organization.name: this field is required"),
    (
        _set(("organization", "issuing_body"), None),
        "organization.issuing_body: this field is required",
    ),
    (_set(("organization", "place"), None), "organization.place: this field is required"),
    (_set(("organization", "code"), ""), "organization.code: this field is required"),
    (_set(("organization", "style"), None), "organization.style: this field is required"),
    (
        _set(("organization", "style"), "federal"),
        "organization.style: must be one of party, state",
    ),
    (
        _set(("organization", "adress"), "Hạ Long"),
        "organization.adress: unknown key (the keys are: name, issuing_body, parent_body, "
        "place, style, code)",
    ),
    (_set(("title",), None), "title: this field is required"),
    (_set(("title",), 2023), "title: must be a string (text in double quotes)"),
    (_set(("title",), "x" * 301), "title: at most 300 characters (it has 301)"),
    (_set(("date",), None), "date: this field is required"),
    (_set(("date",), "03/07/2023"), "date: not a date (YYYY-MM-DD)"),
    (_set(("date",), "2023-02-30"), "date: not a date (YYYY-MM-DD)"),
    (_set(("date",), "20230703"), "date: not a date (YYYY-MM-DD)"),
    (_set(("date",), 20230703), "date: not a date (YYYY-MM-DD)"),
    (_set(("time",), "8h"), "time: not a time (HH:MM, 24-hour)"),
    (_set(("time",), "25:00"), "time: not a time (HH:MM, 24-hour)"),
    (
        _set(("rule_profile",), "party-2014"),
        "rule_profile: must be one of party-96-2023, assembly-96-2023",
    ),
    (_set(("venue",), ["Hội trường"]), "venue: must be a string (text in double quotes)"),
    (_set(("chair",), {"position": "Viện trưởng"}), "chair.name: this field is required"),
    (_set(("officials",), None), "officials: this field is required"),
    (_set(("officials",), []), "officials: list at least one official to be rated"),
    (_set(("officials",), {"name": "A"}), "officials: must be a list ([...])"),
    (_set(("officials", 1), "Trần Thị Bình"), "officials[1]: must be an object ({...})"),
    (_set(("officials", 2, "name"), None), "officials[2].name: this field is required"),
    (_set(("officials", 2, "name"), ""), "officials[2].name: this field is required"),
    (_set(("officials", 0, "position"), None), "officials[0].position: this field is required"),
    (
        _set(("officials", 0, "name"), "x" * 201),
        "officials[0].name: at most 200 characters (it has 201)",
    ),
    (
        _set(("officials", 2), {"name": "trần thị  bình", "position": "Phó Viện trưởng"}),
        "officials[2]: listed twice (same as officials[1])",
    ),
    (_set(("delegates",), "all"), "delegates: must be a list ([...])"),
    (_set(("delegates", 0, "name"), None), "delegates[0].name: this field is required"),
    (
        _set(("delegates", 0, "name"), 123),
        "delegates[0].name: must be a string (text in double quotes)",
    ),
    (_set(("delegates", 0, "present"), "yes"), "delegates[0].present: must be true or false"),
    (_set(("delegates", 0, "present"), 1), "delegates[0].present: must be true or false"),
    (
        _set(("delegates", 0, "absence_reason"), "Nghỉ ốm"),
        "delegates[0].absence_reason: a delegate who is present has no reason for absence",
    ),
    (
        _set(("delegates", 0, "email"), "a@b.vn"),
        "delegates[0].email: unknown key (the keys are: name, position, unit, group, "
        "present, absence_reason)",
    ),
    (
        # Same person as delegates[1] (case and spaces do not make a new person).
        _set(
            ("delegates", 5),
            {"name": "TRẦN THỊ  BÌNH", "position": "phó viện trưởng", "unit": "VKSND tỉnh"},
        ),
        "delegates[5]: listed twice (same as delegates[1])",
    ),
    (
        _set(("counting_committee", 1, "role"), "chair"),
        "counting_committee[1].role: more than one chair (counting_committee[0] is the chair "
        "already)",
    ),
    (
        _set(("counting_committee", 1, "role"), "boss"),
        "counting_committee[1].role: must be one of chair, member",
    ),
    (
        _set(("counting_committee", 1, "name"), "Phạm Thị Dung"),
        "counting_committee[1]: listed twice (same as counting_committee[0])",
    ),
    (
        _set(("counting_committee", 0, "name"), None),
        "counting_committee[0].name: this field is required",
    ),
    (_set(("ballots_issued",), "4"), "ballots_issued: must be a whole number"),
    (_set(("ballots_issued",), 4.0), "ballots_issued: must be a whole number"),
    (_set(("ballots_issued",), True), "ballots_issued: must be a whole number"),
    (_set(("ballots_issued",), 0), "ballots_issued: must be at least 1"),
    (_set(("titel",), "Hội nghị"), "titel: unknown key"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("mutate", "message"), INVALID)
def test_invalid_file_is_refused_naming_the_field_and_nothing_is_created(mutate, message):
    data = valid_data()
    mutate(data)
    before = counts()

    with pytest.raises(DomainError) as exc:
        session_import(user=None, data=data)

    problems = str(exc.value).splitlines()
    assert any(p.startswith(message) for p in problems), problems
    assert counts() == before


@pytest.mark.django_db
def test_every_problem_is_reported_at_once():
    data = valid_data()
    data["date"] = "3/7/2023"
    data["officials"][2]["name"] = ""
    data["delegates"][1]["present"] = "có"

    with pytest.raises(DomainError) as exc:
        session_import(user=None, data=data)

    assert str(exc.value).splitlines() == [
        "date: not a date (YYYY-MM-DD)",
        "officials[2].name: this field is required",
        "delegates[1].present: must be true or false",
    ]
    assert Organization.objects.count() == 0


def test_validation_needs_no_database():
    checked = session_file_validate(data=valid_data())

    assert checked.present == 4
    assert [o.name for o in checked.officials] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]


def test_a_file_that_is_not_an_object_is_refused():
    with pytest.raises(DomainError, match=r"The file must hold one JSON object"):
        session_file_validate(data=[valid_data()])


def test_a_long_list_of_problems_is_cut_short():
    data = valid_data()
    data["delegates"] = [{"present": True} for _ in range(40)]

    with pytest.raises(DomainError) as exc:
        session_file_validate(data=data)

    lines = str(exc.value).splitlines()
    assert len(lines) == 31
    assert lines[0] == "delegates[0].name: this field is required"
    assert lines[-1] == "… and 10 more problems."


# --- reading the file -----------------------------------------------------------------------


def test_load_reads_utf8_json_with_or_without_a_bom(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"title": "Hội nghị"}).encode())
    assert session_file_load(path=path) == {"title": "Hội nghị"}


def test_load_refuses_a_missing_file(tmp_path):
    with pytest.raises(DomainError, match="^file not found$"):
        session_file_load(path=tmp_path / "missing.json")


def test_load_refuses_a_directory(tmp_path):
    with pytest.raises(DomainError, match="^not a file$"):
        session_file_load(path=tmp_path)


def test_load_refuses_a_file_that_is_not_utf8_with_its_line_and_column(tmp_path):
    path = tmp_path / "s.json"
    # "Hội nghị" as Windows-1258 writes it: ô is 0xF4, the dot below 0xF2.
    path.write_bytes(b'{\n  "title": "H\xf4\xf2i ngh\xec\xf2"\n}')

    with pytest.raises(DomainError) as exc:
        session_file_load(path=path)

    assert str(exc.value) == (
        "not UTF-8 text (line 2, column 14): save the file as UTF-8 and try again"
    )


def test_load_refuses_malformed_json_with_its_line_and_column(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{\n  "title": "Hội nghị",\n  "date": 2023-07-03\n}', encoding="utf-8")

    with pytest.raises(DomainError) as exc:
        session_file_load(path=path)

    assert str(exc.value) == "not valid JSON: Expecting ',' delimiter (line 3, column 15)"


def test_load_refuses_a_key_given_twice(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"title": "A", "title": "B"}', encoding="utf-8")

    with pytest.raises(DomainError, match='the key "title" appears twice'):
        session_file_load(path=path)


def test_load_refuses_a_file_over_the_size_limit(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1024
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"title": "x" * 2000}), encoding="utf-8")

    with pytest.raises(DomainError, match=r"too large \(2013 bytes; at most 1024\)"):
        session_file_load(path=path)


@pytest.mark.django_db
def test_import_file_reads_and_imports(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(valid_data(), ensure_ascii=False), encoding="utf-8")

    session = session_import_file(user=None, path=path)

    assert session.officials.count() == 3
    assert session.delegates.count() == 6


@pytest.mark.django_db
def test_the_data_passed_in_is_not_changed():
    data = valid_data()
    original = copy.deepcopy(data)
    session_import(user=None, data=data)
    assert data == original


# --- committee accounts ("username") ------------------------------------------------------


def _with_usernames(*usernames) -> dict:
    data = valid_data()
    for entry, username in zip(data["counting_committee"], usernames, strict=False):
        if username is not None:
            entry["username"] = username
    return data


@pytest.mark.django_db
def test_a_username_links_the_account_and_gives_it_the_counting_role_in_the_organization():

    dung = make_user("dung.pt")
    data = _with_usernames("dung.pt")
    data["ballots_issued"] = 4
    session = session_import(user=None, data=data)

    chair = session.committee_members.get(role=CommitteeRole.CHAIR)
    assert chair.user == dung
    assert session.committee_members.get(role=CommitteeRole.MEMBER).user is None
    assert list(Membership.objects.filter(user=dung).values_list("organization", "role")) == [
        (session.organization_id, Role.COUNTING)
    ]
    # The account can now do what the chair does: the session can be closed in the browser.
    access = access_for(user=dung, session=session)
    assert access.can("chair") and access.can("confirm_result")
    grant = AuditEntry.objects.get(session=session, action="membership.create")
    assert grant.data == {"account": "dung.pt"}
    assert grant.user is None


@pytest.mark.django_db
def test_an_account_that_already_holds_the_role_is_linked_without_a_new_membership(org):

    data = valid_data()
    data["organization"]["name"] = org.name
    em = make_user("em.hv", organization=org, roles=[Role.COUNTING, Role.LEADERSHIP])
    data["counting_committee"][1]["username"] = "em.hv"

    session = session_import(user=None, data=data)

    assert session.committee_members.get(full_name="Hoàng Văn Em").user == em
    assert Membership.objects.filter(user=em).count() == 2
    assert not AuditEntry.objects.filter(action="membership.create").exists()


@pytest.mark.django_db
def test_an_unknown_username_is_refused_naming_the_entry_and_nothing_is_created():

    make_user("dung.pt")
    data = _with_usernames("dung.pt", "khong-co")
    before = counts()

    with pytest.raises(DomainError) as exc:
        session_import(user=None, data=data)

    assert str(exc.value).splitlines() == [
        "counting_committee[1].username: there is no user account khong-co "
        "(create it first, or leave the key out)"
    ]
    assert counts() == before


@pytest.mark.django_db
def test_a_disabled_account_is_refused():

    user = make_user("dung.pt")
    user.is_active = False
    user.save()

    with pytest.raises(DomainError) as exc:
        session_import(user=None, data=_with_usernames("dung.pt"))

    assert str(exc.value) == (
        "counting_committee[0].username: the user account dung.pt is disabled"
    )


@pytest.mark.parametrize(
    ("usernames", "message"),
    [
        (("same", "same"), "counting_committee[1].username: the account same is already given "
         "to counting_committee[0]"),
        ((7,), "counting_committee[0].username: must be a string"),
        (("  ",), "counting_committee[0].username: leave the key out, or name an existing"),
    ],
)  # fmt: skip
def test_usernames_are_checked_with_the_file(usernames, message):
    with pytest.raises(DomainError) as exc:
        session_file_validate(data=_with_usernames(*usernames))

    assert any(p.startswith(message) for p in str(exc.value).splitlines()), str(exc.value)


@pytest.mark.django_db
def test_a_file_without_usernames_leaves_the_members_without_accounts():
    session = session_import(user=None, data=valid_data())

    assert list(session.committee_members.values_list("user", flat=True)) == [None, None]
    assert not AuditEntry.objects.filter(action="membership.create").exists()
