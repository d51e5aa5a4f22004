"""Writes on the delegates of a session (the convened voters), in list order."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from confidence_vote.lib.text import clean_text, identity_key
from sessions.access import User
from sessions.audit import audit_record, changes, snapshot
from sessions.errors import DomainError
from sessions.models import Delegate, Official, VoteSession, delegate_keys
from sessions.services.common import lock_open_session, validate

EDITABLE_FIELDS = ["full_name", "position", "unit", "group"]


def _clean_values(*, full_name: str, position: str, unit: str, group: str) -> dict[str, str]:
    values = {
        "full_name": clean_text(full_name),
        "position": clean_text(position),
        "unit": clean_text(unit),
        "group": clean_text(group),
    }
    if not values["full_name"]:
        raise DomainError(_("Enter the full name."), field="full_name")
    return values


def _check_not_listed(
    session: VoteSession, values: dict[str, str], *, exclude_pk: int | None = None
) -> None:
    """The same person (name, position, unit) may be convened only once."""
    key = identity_key(values["full_name"], values["position"], values["unit"])
    delegates = session.delegates.all()
    if exclude_pk is not None:
        delegates = delegates.exclude(pk=exclude_pk)
    others = delegates.values_list("full_name", "position", "unit", "order")
    for name, position, unit, order in others:
        if identity_key(name, position, unit) == key:
            where = ", ".join(part for part in (position, unit) if part)
            raise DomainError(
                _("%(name)s is already on the list, as no. %(order)d%(where)s.")
                % {"name": name, "order": order, "where": f" ({where})" if where else ""},
                field="full_name",
            )


def _audit_data(delegate: Delegate) -> dict:
    data = snapshot(delegate, [*EDITABLE_FIELDS, "order"])
    data["delegate_id"] = delegate.pk
    return data


@transaction.atomic
def delegate_create(
    *,
    user: User | None,
    session: VoteSession,
    full_name: str,
    position: str = "",
    unit: str = "",
    group: str = "",
) -> Delegate:
    """Add a delegate at the end of the list."""
    session = lock_open_session(session)
    values = _clean_values(full_name=full_name, position=position, unit=unit, group=group)
    _check_not_listed(session, values)
    last = session.delegates.aggregate(last=Max("order"))["last"] or 0
    delegate = Delegate(session=session, order=last + 1, **values, **delegate_keys(**values))
    validate(delegate)
    delegate.save()
    audit_record(action="delegate.create", user=user, session=session, data=_audit_data(delegate))
    return delegate


@transaction.atomic
def delegate_update(
    *,
    user: User | None,
    delegate: Delegate,
    full_name: str,
    position: str = "",
    unit: str = "",
    group: str = "",
) -> Delegate:
    """Change a delegate's name, position, unit and group."""
    session = lock_open_session(delegate.session)
    # Re-read: a bound ModelForm may have changed the instance it was given.
    delegate = session.delegates.select_for_update().get(pk=delegate.pk)
    values = _clean_values(full_name=full_name, position=position, unit=unit, group=group)
    _check_not_listed(session, values, exclude_pk=delegate.pk)
    before = snapshot(delegate, EDITABLE_FIELDS)
    for name, value in {**values, **delegate_keys(**values)}.items():
        setattr(delegate, name, value)
    validate(delegate)
    delegate.save(update_fields=[*EDITABLE_FIELDS, "search_key", "name_key"])
    diff = changes(before, snapshot(delegate, EDITABLE_FIELDS))
    if diff:
        diff["delegate_id"] = delegate.pk
        audit_record(action="delegate.update", user=user, session=session, data=diff)
    return delegate


@transaction.atomic
def delegate_delete(*, user: User | None, delegate: Delegate) -> None:
    """Remove a delegate; the rest of the list is renumbered 1..n.

    An official linked to this delegate loses the link; a counting committee member
    who was this delegate stays on the committee under their own name.
    """
    session = lock_open_session(delegate.session)
    delegate = session.delegates.select_for_update().get(pk=delegate.pk)
    data = _audit_data(delegate)
    official = Official.objects.filter(delegate=delegate).first()
    if official is not None:
        data["unlinked_official"] = official.full_name
    committee = list(delegate.committee_memberships.values_list("full_name", flat=True))
    if committee:
        data["committee_member"] = committee
    delegate.delete()
    _renumber(session)
    audit_record(action="delegate.delete", user=user, session=session, data=data)


def _renumber(session: VoteSession) -> None:
    """Close gaps: orders become 1..n; each row only moves down to a free number."""
    for position, (pk, order) in enumerate(
        session.delegates.order_by("order").values_list("pk", "order"), start=1
    ):
        if order != position:
            Delegate.objects.filter(pk=pk).update(order=position)
