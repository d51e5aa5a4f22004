"""The audit trail: every write that matters records who, when, what and why."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignObjectRel
from django.utils.translation import gettext_lazy as _

from sessions.access import User
from sessions.models import AUDIT_REASON_MAX_LENGTH, AuditEntry, Organization, VoteSession

# Each app owns its words: the labels of its actions, of the keys in their data, how values
# read, and who may see them. The history page and the ballot record read this registry.
Formatter = Callable[[Any, "AuditContext"], str]


@dataclass(frozen=True)
class Vocabulary:
    # action -> label; actions are dotted names "<object>.<verb>".
    labels: dict[str, Any]
    # data key -> label.
    fields: dict[str, Any] = field(default_factory=dict)
    # data key -> how its value reads.
    formatters: dict[str, Formatter] = field(default_factory=dict)
    # The capability needed to see these entries at all (None: whoever sees the history).
    needs: str | None = None
    # data key -> the capability needed to see its value.
    field_needs: dict[str, str] = field(default_factory=dict)
    # Shown in the ballot record (the count's life) as well as the history.
    in_log: frozenset[str] = frozenset()


VOCABULARIES: list[Vocabulary] = []


def register_vocabulary(vocabulary: Vocabulary) -> None:
    VOCABULARIES.append(vocabulary)


def vocabulary_of(action: str) -> Vocabulary | None:
    return next((v for v in VOCABULARIES if action in v.labels), None)


def action_label(action: str) -> str:
    vocabulary = vocabulary_of(action)
    return str(vocabulary.labels[action]) if vocabulary else action


def action_choices(actions: set[str] | None = None) -> list[tuple[str, str]]:
    """(code, label) of every registered action, or of those in `actions`, in registry order."""
    codes = [code for v in VOCABULARIES for code in v.labels]
    if actions is not None:
        codes = [code for code in codes if code in actions]
    return [(code, action_label(code)) for code in codes]


def log_actions() -> set[str]:
    return {code for v in VOCABULARIES for code in v.labels if code in v.in_log}


def audit_entry(
    *,
    action: str,
    user: User | None,
    organization: Organization | None = None,
    session: VoteSession | None = None,
    data: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """One audit entry, not yet saved (for a service that writes it with other rows in one
    statement); `audit_record` writes it."""
    if organization is not None:
        organization_id = organization.pk
    elif session is not None:
        # The session's organization by its id: no query when the session came without it.
        organization_id = session.organization_id
    else:
        raise ValueError("audit_record needs an organization or a session")
    account = user if user is not None and user.is_authenticated else None
    return AuditEntry(
        organization_id=organization_id,
        session=session,
        user=account,
        username=account.get_username() if account else "",
        action=action,
        data=data or {},
        # The forms allow at most 1000 characters; the cut only keeps a caller without a
        # form inside the database's constraint.
        reason=reason[:AUDIT_REASON_MAX_LENGTH],
    )


def audit_record(
    *,
    action: str,
    user: User | None,
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


def snapshot(instance, fields: list[str]) -> dict[str, Any]:
    """The named fields of a model instance, for an entry's before/after data."""
    return {name: getattr(instance, name) for name in fields}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: [old, new]} for the fields whose value changed (callers add ids to it)."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


class AuditContext:
    """What the words need from the session: officials by ballot order (one query, when asked)."""

    def __init__(self, session: VoteSession | None):
        self.session = session
        self._officials: dict[int, str] | None = None

    def official(self, order: Any) -> str:
        if self._officials is None:
            self._officials = (
                dict(self.session.officials.values_list("order", "full_name"))
                if self.session is not None
                else {}
            )
        try:
            name = self._officials.get(int(order))
        except (TypeError, ValueError):
            name = None
        return f"{order}. {name}" if name else str(order)


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return str(_("Yes"))
    if value is False:
        return str(_("No"))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def _model_field_label(key: str) -> str | None:
    """A changed field's label: the verbose name of the session's, an official's, a delegate's
    or a committee member's field."""
    from sessions.models import CommitteeMember, Delegate, Official

    for model in (VoteSession, Official, Delegate, CommitteeMember):
        try:
            model_field = model._meta.get_field(key)
        except FieldDoesNotExist:
            continue
        if not isinstance(model_field, ForeignObjectRel):  # a reverse relation has no label
            return str(model_field.verbose_name)
    return None


def _field_label(key: str, vocabulary: Vocabulary | None) -> str:
    for v in [vocabulary, *VOCABULARIES]:
        if v is not None and key in v.fields:
            return str(v.fields[key])
    return _model_field_label(key) or key.replace("_", " ")


def _value_text(key: str, value: Any, vocabulary: Vocabulary | None, ctx: AuditContext) -> str:
    for v in [vocabulary, *VOCABULARIES]:
        if v is not None and key in v.formatters:
            return v.formatters[key](value, ctx)
    return _plain(value)


def audit_details(
    entry: AuditEntry, *, can: Callable[[str], bool], ctx: AuditContext
) -> list[tuple[str, str]]:
    """An entry's data as (label, text) lines for people: a change reads "old → new"; values
    the reader may not see yet are left out."""
    vocabulary = vocabulary_of(entry.action)
    lines = []
    for key, value in (entry.data or {}).items():
        need = vocabulary.field_needs.get(key) if vocabulary else None
        if need and not can(need):
            continue
        label = _field_label(key, vocabulary)
        if isinstance(value, list) and len(value) == 2 and key not in ("marks",):
            old, new = (_value_text(key, v, vocabulary, ctx) for v in value)
            lines.append((label, f"{old} → {new}"))
        else:
            lines.append((label, _value_text(key, value, vocabulary, ctx)))
    return lines


def audit_visible(action: str, can: Callable[[str], bool]) -> bool:
    vocabulary = vocabulary_of(action)
    return vocabulary is None or vocabulary.needs is None or can(vocabulary.needs)


def audit_rows(
    entries, *, session: VoteSession | None, can: Callable[[str], bool]
) -> list[tuple[AuditEntry, str, list[tuple[str, str]]]]:
    """(entry, label, detail lines) for the audit table template."""
    ctx = AuditContext(session)
    return [
        (entry, action_label(entry.action), audit_details(entry, can=can, ctx=ctx))
        for entry in entries
    ]


register_vocabulary(
    Vocabulary(
        labels={
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
            "membership.create": _("Counting committee role given in the organization"),
        },
        fields={
            "convened": _("Convened"),
            "present": _("Present"),
            "ballots_issued": _("Ballots issued"),
            "officials": _("Officials"),
            "delegates": _("Delegates"),
            "rows": _("Rows"),
            "file": _("File"),
            "id": _("Number"),
            "member": _("Committee member"),
            "official_id": _("Official"),
            "delegate_id": _("Delegate"),
            "user_id": _("Account"),
            "account": _("Account"),
            "before": _("Before"),
            "after": _("After"),
        },
        in_log=frozenset({"session.open_counting"}),
    )
)
