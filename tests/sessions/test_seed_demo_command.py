"""manage.py seed_demo: the seed case of docs/domain.md, one login per role, idempotent."""

import datetime as dt
import json
import unicodedata
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from sessions.demo import SEED_FILE
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
from sessions.services.session_import import session_file_validate

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
ORG_NAME = "Viện kiểm sát nhân dân tỉnh Quảng Ninh"
DISTRICTS = [
    "Hạ Long",
    "Cẩm Phả",
    "Uông Bí",
    "Móng Cái",
    "Đông Triều",
    "Quảng Yên",
    "Vân Đồn",
    "Tiên Yên",
    "Hải Hà",
    "Bình Liêu",
    "Đầm Hà",
    "Ba Chẽ",
    "Cô Tô",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def demo_session() -> VoteSession:
    return VoteSession.objects.get(organization__name=ORG_NAME)


def snapshot() -> dict:
    """Every row the demo owns, by id: equal snapshots mean nothing was added or replaced."""
    User = get_user_model()
    return {
        "organizations": list(Organization.objects.order_by("pk").values_list("pk", flat=True)),
        "sessions": list(VoteSession.objects.order_by("pk").values_list("pk", flat=True)),
        "officials": list(Official.objects.order_by("pk").values_list("pk", "delegate_id")),
        "delegates": list(Delegate.objects.order_by("pk").values_list("pk", "attendance")),
        "committee": list(CommitteeMember.objects.order_by("pk").values_list("pk", "user_id")),
        "users": list(User.objects.order_by("pk").values_list("pk", "username")),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", flat=True)),
        "audit": AuditEntry.objects.count(),
    }


# --- the seed case --------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_creates_the_organization_and_the_session_in_draft(debug):
    seed()

    org = Organization.objects.get(name=ORG_NAME)
    assert (org.issuing_body, org.parent_body, org.place, org.style, org.code) == (
        "Ban Cán sự Đảng VKSND tỉnh Quảng Ninh",
        "Tỉnh ủy Quảng Ninh",
        "Quảng Ninh",
        "party",
        "BCSĐ",
    )
    session = demo_session()
    assert session.title == (
        "Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ đối với các chức danh lãnh đạo "
        "VKSND tỉnh Quảng Ninh"
    )
    assert session.starts_at == dt.datetime(2023, 7, 3, 8, 0, tzinfo=HANOI)
    assert session.legal_basis == (
        "Thực hiện Quy định số 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị, Kế hoạch số "
        "19-KH/BCSĐ của Ban Cán sự Đảng VKSND tối cao và Kế hoạch số 72-KH/BCSĐ, ngày "
        "01/6/2023 của Ban Cán sự Đảng VKSND tỉnh Quảng Ninh về việc lấy phiếu tín nhiệm giữa "
        "nhiệm kỳ đối với chức danh lãnh đạo, quản lý"
    )
    assert session.rule_profile == "party-96-2023"
    assert session.status == SessionStatus.DRAFT
    assert session.ballots_issued is None
    # The seed's people: the chair and his positions, the signature form, the secretary.
    assert session.chair_name == "Lương Phúc Sơn"
    assert session.chair_position == (
        "Ủy viên Ban Chấp hành Tỉnh ủy, Bí thư Ban Cán sự đảng, Viện trưởng"
    )
    assert (session.signer_on_behalf, session.signer_title) == ("T/M BAN CÁN SỰ ĐẢNG", "BÍ THƯ")
    assert session.report_to.splitlines()[0] == "Ban Cán sự Đảng Viện kiểm sát nhân dân tối cao"


@pytest.mark.django_db
def test_seed_has_five_officials_in_ballot_order_linked_to_their_delegate_records(debug):
    seed()

    officials = list(demo_session().officials.select_related("delegate").order_by("order"))
    assert [(o.order, o.full_name, o.position) for o in officials] == [
        (1, "Lương Phúc Sơn", "Bí thư Ban Cán sự đảng, Viện trưởng"),
        (2, "Trần Thị Thu Hương", "Ủy viên Ban Cán sự Đảng, Phó Viện trưởng"),
        (3, "Phạm Quang Huy", "Ủy viên Ban Cán sự Đảng, Phó Viện trưởng"),
        (4, "Vũ Đức Thắng", "Ủy viên Ban Cán sự Đảng, Phó Viện trưởng"),
        (5, "Hoàng Minh Tuấn", "Ủy viên Ban Cán sự Đảng, Phó Viện trưởng"),
    ]
    for official in officials:
        assert official.delegate is not None
        assert official.delegate.full_name == official.full_name
        assert official.delegate.group == "Ủy viên Ban Cán sự Đảng"
        assert official.delegate.attendance == Attendance.PRESENT


@pytest.mark.django_db
def test_seed_has_31_delegates_28_present_3_absent_with_reasons(debug):
    seed()

    session = demo_session()
    delegates = list(session.delegates.order_by("order"))
    assert len(delegates) == 31
    assert [d.order for d in delegates] == list(range(1, 32))
    present = [d for d in delegates if d.attendance == Attendance.PRESENT]
    absent = [d for d in delegates if d.attendance == Attendance.ABSENT]
    assert (len(present), len(absent)) == (28, 3)
    assert all(d.checked_in_at == session.starts_at for d in present)
    assert {d.absence_reason for d in absent} == {"Nghỉ ốm", "Nghỉ phép", "Đi công tác"}
    assert all(d.checked_in_at is None for d in absent)


@pytest.mark.django_db
def test_seed_delegates_come_from_the_five_groups_of_the_domain(debug):
    seed()

    delegates = list(demo_session().delegates.all())
    by_group: dict[str, int] = {}
    for d in delegates:
        by_group[d.group] = by_group.get(d.group, 0) + 1
    assert by_group == {
        "Ủy viên Ban Cán sự Đảng": 5,
        "Ủy viên Ban Chấp hành Đảng bộ cơ quan": 3,
        "Trưởng các phòng và tương đương": 7,
        "Người đứng đầu các tổ chức chính trị - xã hội": 3,
        "Viện trưởng VKSND cấp huyện": 13,
    }
    district_units = sorted(d.unit for d in delegates if d.group == "Viện trưởng VKSND cấp huyện")
    for district in DISTRICTS:
        assert sum(unit.endswith(district) for unit in district_units) == 1, district
    positions = {d.position for d in delegates}
    mass_organisations = {
        "Chủ tịch Công đoàn cơ sở",
        "Bí thư Đoàn Thanh niên",
        "Chủ tịch Hội Cựu chiến binh",
    }
    assert mass_organisations <= positions
    assert sum(d.position == "Trưởng phòng" for d in delegates) == 6


@pytest.mark.django_db
def test_seed_committee_is_headed_by_the_office_chief(debug):
    seed()

    committee = list(demo_session().committee_members.select_related("delegate"))
    assert len(committee) == 3
    chair = [m for m in committee if m.role == CommitteeRole.CHAIR]
    assert len(chair) == 1
    assert chair[0].full_name == "Lưu Văn Hưng"
    assert chair[0].position == "Chánh Văn phòng tổng hợp"
    assert chair[0].delegate.position == "Chánh Văn phòng tổng hợp"
    members = [m for m in committee if m.role == CommitteeRole.MEMBER]
    assert len(members) == 2
    assert all(m.delegate is not None and m.delegate.is_present for m in committee)


@pytest.mark.django_db
def test_seed_names_are_nfc_with_vietnamese_diacritics(debug):
    seed()

    session = demo_session()
    texts = [session.title, session.legal_basis, session.organization.name]
    for d in session.delegates.all():
        texts += [d.full_name, d.position, d.unit, d.group, d.absence_reason]
    texts += [o.full_name for o in session.officials.all()]
    texts += [m.full_name for m in session.committee_members.all()]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    assert session.officials.get(order=4).full_name == "Vũ Đức Thắng"
    assert "ư" in session.officials.get(order=2).full_name  # Hương


@pytest.mark.django_db
def test_seed_writes_the_create_and_import_audit_entries(debug):
    seed()

    session = demo_session()
    actions = sorted(session.audit_entries.values_list("action", flat=True))
    assert actions == [
        "committee.update",
        "committee.update",
        "committee.update",
        "session.create",
        "session.import",
    ]
    entry = session.audit_entries.get(action="session.import")
    assert entry.data == {"officials": 5, "delegates": 31, "present": 28}


def test_seed_file_is_an_import_session_file():
    data = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    checked = session_file_validate(data=data)

    assert (len(checked.officials), len(checked.delegates), checked.present) == (5, 31, 28)
    assert "ballots_issued" not in data  # the demo stays in draft
    assert unicodedata.is_normalized("NFC", SEED_FILE.read_text(encoding="utf-8"))


# --- the demo accounts ----------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_creates_one_login_per_role_and_an_admin(debug):
    seed()

    User = get_user_model()
    org = Organization.objects.get(name=ORG_NAME)
    expected = {
        "vanphong": Role.SECRETARIAT,
        "kiemphieu": Role.COUNTING,
        "kiemphieu2": Role.COUNTING,
        "lanhdao": Role.LEADERSHIP,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password("demo12345")
        assert not user.is_staff
        roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        assert roles == {role}
        assert Membership.objects.get(user=user).organization == org
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("demo12345")


@pytest.mark.django_db
def test_counting_logins_sit_on_the_committee(debug):
    seed()

    session = demo_session()
    chair = session.committee_members.get(role=CommitteeRole.CHAIR)
    assert chair.user.username == "kiemphieu"
    seated = session.committee_members.get(user__username="kiemphieu2")
    assert seated.role == CommitteeRole.MEMBER
    assert seated.full_name == "Lê Văn Khải"


@pytest.mark.django_db
def test_seed_prints_the_url_and_every_login(debug):
    out = seed()

    assert "Created the demo session" in out
    assert "5 officials, 31 delegates (28 present, 3 absent)" in out
    assert "http://127.0.0.1:8000/" in out
    lines = out.splitlines()
    for username, role in [
        ("vanphong", "Secretariat"),
        ("kiemphieu", "Counting committee (Lưu Văn Hưng, Chair"),
        ("kiemphieu2", "Counting committee (Lê Văn Khải, Member)"),
        ("lanhdao", "Leadership"),
        ("admin", "Django admin"),
    ]:
        row = next(line for line in lines if line.split()[:1] == [username])
        assert row.split()[1] == "demo12345"
        assert role in row


# --- idempotency ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_run_changes_nothing_and_says_the_session_exists(debug):
    seed()
    first = snapshot()

    out = seed()

    assert snapshot() == first
    session = demo_session()
    assert f"already exists (id {session.pk})" in out
    assert "http://127.0.0.1:8000/" in out
    assert "kiemphieu2" in out
    assert VoteSession.objects.count() == 1
    assert session.delegates.count() == 31
    assert session.officials.count() == 5
    assert session.committee_members.count() == 3


@pytest.mark.django_db
def test_second_run_keeps_attendance_and_passwords_someone_changed(debug):
    seed()
    session = demo_session()
    absent = session.delegates.filter(attendance=Attendance.ABSENT).order_by("order").first()
    Delegate.objects.filter(pk=absent.pk).update(
        attendance=Attendance.PRESENT, absence_reason="", checked_in_at=session.starts_at
    )
    user = get_user_model().objects.get(username="vanphong")
    user.set_password("mat-khau-moi-2023")
    user.save()

    out = seed()

    absent.refresh_from_db()
    assert absent.attendance == Attendance.PRESENT
    assert session.delegates.filter(attendance=Attendance.PRESENT).count() == 29
    user.refresh_from_db()
    assert user.check_password("mat-khau-moi-2023")
    assert (
        "keep their current password: vanphong, kiemphieu, kiemphieu2, kiemphieu3, lanhdao, admin"
        in out
    )


@pytest.mark.django_db
def test_seed_adds_missing_logins_to_an_existing_demo(debug):
    seed()
    get_user_model().objects.filter(username="kiemphieu2").delete()
    before = VoteSession.objects.get().pk

    seed()

    session = demo_session()
    assert session.pk == before
    assert session.committee_members.get(user__username="kiemphieu2").full_name == "Lê Văn Khải"


# --- safety ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="published password"):
        seed()

    assert Organization.objects.count() == 0
    assert get_user_model().objects.count() == 0


@pytest.mark.django_db
def test_seed_runs_with_debug_off_when_forced(settings):
    settings.DEBUG = False

    seed(force=True)

    assert demo_session().delegates.count() == 31
