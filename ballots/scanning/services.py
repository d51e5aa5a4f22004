"""Saving what was read from a scan file: certain ballots become ballots of the entry pass
(through ballots_import, the same service as a ballots file), held ballots wait for review;
every ballot keeps its page images in the storage. All or nothing per file; a file already
imported into the session is refused, so nothing is counted twice.

The slow part (reading the pages) runs before the transaction: `scan_file_import` reads,
stores the images, then calls `scans_record` (one transaction) and removes the images again
if that refuses.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, replace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ballots.inputs import BallotInput
from ballots.models import (
    Ballot,
    EntryPass,
    MarkValue,
    ScanBatch,
    ScanBatchStatus,
    ScannedBallot,
    ScanStatus,
)
from ballots.scanning.reader import FileReading, Progress, Template, read_file
from ballots.selectors import last_number, passes_entered_by
from ballots.services import ballot_record, ballots_import
from sessions import lifecycle
from sessions.access import REFUSALS, access_for, require
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.models import VoteSession
from sessions.services.common import lock_session

# The reading's letters (as in import_ballots files) to the stored mark values.
MARK_VALUES = {
    "H": MarkValue.HIGH,
    "M": MarkValue.MEDIUM,
    "L": MarkValue.LOW,
    "": MarkValue.NONE,
    "X": MarkValue.SEVERAL,
}


def file_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _already_imported(
    *, session: VoteSession, sha256: str, batch: ScanBatch | None = None
) -> DomainError | None:
    """The file was imported before, or is being read (an upload): refuse it. `batch` is the
    upload now being read, which does not count."""
    earlier = ScanBatch.objects.filter(session=session, sha256=sha256).exclude(
        status=ScanBatchStatus.FAILED
    )
    if batch is not None:
        earlier = earlier.exclude(pk=batch.pk)
    batch = earlier.first()
    if batch is None:
        return None
    return DomainError(
        _(
            "This file was already imported into pass %(pass)d (as %(file)s): nothing is "
            "imported twice."
        )
        % {"pass": batch.entry_pass, "file": batch.file_name}
    )


# An upload whose reader has not reported for this long stopped (the server restarted).
READER_STALE_AFTER = dt.timedelta(minutes=10)


def _fail_abandoned(*, session: VoteSession, sha256: str) -> None:
    """An upload of this file whose reader stopped long ago failed: it may be sent again."""
    stale = timezone.now() - READER_STALE_AFTER
    ScanBatch.objects.filter(
        session=session,
        sha256=sha256,
        status__in=[ScanBatchStatus.QUEUED, ScanBatchStatus.READING],
        progress_at__lt=stale,
    ).update(
        status=ScanBatchStatus.FAILED,
        error=_("The reading stopped before the end (the server restarted); send the file again."),
    )


def _check_can_import(*, user, session: VoteSession, entry_pass: int) -> None:
    """The checks that do not wait for the ballots: ballots_import repeats them for the
    ballots it enters; a file whose ballots are all held needs them too."""
    if not lifecycle.counting_open(session):
        raise DomainError(_("Ballots can be imported only while the count is open."))
    if entry_pass not in EntryPass.values:
        raise DomainError(_("There is no entry pass %(pass)s.") % {"pass": entry_pass})
    if entry_pass == EntryPass.SECOND and not session.double_entry:
        raise DomainError(_("This session has no second entry: double entry is off."))
    if user is None:
        return
    require(user=user, session=session, capability="enter_ballots")
    refused = access_for(user=user, session=session).refuse_pass(entry_pass)
    if refused:
        raise DomainError(refused)
    # Blind double entry: whoever typed or scanned one pass is that pass's typist.
    other = passes_entered_by(session=session, user=user) - {entry_pass}
    if session.double_entry and other:
        raise DomainError(
            _(
                "You entered ballots in pass %(other)d; with double entry each member enters "
                "one pass only, so that the two passes stay independent."
            )
            % {"other": min(other)}
        )


def _next_number(*, session: VoteSession, entry_pass: int) -> int:
    """After every ballot of the pass, entered or held (a held ballot keeps its number)."""
    return last_number(session=session, entry_pass=entry_pass) + 1


@dataclass(frozen=True)
class ImportedReading:
    """One ballot of the file as the command reports it."""

    number: int
    status: str
    marks: dict[str, str]
    reasons: list[str]


@transaction.atomic
def scans_record(
    *,
    user,
    session: VoteSession,
    entry_pass: int,
    file_name: str,
    sha256: str,
    reading: FileReading,
    fingerprint: str,
    images: list[list[str]],
    layout: dict | None = None,
    batch: ScanBatch | None = None,
) -> tuple[ScanBatch, list[ImportedReading]]:
    """Save one read file: certain ballots into the pass (numbered in scan order after the
    pass's last number), held ballots for review, the batch and an audit entry.
    `images[i]` are the storage names of ballot i's page images. `user` is None when an
    operator runs the command (as for import_ballots). `batch`: the upload being read in
    the background, completed here instead of a new one."""
    session = lock_session(session)
    duplicate = _already_imported(session=session, sha256=sha256, batch=batch)
    if duplicate is not None:
        raise duplicate
    _check_can_import(user=user, session=session, entry_pass=entry_pass)
    if not reading.ballots:
        raise DomainError(_("No ballot could be read from %(file)s.") % {"file": file_name})
    first = _next_number(session=session, entry_pass=entry_pass)
    numbered = list(enumerate(reading.ballots, start=first))
    rows = [
        BallotInput(
            number=number,
            marks={order: MARK_VALUES[value] for order, value in ballot.marks.items()},
        )
        for number, ballot in numbered
        if not ballot.held
    ]
    entered = (
        ballots_import(user=user, session=session, entry_pass=entry_pass, rows=rows) if rows else []
    )
    by_number = {ballot.number: ballot for ballot in entered}

    values = {
        "session": session,
        "entry_pass": entry_pass,
        "file_name": file_name[:255],
        "sha256": sha256,
        "fingerprint": fingerprint,
        "pages": reading.pages,
        "saved": len(entered),
        "held": len(numbered) - len(entered),
        "refused": [{"page": index, "reason": reason} for index, reason in reading.refused],
        "imported_by": user if user is not None and user.is_authenticated else None,
        "layout": layout or {},
        "status": ScanBatchStatus.DONE,
    }
    if batch is None:
        batch = ScanBatch.objects.create(**values)
    else:
        for name, value in values.items():
            setattr(batch, name, value)
        # Only what the reading decided: the reader's progress is kept as it stands.
        batch.save(update_fields=list(values))
    scanned = []
    report = []
    for (number, ballot), names in zip(numbered, images, strict=True):
        marks = {str(order): value for order, value in ballot.marks.items()}
        status = ScanStatus.HELD if ballot.held else ScanStatus.SAVED
        scanned.append(
            ScannedBallot(
                batch=batch,
                session=session,
                entry_pass=entry_pass,
                number=number,
                status=status,
                reading={
                    "marks": marks,
                    "pages": [page.index for page in ballot.pages],
                    "ink": {
                        str(order): {level: round(share, 4) for level, share in shares.items()}
                        for page in ballot.pages
                        for order, shares in page.ink.items()
                    },
                    "name_ink": {
                        str(order): share
                        for page in ballot.pages
                        for order, share in page.label_excess.items()
                    },
                    # mm of ink off the print along a name (a stroke through it: from 1 mm)
                    "name_stroke": {
                        str(order): run
                        for page in ballot.pages
                        for order, run in page.stroke.items()
                    },
                },
                reasons=ballot.reasons,
                images=names,
                ballot=by_number.get(number),
            )
        )
        report.append(
            ImportedReading(
                number=number, status=str(status), marks=marks, reasons=list(ballot.reasons)
            )
        )
    ScannedBallot.objects.bulk_create(scanned)
    audit_record(
        action="scan.import",
        user=user,
        session=session,
        data={
            "pass": entry_pass,
            "file": batch.file_name,
            "sha256": sha256,
            "pages": batch.pages,
            "saved": batch.saved,
            "held": batch.held,
            "refused_pages": len(batch.refused),
            "numbers": [first, first + len(numbered) - 1],
        },
    )
    return batch, report


def _store_images(*, session: VoteSession, sha256: str, reading: FileReading) -> list[list[str]]:
    names = []
    for position, ballot in enumerate(reading.ballots, start=1):
        ballot_names = []
        for page in ballot.pages:
            name = f"scans/{session.pk}/{sha256[:16]}/{position:05d}-{page.page}.jpg"
            ballot_names.append(default_storage.save(name, ContentFile(page.image)))
        names.append(ballot_names)
    return names


def _remove_images(names: list[list[str]]) -> None:
    for ballot_names in names:
        for name in ballot_names:
            default_storage.delete(name)


def scan_file_import(
    *,
    user,
    session: VoteSession,
    entry_pass: int,
    file_name: str,
    content: bytes,
    template: Template,
    progress: Progress | None = None,
    batch: ScanBatch | None = None,
) -> tuple[ScanBatch, FileReading, list[ImportedReading]]:
    """Read one scan file and save it (see scans_record). Reads outside any transaction:
    do not call it inside one. Raises DomainError, with nothing saved, when the file cannot
    be read at all, was imported before, holds no ballot, or the pass refuses it.
    `progress` is told after every page; `batch` is an upload waiting to be read."""
    sha256 = file_sha256(content)
    duplicate = _already_imported(session=session, sha256=sha256, batch=batch)
    if duplicate is not None:
        raise duplicate
    reading = read_file(content, name=file_name, template=template, progress=progress)
    if reading.problem:
        raise DomainError(reading.problem)
    if not reading.ballots:
        problems = reading.refused_messages()
        raise DomainError(
            "\n".join(
                [_("No ballot could be read from %(file)s.") % {"file": file_name}, *problems]
            )
        )
    images = _store_images(session=session, sha256=sha256, reading=reading)
    try:
        batch, report = scans_record(
            user=user,
            session=session,
            entry_pass=entry_pass,
            file_name=file_name,
            sha256=sha256,
            reading=reading,
            fingerprint=template.layout.fingerprint,
            images=images,
            layout=template.layout.as_dict(),
            batch=batch,
        )
    except BaseException:
        _remove_images(images)
        raise
    return batch, reading, report


# --- an upload in the browser, read in the background ---------------------------------------


@transaction.atomic
def scan_batch_queue(
    *, user, session: VoteSession, entry_pass: int, file_name: str, sha256: str
) -> ScanBatch:
    """An uploaded scan file waiting to be read (outside the request): refused at once when
    the file was imported before or the user may not import into the pass."""
    session = lock_session(session)
    _fail_abandoned(session=session, sha256=sha256)
    duplicate = _already_imported(session=session, sha256=sha256)
    if duplicate is not None:
        raise duplicate
    _check_can_import(user=user, session=session, entry_pass=entry_pass)
    return ScanBatch.objects.create(
        session=session,
        entry_pass=entry_pass,
        file_name=file_name[:255],
        sha256=sha256,
        fingerprint="",
        status=ScanBatchStatus.QUEUED,
        imported_by=user,
        progress_at=timezone.now(),
    )


def scan_batch_progress(*, batch: ScanBatch, pages_done: int, pages_total: int) -> None:
    """The reader's progress, kept on the batch (one small update, no lock)."""
    ScanBatch.objects.filter(pk=batch.pk).update(
        status=ScanBatchStatus.READING,
        pages_done=pages_done,
        pages_total=pages_total,
        progress_at=timezone.now(),
    )


def scan_batch_fail(*, batch: ScanBatch, error: str) -> None:
    """Nothing was saved from the file; say why. The file may be sent again."""
    ScanBatch.objects.filter(pk=batch.pk).update(
        status=ScanBatchStatus.FAILED, error=error, progress_at=timezone.now()
    )


# --- review of a held ballot ---------------------------------------------------------------


def _machine_marks(scanned: ScannedBallot) -> dict[int, str]:
    """The machine's reading as mark values; rows it could not read ("?") are left out."""
    marks = scanned.reading.get("marks", {}) if isinstance(scanned.reading, dict) else {}
    return {
        int(order): MARK_VALUES[letter] for order, letter in marks.items() if letter in MARK_VALUES
    }


@transaction.atomic
def scanned_ballot_review(
    *, user, session: VoteSession, scanned: ScannedBallot, entry: BallotInput
) -> Ballot:
    """A committee member's decision on a held ballot: `entry` (the machine's reading
    accepted or corrected) becomes the ballot of its pass under the number it was held with,
    through the same service as a keyed ballot; who and when are recorded."""
    session = lock_session(session)
    locked = (
        ScannedBallot.objects.select_for_update().filter(pk=scanned.pk, session=session).first()
    )
    if locked is None:
        raise DomainError(_("This scanned ballot is not in this session."))
    if not lifecycle.counting_open(session):
        raise DomainError(_("Held ballots can be reviewed only while the count is open."))
    if locked.status != ScanStatus.HELD:
        raise DomainError(
            _("Ballot %(number)d of pass %(pass)d was already reviewed.")
            % {"number": locked.number, "pass": locked.entry_pass}
        )
    access = require(user=user, session=session, capability="enter_ballots")
    entry_pass = locked.entry_pass
    # A held ballot belongs to its pass: under blind entry only that pass's typist (who typed
    # or uploaded in it) sees and decides it.
    if not access.edit_pass(entry_pass):
        raise DomainError(access.refuse_pass(entry_pass) or str(REFUSALS["enter_ballots"]))
    ballot = ballot_record(
        user=user,
        session=session,
        entry_pass=entry_pass,
        entry=replace(entry, number=locked.number),
        scanned_id=locked.pk,
    )
    locked.status = ScanStatus.REVIEWED
    locked.ballot = ballot
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["status", "ballot", "reviewed_by", "reviewed_at"])
    machine = _machine_marks(locked)
    entered = {int(order): value for order, value in entry.marks.items()}
    corrected = sorted(
        order for order in set(machine) | set(entered) if machine.get(order) != entered.get(order)
    )
    audit_record(
        action="scan.review",
        user=user,
        session=session,
        data={
            "pass": entry_pass,
            "number": locked.number,
            "invalid_reason": entry.invalid_reason,
            "marks": {str(order): value for order, value in sorted(entered.items())},
            "corrected": corrected,
            "reasons": list(locked.reasons),
        },
    )
    return ballot
