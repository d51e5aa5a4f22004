"""Reading an uploaded scan file outside the request.

The upload is saved to a temporary file and its ScanBatch queued; `start_reading` then reads
it in a background thread (the simplest honest way on one server: no queue to run), telling
the batch how many pages are read so the progress page can show it. With the setting
SCAN_WORKER_SYNC the reading runs at once in the caller's thread (tests).

The worker needs the paper's layout, which reports.documents renders: that is why it lives
in `reports`.
"""

import contextlib
import logging
import os
import tempfile
import threading
from dataclasses import asdict

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import translation
from django.utils.translation import gettext as _

from ballots.models import ScanBatch
from ballots.scanning.reader import prepare_template
from ballots.scanning.services import scan_batch_fail, scan_batch_progress, scan_file_import
from reports.documents import ballot_layout
from sessions.errors import DomainError

logger = logging.getLogger(__name__)


def save_upload(content: bytes) -> str:
    """The uploaded bytes in a temporary file the reader removes when done."""
    handle, path = tempfile.mkstemp(prefix="scan-", suffix=".upload")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    return path


def _summary(batch: ScanBatch, reading, report) -> dict:
    """As import_scans prints it."""
    return {
        "pages": reading.pages,
        "ballots": len(report),
        "saved": batch.saved,
        "held": batch.held,
        "refused_pages": len(batch.refused),
        "refused": reading.refused_messages(),
        "readings": [asdict(item) for item in report],
    }


def read_upload(batch_id: int, path: str, *, language: str) -> None:
    """Read the file at `path` into the queued batch; the batch ends done or failed, never
    half-saved (scan_file_import is all or nothing). Removes the file."""
    batch = ScanBatch.objects.select_related("session", "imported_by").get(pk=batch_id)
    try:
        with translation.override(language):
            try:
                with open(path, "rb") as source:
                    content = source.read()
                session = batch.session
                layout, pdf = ballot_layout(session=session)
                template = prepare_template(layout, pdf)
                scan_batch_progress(batch=batch, pages_done=0, pages_total=0)

                def progress(done: int, total: int) -> None:
                    scan_batch_progress(batch=batch, pages_done=done, pages_total=total)

                saved, reading, report = scan_file_import(
                    user=batch.imported_by,
                    session=session,
                    entry_pass=batch.entry_pass,
                    file_name=batch.file_name,
                    content=content,
                    template=template,
                    progress=progress,
                    batch=batch,
                )
                ScanBatch.objects.filter(pk=saved.pk).update(
                    result=_summary(saved, reading, report), pages_done=reading.pages
                )
            except DomainError as exc:
                scan_batch_fail(batch=batch, error=str(exc.message))
            except Exception:
                logger.exception("reading scan batch %s failed", batch_id)
                scan_batch_fail(
                    batch=batch, error=_("The file could not be read; nothing was saved.")
                )
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _in_thread(batch_id: int, path: str, language: str) -> None:
    close_old_connections()
    try:
        read_upload(batch_id, path, language=language)
    finally:
        connection.close()


def start_reading(batch: ScanBatch, path: str) -> None:
    """Read the upload now (SCAN_WORKER_SYNC) or in a background thread."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if settings.SCAN_WORKER_SYNC:
        read_upload(batch.pk, path, language=language)
        return
    worker = threading.Thread(
        target=_in_thread,
        args=(batch.pk, path, language),
        name=f"scan-batch-{batch.pk}",
        daemon=True,
    )
    worker.start()
