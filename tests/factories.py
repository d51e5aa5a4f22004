"""Plain helpers that make test data with sensible Vietnamese defaults."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from sessions.models import (
    Attendance,
    CommitteeMember,
    CommitteeRole,
    Delegate,
    Membership,
    Official,
    Organization,
    VoteSession,
    delegate_keys,
)

PASSWORD = "mat-khau-thu-nghiem-2023"
_counter = itertools.count(1)


def make_organization(**fields) -> Organization:
    n = next(_counter)
    defaults = {
        "name": f"Viện kiểm sát nhân dân tỉnh Thử Nghiệm {n}",
        "issuing_body": f"Ban Cán sự Đảng VKSND tỉnh Thử Nghiệm {n}",
        "parent_body": "Ban Cán sự Đảng VKSND tối cao",
        "place": "Quảng Ninh",
        "style": "party",
        "code": "BCSĐ",
    }
    return Organization.objects.create(**{**defaults, **fields})


def make_user(username: str, *, organization: Organization | None = None, roles=()):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    for role in roles:
        Membership.objects.create(user=user, organization=organization, role=role)
    return user


def make_session(organization: Organization, **fields) -> VoteSession:
    defaults = {
        "title": "Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ",
        "starts_at": dt.datetime(2023, 7, 3, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        "venue": "Hội trường tầng 3",
        "legal_basis": "Kế hoạch số 72-KH/BCSĐ, ngày 01/6/2023",
        "chair_name": "Nguyễn Văn Chủ",
        "chair_position": "Viện trưởng",
    }
    return VoteSession.objects.create(organization=organization, **{**defaults, **fields})


def make_official(session: VoteSession, **fields) -> Official:
    order = session.officials.count() + 1
    defaults = {"full_name": f"Trần Văn Cán {order}", "position": "Phó Viện trưởng", "order": order}
    return Official.objects.create(session=session, **{**defaults, **fields})


def make_delegate(session: VoteSession, **fields) -> Delegate:
    order = session.delegates.count() + 1
    defaults = {
        "full_name": f"Lê Thị Đại Biểu {order}",
        "position": "Trưởng phòng",
        "unit": "Phòng 1",
        "group": "Trưởng các phòng",
        "order": order,
    }
    values = {**defaults, **fields}
    keys = delegate_keys(
        **{k: values.get(k, "") for k in ("full_name", "position", "unit", "group")}
    )
    return Delegate.objects.create(session=session, **keys, **values)


def make_delegates(session: VoteSession, convened: int, present: int) -> list[Delegate]:
    now = dt.datetime(2023, 7, 3, 7, 45, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    delegates = []
    for i in range(convened):
        if i < present:
            delegates.append(
                make_delegate(session, attendance=Attendance.PRESENT, checked_in_at=now)
            )
        else:
            delegates.append(make_delegate(session))
    return delegates


def make_committee_member(session: VoteSession, **fields) -> CommitteeMember:
    n = session.committee_members.count() + 1
    defaults = {"full_name": f"Phạm Văn Kiểm {n}", "role": CommitteeRole.MEMBER}
    return CommitteeMember.objects.create(session=session, **{**defaults, **fields})


def make_ready_session(organization: Organization, *, convened=31, present=28, officials=5):
    """A draft session that may start voting: officials, a quorum present, a committee chair."""
    session = make_session(organization)
    for _ in range(officials):
        make_official(session)
    make_delegates(session, convened, present)
    make_committee_member(session, role=CommitteeRole.CHAIR, full_name="Đỗ Văn Chánh")
    return session
