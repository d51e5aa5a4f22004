"""attendance_mark: the states, the check-in time, the lock and the audit trail."""

import datetime as dt

import pytest
from django.utils import timezone

from sessions.errors import DomainError
from sessions.models import Attendance, AuditEntry, SessionStatus
from sessions.selectors import attendance_summary
from sessions.services.attendance import attendance_mark
from tests.factories import make_delegate, make_ready_session, make_session


def entries(session):
    return AuditEntry.objects.filter(session=session, action="delegate.attendance")


def test_present_records_the_check_in_time(secretariat, session):
    delegate = make_delegate(session)
    before = timezone.now()
    result = attendance_mark(
        user=secretariat, session=session, delegate=delegate, status=Attendance.PRESENT
    )
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.PRESENT
    assert before <= delegate.checked_in_at <= timezone.now()
    assert result.checked_in_at == delegate.checked_in_at


def test_present_again_keeps_the_first_check_in_and_writes_no_second_entry(secretariat, session):
    first = dt.datetime(2023, 7, 3, 7, 40, tzinfo=dt.UTC)
    delegate = make_delegate(session, attendance=Attendance.PRESENT, checked_in_at=first)
    attendance_mark(user=secretariat, session=session, delegate=delegate, status=Attendance.PRESENT)
    delegate.refresh_from_db()
    assert delegate.checked_in_at == first
    assert entries(session).count() == 0


def test_absent_stores_the_cleaned_reason_and_clears_the_check_in(secretariat, session):
    delegate = make_delegate(session, attendance=Attendance.PRESENT, checked_in_at=timezone.now())
    attendance_mark(
        user=secretariat,
        session=session,
        delegate=delegate,
        status=Attendance.ABSENT,
        reason="  Ốm,   có   giấy   xin phép ",
    )
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.ABSENT
    assert delegate.absence_reason == "Ốm, có giấy xin phép"
    assert delegate.checked_in_at is None


def test_absent_without_reason_is_allowed(secretariat, session):
    delegate = make_delegate(session)
    attendance_mark(user=secretariat, session=session, delegate=delegate, status=Attendance.ABSENT)
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.ABSENT
    assert delegate.absence_reason == ""


def test_present_after_absent_drops_the_reason(secretariat, session):
    delegate = make_delegate(session, attendance=Attendance.ABSENT, absence_reason="Công tác")
    attendance_mark(user=secretariat, session=session, delegate=delegate, status=Attendance.PRESENT)
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.PRESENT
    assert delegate.absence_reason == ""
    assert delegate.checked_in_at is not None


def test_unknown_clears_everything(secretariat, session):
    delegate = make_delegate(session, attendance=Attendance.ABSENT, absence_reason="Công tác")
    attendance_mark(user=secretariat, session=session, delegate=delegate, status=Attendance.UNKNOWN)
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN
    assert delegate.absence_reason == ""
    assert delegate.checked_in_at is None


def test_audit_entry_has_before_and_after(secretariat, session):
    delegate = make_delegate(session, full_name="Đỗ Thị Hằng")
    attendance_mark(
        user=secretariat,
        session=session,
        delegate=delegate,
        status=Attendance.ABSENT,
        reason="Nghỉ phép",
    )
    entry = entries(session).get()
    assert entry.user == secretariat
    assert entry.data["delegate_id"] == delegate.pk
    assert entry.data["full_name"] == "Đỗ Thị Hằng"
    assert entry.data["before"] == {
        "attendance": "unknown",
        "absence_reason": "",
        "checked_in_at": None,
    }
    assert entry.data["after"] == {
        "attendance": "absent",
        "absence_reason": "Nghỉ phép",
        "checked_in_at": None,
    }


def test_counts_follow_the_marks(secretariat, org):
    session = make_ready_session(org, convened=31, present=20)
    assert attendance_summary(session=session).quorum_met is False
    delegate = session.delegates.filter(attendance=Attendance.UNKNOWN).first()
    attendance_mark(user=secretariat, session=session, delegate=delegate, status=Attendance.PRESENT)
    summary = attendance_summary(session=session)
    assert (summary.present, summary.convened, summary.quorum_required) == (21, 31, 21)
    assert summary.quorum_met is True


@pytest.mark.parametrize("status", [SessionStatus.VOTING, SessionStatus.COUNTING])
def test_locked_lists_are_refused(secretariat, org, status):
    session = make_ready_session(org, convened=31, present=28)
    session.status = status
    session.ballots_issued = 28
    session.save()
    delegate = session.delegates.filter(attendance=Attendance.UNKNOWN).first()
    with pytest.raises(DomainError, match="the lists are locked"):
        attendance_mark(
            user=secretariat, session=session, delegate=delegate, status=Attendance.PRESENT
        )
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN
    assert entries(session).count() == 0


def test_the_lock_is_read_from_the_database_not_the_callers_copy(secretariat, org):
    session = make_ready_session(org)
    stale = type(session).objects.get(pk=session.pk)
    session.status = SessionStatus.VOTING
    session.save()
    delegate = session.delegates.filter(attendance=Attendance.UNKNOWN).first()
    with pytest.raises(DomainError):
        attendance_mark(
            user=secretariat, session=stale, delegate=delegate, status=Attendance.PRESENT
        )


def test_delegate_of_another_session_is_refused(secretariat, org, session):
    stranger = make_delegate(make_session(org))
    with pytest.raises(DomainError, match="not on this session's list"):
        attendance_mark(
            user=secretariat, session=session, delegate=stranger, status=Attendance.PRESENT
        )
    stranger.refresh_from_db()
    assert stranger.attendance == Attendance.UNKNOWN


def test_unknown_status_is_refused(secretariat, session):
    delegate = make_delegate(session)
    with pytest.raises(DomainError) as excinfo:
        attendance_mark(user=secretariat, session=session, delegate=delegate, status="late")
    assert excinfo.value.field == "status"
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN


def test_too_long_reason_is_refused_without_saving(secretariat, session):
    delegate = make_delegate(session)
    with pytest.raises(DomainError) as excinfo:
        attendance_mark(
            user=secretariat,
            session=session,
            delegate=delegate,
            status=Attendance.ABSENT,
            reason="x" * 301,
        )
    assert excinfo.value.field == "absence_reason"
    delegate.refresh_from_db()
    assert delegate.attendance == Attendance.UNKNOWN
    assert entries(session).count() == 0
