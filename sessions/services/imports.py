"""Importing officials and delegates from a spreadsheet: all rows or none.

`import_preview` reads a file against the session's current lists (nothing is
written); `officials_import` / `delegates_import` check the rows again inside
the transaction, under the session's row lock, because the lists may have
changed between the preview and the confirmation.
"""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Field, Max, Model
from django.utils.translation import gettext as _

from confidence_vote.lib.text import clean_text, identity_key
from sessions.access import User
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.importing import SPECS, ImportResult, ImportRow, parse_import, validate_rows
from sessions.models import Delegate, Official, VoteSession, delegate_keys
from sessions.services.common import lock_session, refuse_if_locked

# At most this many row errors are spelt out when a confirmed import is refused.
_ERRORS_SHOWN = 5


def _people(session: VoteSession, kind: str):
    return session.officials if kind == "officials" else session.delegates


def existing_identities(*, session: VoteSession, kind: str) -> set[tuple[str, ...]]:
    """The identity keys of the people already on the session's list of `kind`."""
    fields = SPECS[kind].identity_fields
    return {identity_key(*values) for values in _people(session, kind).values_list(*fields)}


def list_state(*, session: VoteSession, kind: str) -> tuple[int, int]:
    """(how many people are on the list, the last order number or 0), in one query."""
    state = _people(session, kind).aggregate(count=Count("pk"), last=Max("order"))
    return state["count"], state["last"] or 0


def import_preview(
    *, session: VoteSession, kind: str, content: bytes, file_name: str, max_bytes: int
) -> ImportResult:
    """Read a file for the preview; writes nothing. Refused once the lists are locked."""
    refuse_if_locked(session)
    return parse_import(
        content,
        file_name,
        kind=kind,
        existing=existing_identities(session=session, kind=kind),
        max_bytes=max_bytes,
    )


def _cleaned(rows: Sequence[ImportRow]) -> list[ImportRow]:
    return [
        ImportRow(
            row=row.row,
            full_name=clean_text(row.full_name),
            position=clean_text(row.position),
            unit=clean_text(row.unit),
            group=clean_text(row.group),
            block=clean_text(row.block),
        )
        for row in rows
    ]


def _check(
    *,
    session: VoteSession,
    kind: str,
    rows: Sequence[ImportRow],
    columns: Mapping[str, str] | None,
) -> list[ImportRow]:
    """The rows, cleaned and checked against the session as it is now; DomainError if any
    row breaks a rule."""
    refuse_if_locked(session)
    rows = _cleaned(rows)
    if not rows:
        raise DomainError(_("There is nobody to import."))
    problems = validate_rows(
        kind=kind,
        rows=rows,
        existing=existing_identities(session=session, kind=kind),
        columns=columns,
    )
    if problems:
        shown = " ".join(p.message for p in problems[:_ERRORS_SHOWN])
        more = len(problems) - _ERRORS_SHOWN
        if more > 0:
            shown += " " + _("(and %(count)d more problems)") % {"count": more}
        raise DomainError(
            _("Nothing was imported. %(problems)s") % {"problems": shown}, field="file"
        )
    return rows


def _validated(pairs: list[tuple[ImportRow, Model]]) -> None:
    """full_clean each new instance, fields only. The constraints (names not empty, nobody
    listed twice, unique orders) were checked by validate_rows and the numbering, and the
    database enforces them again; validating them (and the session foreign key) here would
    cost several queries per row."""
    for row, instance in pairs:
        try:
            instance.full_clean(exclude=["session"], validate_constraints=False)
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            model_field = None if name == "__all__" else instance._meta.get_field(name)
            label = model_field.verbose_name if isinstance(model_field, Field) else name
            raise DomainError(
                _("Nothing was imported. Row %(row)d, %(field)s: %(problem)s")
                % {"row": row.row, "field": label, "problem": messages[0]},
                field="file",
            ) from None


def _save(model, instances: list) -> list:
    try:
        with transaction.atomic():
            return model.objects.bulk_create(instances)
    except IntegrityError:
        # Only a race the row lock does not cover (e.g. a raw edit) can get here.
        raise DomainError(
            _("Nothing was imported: the list changed meanwhile. Upload the file again.")
        ) from None


@transaction.atomic
def officials_import(
    *,
    user: User | None,
    session: VoteSession,
    rows: Sequence[ImportRow],
    file_name: str,
    columns: Mapping[str, str] | None = None,
) -> list[Official]:
    """Add officials in the file's row order, after those already on the ballot."""
    session = lock_session(session)
    rows = _check(session=session, kind="officials", rows=rows, columns=columns)
    _count, last = list_state(session=session, kind="officials")
    officials = [
        Official(
            session=session,
            full_name=row.full_name,
            position=row.position,
            block=row.block,
            order=last + n,
        )
        for n, row in enumerate(rows, start=1)
    ]
    _validated(list(zip(rows, officials, strict=True)))
    created = _save(Official, officials)
    audit_record(
        action="import.officials",
        user=user,
        session=session,
        data={"rows": len(created), "file": file_name},
    )
    return created


@transaction.atomic
def delegates_import(
    *,
    user: User | None,
    session: VoteSession,
    rows: Sequence[ImportRow],
    file_name: str,
    columns: Mapping[str, str] | None = None,
) -> list[Delegate]:
    """Add delegates in the file's row order, after those already listed."""
    session = lock_session(session)
    rows = _check(session=session, kind="delegates", rows=rows, columns=columns)
    _count, last = list_state(session=session, kind="delegates")
    delegates = [
        Delegate(
            session=session,
            full_name=row.full_name,
            position=row.position,
            unit=row.unit,
            group=row.group,
            order=last + n,
            **delegate_keys(
                full_name=row.full_name, position=row.position, unit=row.unit, group=row.group
            ),
        )
        for n, row in enumerate(rows, start=1)
    ]
    _validated(list(zip(rows, delegates, strict=True)))
    created = _save(Delegate, delegates)
    audit_record(
        action="import.delegates",
        user=user,
        session=session,
        data={"rows": len(created), "file": file_name},
    )
    return created


IMPORTERS = {"officials": officials_import, "delegates": delegates_import}
