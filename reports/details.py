"""The facts the documents print beyond the count, entered on the sign-off page by the
committee chair before certification: when the count ended and the result was announced,
witnesses and complaints, each document's number, and for elected bodies the confirming
resolution (its number, the meeting that passed it, the approval vote, the day)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confidence_vote.lib.text import clean_text
from reports.models import ResultDetails
from sessions import lifecycle
from sessions.access import require
from sessions.audit import audit_record, changes, snapshot
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.selectors import attendance_summary
from sessions.services.common import lock_session, validate

DETAIL_FIELDS = [
    "count_ended_at",
    "announced_at",
    "witnesses",
    "complaints",
    "minutes_number",
    "report_number",
    "resolution_number",
    "resolution_votes_for",
    "resolution_passed_on",
]
RESOLUTION_FIELDS = ("resolution_number", "resolution_votes_for", "resolution_passed_on")


def details_for(session: VoteSession) -> ResultDetails:
    """The session's details, or a blank unsaved one."""
    return ResultDetails.objects.filter(session=session).first() or ResultDetails(session=session)


def default_moment(session: VoteSession) -> dt.datetime:
    """Now's time of day on the session's date (the form's initial end and announcement time)."""
    now = timezone.localtime()
    day = timezone.localtime(session.starts_at).date()
    return timezone.make_aware(
        dt.datetime.combine(day, now.time().replace(second=0, microsecond=0)),
        timezone.get_current_timezone(),
    )


def _check(session: VoteSession, values: dict) -> None:
    starts_at = session.starts_at
    ended, announced = values.get("count_ended_at"), values.get("announced_at")
    if ended is not None and ended < starts_at:
        raise DomainError(
            _("The count cannot end before the session starts (%(start)s).")
            % {"start": timezone.localtime(starts_at).strftime("%H:%M %d/%m/%Y")},
            field="count_ended_at",
        )
    if announced is not None and announced < (ended or starts_at):
        raise DomainError(
            _("The result cannot be announced before the count ends."), field="announced_at"
        )
    elected = session.profile.body == "elected"
    if not elected and any(values.get(name) not in (None, "") for name in RESOLUTION_FIELDS):
        raise DomainError(
            _(
                "A resolution confirming the result is passed by elected bodies only; this "
                "session follows %(profile)s."
            )
            % {"profile": session.profile.name},
            field="resolution_number",
        )
    votes_for = values.get("resolution_votes_for")
    if votes_for is not None:
        deputies = attendance_summary(session=session).convened
        if votes_for > deputies:
            raise DomainError(
                _(
                    "%(votes)d deputies voting for the resolution is more than the "
                    "%(deputies)d deputies of this session."
                )
                % {"votes": votes_for, "deputies": deputies},
                field="resolution_votes_for",
            )
    passed_on = values.get("resolution_passed_on")
    if passed_on is not None and passed_on < timezone.localtime(starts_at).date():
        raise DomainError(
            _("The resolution cannot pass before the session starts."),
            field="resolution_passed_on",
        )


@transaction.atomic
def result_details_update(
    *, user, session: VoteSession, meeting_body: str | None = None, **values
) -> ResultDetails:
    """The committee chair records the documents' facts while the count is closed and not
    yet certified. Refused, with nothing saved: an end time before the session's start, an
    announcement before the end, a resolution for a body that passes none, more deputies
    voting for it than the session has."""
    unknown = set(values) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"not a result detail: {sorted(unknown)}")
    session = lock_session(session)
    require(user=user, session=session, capability="chair")
    lifecycle.transition_check(session, "certify")
    values = {
        name: clean_text(value) if isinstance(value, str) else value
        for name, value in values.items()
    }
    _check(session, values)
    details = details_for(session)
    before = snapshot(details, DETAIL_FIELDS) if details.pk else {}
    for name, value in values.items():
        setattr(details, name, value)
    validate(details)
    details.save()
    diff = changes(before, snapshot(details, DETAIL_FIELDS))
    if meeting_body is not None and clean_text(meeting_body) != session.meeting_body:
        diff["meeting_body"] = [session.meeting_body, clean_text(meeting_body)]
        session.meeting_body = clean_text(meeting_body)
        validate(session)
        session.save(update_fields=["meeting_body", "updated_at"])
    if diff:
        audit_record(action="result.details", user=user, session=session, data=diff)
    return details
