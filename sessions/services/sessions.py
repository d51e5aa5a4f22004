"""Writes on the vote session itself: create, edit, lock for voting, unlock, open counting."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from confidence_vote.lib.text import clean_paragraphs, clean_text
from sessions import lifecycle
from sessions.access import User
from sessions.audit import audit_record, changes, snapshot
from sessions.errors import DomainError
from sessions.models import CommitteeRole, Organization, VoteSession
from sessions.selectors import attendance_summary
from sessions.services.common import lock_session, validate

# One-line texts (printed in document headers) and the several-line legal basis.
LINE_FIELDS = ("title", "venue", "chair_name", "chair_position")
PARAGRAPH_FIELDS = ("legal_basis",)


def _clean(name: str, value):
    """The stored form of a field's value: NFC, no invisible or direction characters."""
    if name in LINE_FIELDS:
        return clean_text(value)
    if name in PARAGRAPH_FIELDS:
        return clean_paragraphs(value)
    return value


EDITABLE_FIELDS = [
    "title",
    "rule_profile",
    "legal_basis",
    "starts_at",
    "venue",
    "chair_name",
    "chair_position",
    "double_entry",
]
# What the documents say about the session beyond the above: the percentage base, the body's
# words, the signature, the secretary, supervisors and recipients (all text, may be empty).
DOCUMENT_FIELDS = [
    "percentage_base",
    "meeting_body",
    "presiding_word",
    "counting_body_word",
    "counting_head_word",
    "counting_member_word",
    "signer_on_behalf",
    "signer_deputy_of",
    "signer_title",
    "secretary_name",
    "supervisors",
    "report_to",
]
EDITABLE_FIELDS += DOCUMENT_FIELDS


@transaction.atomic
def session_create(
    *,
    user: User | None,
    organization: Organization,
    title: str,
    starts_at: datetime,
    rule_profile: str,
    legal_basis: str = "",
    venue: str = "",
    chair_name: str = "",
    chair_position: str = "",
    double_entry: bool = True,
    **document_fields: str,
) -> VoteSession:
    """A new session in draft; `document_fields` are any of DOCUMENT_FIELDS."""
    unknown = set(document_fields) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"not a document field: {sorted(unknown)}")
    session = VoteSession(
        **{name: (value or "").strip() for name, value in document_fields.items()},
        double_entry=double_entry,
        organization=organization,
        title=clean_text(title),
        starts_at=starts_at,
        rule_profile=rule_profile,
        legal_basis=clean_paragraphs(legal_basis),
        venue=clean_text(venue),
        chair_name=clean_text(chair_name),
        chair_position=clean_text(chair_position),
    )
    validate(session)
    session.save()
    audit_record(
        action="session.create",
        user=user,
        session=session,
        data=snapshot(session, EDITABLE_FIELDS),
    )
    return session


@transaction.atomic
def session_update(*, user: User | None, session: VoteSession, **values) -> VoteSession:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    session = lock_session(session)
    if not lifecycle.details_editable(session):
        raise DomainError(_("The count is closed: the session's details can no longer change."))
    if (
        "rule_profile" in values
        and values["rule_profile"] != session.rule_profile
        and not lifecycle.profile_editable(session)
    ):
        raise DomainError(
            _("The rule profile can only change before voting starts."), field="rule_profile"
        )
    if (
        "percentage_base" in values
        and values["percentage_base"] != session.percentage_base
        and not lifecycle.profile_editable(session)
    ):
        raise DomainError(
            _("The percentage base can only change before voting starts."),
            field="percentage_base",
        )
    if (
        "double_entry" in values
        and values["double_entry"] != session.double_entry
        and not lifecycle.double_entry_editable(session)
    ):
        raise DomainError(
            _("Double entry can only change before counting opens."), field="double_entry"
        )
    before = snapshot(session, EDITABLE_FIELDS)
    for name, value in values.items():
        setattr(session, name, _clean(name, value))
    validate(session)
    session.save()
    diff = changes(before, snapshot(session, EDITABLE_FIELDS))
    if diff:
        audit_record(action="session.update", user=user, session=session, data=diff)
    return session


def _voting_problems(session: VoteSession) -> list[str]:
    problems = []
    if not session.officials.exists():
        problems.append(_("Add at least one official to be rated."))
    summary = attendance_summary(session=session)
    if summary.convened == 0:
        problems.append(_("Add the convened delegates."))
    elif not summary.quorum_met:
        problems.append(
            _(
                "No quorum: %(present)d of %(convened)d delegates are present; "
                "at least %(required)d are needed."
            )
            % {
                "present": summary.present,
                "convened": summary.convened,
                "required": summary.quorum_required,
            }
        )
    if not session.committee_members.filter(role=CommitteeRole.CHAIR).exists():
        problems.append(_("Name the chair of the counting committee."))
    return problems


@transaction.atomic
def session_start_voting(*, user: User | None, session: VoteSession) -> VoteSession:
    """Lock the lists and start voting; refused without a quorum."""
    session = lock_session(session)
    lifecycle.transition_check(session, "start_voting")
    problems = _voting_problems(session)
    if problems:
        raise DomainError(" ".join(problems))
    session.save(update_fields=lifecycle.transition_apply(session, "start_voting"))
    summary = attendance_summary(session=session)
    audit_record(
        action="session.start_voting",
        user=user,
        session=session,
        data={"convened": summary.convened, "present": summary.present},
    )
    return session


@transaction.atomic
def session_unlock(*, user: User | None, session: VoteSession, reason: str) -> VoteSession:
    """Return a session from voting to draft so its lists can change; needs a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for unlocking the lists."), field="reason")
    session = lock_session(session)
    session.save(update_fields=lifecycle.transition_apply(session, "unlock"))
    audit_record(action="session.unlock", user=user, session=session, reason=reason)
    return session


@transaction.atomic
def session_open_counting(
    *, user: User | None, session: VoteSession, ballots_issued: int
) -> VoteSession:
    """Record the ballots issued and open counting; at most one ballot per delegate present."""
    session = lock_session(session)
    lifecycle.transition_check(session, "open_counting")
    summary = attendance_summary(session=session)
    if not summary.quorum_met:
        raise DomainError(
            _("No quorum: %(present)d of %(convened)d present, %(required)d needed.")
            % {
                "present": summary.present,
                "convened": summary.convened,
                "required": summary.quorum_required,
            },
            field="ballots_issued",
        )
    if ballots_issued < 1:
        raise DomainError(_("At least one ballot must be issued."), field="ballots_issued")
    if ballots_issued > summary.present:
        raise DomainError(
            _("%(issued)d ballots issued, but only %(present)d delegates are present.")
            % {"issued": ballots_issued, "present": summary.present},
            field="ballots_issued",
        )
    session.ballots_issued = ballots_issued
    fields = lifecycle.transition_apply(session, "open_counting")
    session.save(update_fields=["ballots_issued", *fields])
    audit_record(
        action="session.open_counting",
        user=user,
        session=session,
        data={"ballots_issued": ballots_issued, "present": summary.present},
    )
    return session
