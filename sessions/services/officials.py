"""Writes on the officials of a session (the people rated, in ballot order)."""

import hashlib
import re
import secrets
from pathlib import PurePosixPath
from typing import Literal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from confidence_vote.lib.text import clean_text, identity_key
from confidence_vote.lib.uploads import UploadKind, UploadRefused, read_upload
from sessions.access import User
from sessions.audit import audit_record, changes, snapshot
from sessions.errors import DomainError
from sessions.models import Delegate, Official, VoteSession, dossier_path
from sessions.services.common import lock_open_session, validate

EDITABLE_FIELDS = ["full_name", "position", "block", "delegate_id"]
PDF_MAGIC = b"%PDF-"
# Characters that have no place in a stored file name (path separators, Windows-reserved, controls).
_UNSAFE_FILE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def _clean_name(full_name: str) -> str:
    full_name = clean_text(full_name)
    if not full_name:
        raise DomainError(_("Enter the full name."), field="full_name")
    return full_name


def _clean_position(position: str) -> str:
    position = clean_text(position)
    if not position:
        raise DomainError(_("Enter the official's position."), field="position")
    return position


def _check_not_listed(
    session: VoteSession, *, full_name: str, position: str, exclude_pk: int | None = None
) -> None:
    """The same person (name and position) may appear only once on the ballot."""
    key = identity_key(full_name, position)
    officials = session.officials.all()
    if exclude_pk is not None:
        officials = officials.exclude(pk=exclude_pk)
    others = officials.values_list("full_name", "position", "order")
    for name, other_position, order in others:
        if identity_key(name, other_position) == key:
            raise DomainError(
                _("%(name)s (%(position)s) is already on the ballot, as no. %(order)d.")
                % {"name": name, "position": other_position, "order": order},
                field="full_name",
            )


def _check_delegate(
    session: VoteSession, delegate: Delegate | None, *, official_pk: int | None = None
) -> Delegate | None:
    """The delegate record must belong to this session and not be another official's."""
    if delegate is None:
        return None
    if delegate.session_id != session.pk:
        raise DomainError(
            _("The delegate record must be a delegate of this session."), field="delegate"
        )
    linked = session.officials.filter(delegate=delegate)
    if official_pk is not None:
        linked = linked.exclude(pk=official_pk)
    other = linked.first()
    if other is not None:
        raise DomainError(
            _("%(delegate)s is already linked to the official %(official)s.")
            % {"delegate": delegate.full_name, "official": other.full_name},
            field="delegate",
        )
    return delegate


def _audit_data(official: Official) -> dict:
    data = snapshot(official, ["full_name", "position", "block", "order", "delegate_id"])
    data["official_id"] = official.pk
    return data


@transaction.atomic
def official_create(
    *,
    user: User | None,
    session: VoteSession,
    full_name: str,
    position: str,
    delegate: Delegate | None = None,
    block: str = "",
) -> Official:
    """Add an official at the end of the ballot (in `block`, e.g. "Khối UBND", if any)."""
    session = lock_open_session(session)
    full_name = _clean_name(full_name)
    position = _clean_position(position)
    _check_not_listed(session, full_name=full_name, position=position)
    delegate = _check_delegate(session, delegate)
    last = session.officials.aggregate(last=Max("order"))["last"] or 0
    official = Official(
        session=session,
        full_name=full_name,
        position=position,
        block=(block or "").strip(),
        order=last + 1,
        delegate=delegate,
    )
    validate(official)
    official.save()
    audit_record(action="official.create", user=user, session=session, data=_audit_data(official))
    return official


@transaction.atomic
def official_update(
    *,
    user: User | None,
    official: Official,
    full_name: str,
    position: str,
    delegate: Delegate | None = None,
    dossier: UploadedFile | None = None,
    remove_dossier: bool = False,
    block: str | None = None,
) -> Official:
    """Change an official's name, position and delegate record; optionally their dossier.

    All of it or nothing: a refused dossier leaves the name and position unchanged too.
    """
    if dossier is not None:
        check_dossier(dossier)
    session = lock_open_session(official.session)
    # Re-read: a bound ModelForm may have changed the instance it was given.
    official = session.officials.select_for_update().get(pk=official.pk)
    full_name = _clean_name(full_name)
    position = _clean_position(position)
    _check_not_listed(session, full_name=full_name, position=position, exclude_pk=official.pk)
    delegate = _check_delegate(session, delegate, official_pk=official.pk)
    before = snapshot(official, EDITABLE_FIELDS)
    official.full_name = full_name
    official.position = position
    official.delegate = delegate
    if block is not None:
        official.block = block.strip()
    validate(official)
    official.save(update_fields=["full_name", "position", "block", "delegate"])
    diff = changes(before, snapshot(official, EDITABLE_FIELDS))
    if diff:
        diff["official_id"] = official.pk
        audit_record(action="official.update", user=user, session=session, data=diff)
    if dossier is not None:
        official = official_set_dossier(user=user, official=official, dossier=dossier)
    elif remove_dossier and official.dossier:
        official = official_set_dossier(user=user, official=official, dossier=None)
    return official


def check_dossier(dossier: UploadedFile) -> None:
    """A dossier passes the upload validator as a PDF (type by content, DOSSIER_MAX_BYTES)."""
    if dossier.size == 0:
        raise DomainError(_("The dossier file is empty."), field="dossier")
    try:
        read_upload(dossier, kind=UploadKind.PDF)
    except UploadRefused as exc:
        raise DomainError(exc.message, field="dossier") from None


def _stored_name(official: Official, original: str | None) -> str:
    """dossiers/session-<id>/<random>/<original name>.pdf, within the field's max_length.

    A fresh directory per upload keeps the original (Vietnamese) file name as it was,
    spaces and all, and never collides with an earlier file.
    """
    name = _UNSAFE_FILE_CHARS.sub("", clean_text(PurePosixPath(original or "").name))
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.strip(" .") or "dossier"
    prefix = dossier_path(official, f"{secrets.token_hex(5)}/")
    max_length = Official._meta.get_field("dossier").max_length
    assert max_length is not None  # a FileField always has one (100 unless set)
    room = max_length - len(prefix) - len(".pdf")
    return f"{prefix}{stem[:room].rstrip(' .') or 'dossier'}.pdf"


def dossier_download_name(official: Official) -> str:
    """The file name offered on download: the name it was uploaded with."""
    name = official.dossier.name
    if name is None:
        raise ValueError("the official has no dossier")
    return PurePosixPath(name).name


def _delete_file_after_commit(storage, name: str) -> None:
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def official_set_dossier(
    *, user: User | None, official: Official, dossier: UploadedFile | None
) -> Official:
    """Attach (or, with None, remove) an official's dossier PDF."""
    if dossier is not None:
        check_dossier(dossier)
    session = lock_open_session(official.session)
    official = session.officials.select_for_update().get(pk=official.pk)
    storage = official.dossier.storage
    old_name = official.dossier.name or ""
    if dossier is None:
        if not old_name:
            return official
        official.dossier = ""
        official.save(update_fields=["dossier"])
        _delete_file_after_commit(storage, old_name)
        audit_record(
            action="official.dossier_remove",
            user=user,
            session=session,
            data={"official_id": official.pk, "full_name": official.full_name, "file": old_name},
        )
        return official

    digest = hashlib.sha256()
    for chunk in dossier.chunks():
        digest.update(chunk)
    dossier.seek(0)
    new_name = storage.save(_stored_name(official, dossier.name), dossier)
    try:
        official.dossier.name = new_name
        validate(official)
        official.save(update_fields=["dossier"])
        audit_record(
            action="official.dossier",
            user=user,
            session=session,
            data={
                "official_id": official.pk,
                "full_name": official.full_name,
                "file": new_name,
                "size": dossier.size,
                "sha256": digest.hexdigest(),
                "replaced": old_name,
            },
        )
    except BaseException:
        storage.delete(new_name)
        raise
    if old_name:
        _delete_file_after_commit(storage, old_name)
    return official


@transaction.atomic
def official_delete(*, user: User | None, official: Official) -> None:
    """Remove an official; the rest of the ballot is renumbered 1..n."""
    session = lock_open_session(official.session)
    official = session.officials.select_for_update().get(pk=official.pk)
    data = _audit_data(official)
    data["dossier"] = official.dossier.name or ""
    storage, file_name = official.dossier.storage, official.dossier.name
    official.delete()
    _renumber(session)
    if file_name:
        _delete_file_after_commit(storage, file_name)
    audit_record(action="official.delete", user=user, session=session, data=data)


def _renumber(session: VoteSession) -> None:
    """Close gaps: orders become 1..n in the current order.

    Each row only ever moves down to a free number, so the unique (session, order)
    constraint holds after every single UPDATE.
    """
    for position, (pk, order) in enumerate(
        session.officials.order_by("order").values_list("pk", "order"), start=1
    ):
        if order != position:
            Official.objects.filter(pk=pk).update(order=position)


@transaction.atomic
def official_move(
    *, user: User | None, official: Official, direction: Literal["up", "down"]
) -> Official:
    """Swap an official with the one above ("up") or below ("down") on the ballot."""
    if direction not in ("up", "down"):
        raise DomainError(_("Move an official up or down."), field="direction")
    session = lock_open_session(official.session)
    official = session.officials.select_for_update().get(pk=official.pk)
    others = session.officials.select_for_update()
    if direction == "up":
        neighbour = others.filter(order__lt=official.order).order_by("-order").first()
    else:
        neighbour = others.filter(order__gt=official.order).order_by("order").first()
    if neighbour is None:
        if direction == "up":
            raise DomainError(_("%(name)s is already first.") % {"name": official.full_name})
        raise DomainError(_("%(name)s is already last.") % {"name": official.full_name})
    mine, theirs = official.order, neighbour.order
    # A free number first, so (session, order) never holds two rows at once.
    spare = (session.officials.aggregate(last=Max("order"))["last"] or 0) + 1
    Official.objects.filter(pk=official.pk).update(order=spare)
    Official.objects.filter(pk=neighbour.pk).update(order=mine)
    Official.objects.filter(pk=official.pk).update(order=theirs)
    official.order = theirs
    audit_record(
        action="official.reorder",
        user=user,
        session=session,
        data={
            "official_id": official.pk,
            "full_name": official.full_name,
            "order": [mine, theirs],
            "swapped_with": neighbour.full_name,
        },
    )
    return official
