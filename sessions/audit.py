"""The audit trail: every write that matters records who, when, what and why."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

from sessions.models import AuditEntry, Organization, VoteSession

# Labels for the history page; actions are dotted names "<object>.<verb>".
ACTION_LABELS = {
    "session.create": _("Session created"),
    "session.update": _("Session details changed"),
    "session.start_voting": _("Voting started; lists locked"),
    "session.unlock": _("Lists unlocked"),
    "session.open_counting": _("Counting opened"),
    "session.import": _("Session imported from a file"),
    "official.create": _("Official added"),
    "official.update": _("Official changed"),
    "official.delete": _("Official removed"),
    "official.reorder": _("Ballot order changed"),
    "official.dossier": _("Dossier uploaded"),
    "official.dossier_remove": _("Dossier removed"),
    "delegate.create": _("Delegate added"),
    "delegate.update": _("Delegate changed"),
    "delegate.delete": _("Delegate removed"),
    "delegate.attendance": _("Attendance recorded"),
    "import.officials": _("Officials imported"),
    "import.delegates": _("Delegates imported"),
    "committee.create": _("Committee member added"),
    "committee.update": _("Committee member changed"),
    "committee.delete": _("Committee member removed"),
    "ballot.create": _("Ballot entered"),
    "ballot.correct": _("Ballot corrected"),
    "ballot.void": _("Ballot voided"),
    "ballot.import": _("Ballots imported from a file"),
    "ballot.resolve": _("Difference resolved from the paper"),
    "tally_sheet.record": _("Hand-count totals recorded"),
    "count.collected": _("Ballots collected recorded"),
    "count.close": _("Count closed"),
    "count.reopen": _("Count reopened"),
    "result.confirm": _("Result confirmed by a committee member"),
    "result.certify": _("Result certified; documents signed"),
    "result.reopen": _("Certified result reopened"),
    "document.download": _("Signed document downloaded"),
    "document.paper_minutes": _("Scanned paper minutes uploaded"),
}


def audit_entry(
    *,
    action: str,
    user: AbstractBaseUser | AnonymousUser | None,
    organization: Organization | None = None,
    session: VoteSession | None = None,
    data: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """One audit entry, not yet saved (for a service that writes it with other rows in one
    statement); `audit_record` writes it."""
    if organization is None:
        if session is None:
            raise ValueError("audit_record needs an organization or a session")
        organization = session.organization
    account = user if user is not None and user.is_authenticated else None
    return AuditEntry(
        organization=organization,
        session=session,
        user=account,
        username=account.get_username() if account else "",
        action=action,
        data=data or {},
        reason=reason,
    )


def audit_record(
    *,
    action: str,
    user: AbstractBaseUser | AnonymousUser | None,
    organization: Organization | None = None,
    session: VoteSession | None = None,
    data: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Write one audit entry. Call it inside the service's transaction."""
    entry = audit_entry(
        action=action,
        user=user,
        organization=organization,
        session=session,
        data=data,
        reason=reason,
    )
    entry.save(force_insert=True)
    return entry


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def snapshot(instance, fields: list[str]) -> dict[str, Any]:
    """The named fields of a model instance, for an entry's before/after data."""
    return {name: getattr(instance, name) for name in fields}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit_details(data: dict[str, Any]) -> list[tuple[str, str]]:
    """An entry's data as (field, text) lines for people: a change reads "old → new"."""
    lines = []
    for key, value in (data or {}).items():
        if isinstance(value, list) and len(value) == 2:
            old, new = ("—" if v in (None, "") else str(v) for v in value)
            lines.append((key, f"{old} → {new}"))
        else:
            lines.append((key, "—" if value in (None, "") else str(value)))
    return lines


def audit_rows(entries) -> list[tuple[AuditEntry, str, list[tuple[str, str]]]]:
    """(entry, label, detail lines) for the audit table template."""
    return [(entry, action_label(entry.action), audit_details(entry.data)) for entry in entries]
