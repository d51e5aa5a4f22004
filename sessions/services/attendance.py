"""Attendance at the meeting: who is present, who is absent and why."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confidence_vote.lib.text import clean_text
from sessions.access import User
from sessions.audit import audit_record, snapshot
from sessions.errors import DomainError
from sessions.models import Attendance, Delegate, VoteSession
from sessions.services.common import lock_open_session, validate

ATTENDANCE_FIELDS = ["attendance", "absence_reason", "checked_in_at"]


@transaction.atomic
def attendance_mark(
    *,
    user: User | None,
    session: VoteSession,
    delegate: Delegate,
    status: str,
    reason: str = "",
) -> Delegate:
    """Record one delegate as present, absent (with an optional reason) or not recorded.

    Marking someone present who already is keeps their first check-in time.
    """
    if status not in Attendance.values:
        raise DomainError(_("Unknown attendance status."), field="status")
    # The session row lock serialises marks, so the live count stays consistent.
    session = lock_open_session(session)
    found = session.delegates.filter(pk=delegate.pk).first()
    if found is None:
        raise DomainError(_("This delegate is not on this session's list."))
    delegate = found
    before = snapshot(delegate, ATTENDANCE_FIELDS)

    if status == Attendance.PRESENT:
        if delegate.attendance != Attendance.PRESENT or delegate.checked_in_at is None:
            delegate.checked_in_at = timezone.now()
        delegate.absence_reason = ""
    elif status == Attendance.ABSENT:
        delegate.checked_in_at = None
        delegate.absence_reason = clean_text(reason)
    else:
        delegate.checked_in_at = None
        delegate.absence_reason = ""
    delegate.attendance = status

    after = snapshot(delegate, ATTENDANCE_FIELDS)
    if after == before:
        return delegate
    validate(delegate)
    delegate.save(update_fields=[*ATTENDANCE_FIELDS])
    audit_record(
        action="delegate.attendance",
        user=user,
        session=session,
        data={
            "delegate_id": delegate.pk,
            "full_name": delegate.full_name,
            "before": before,
            "after": after,
        },
    )
    return delegate
