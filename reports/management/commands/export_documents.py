"""python manage.py export_documents SESSION_ID -o DIR: the current signed documents as files."""

from pathlib import Path, PurePath

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.models import SignedDocument
from sessions.models import VoteSession


class Command(BaseCommand):
    help = (
        "Write a session's current (not superseded) signed documents, and the scanned paper "
        "minutes if any, into a folder, under their stored file names."
    )

    def add_arguments(self, parser):
        parser.add_argument("session_id", type=int, help="The session's id.")
        parser.add_argument(
            "-o", "--output", required=True, help="The folder to write to (created if missing)."
        )

    def handle(self, *args, session_id, output, **options):
        session = VoteSession.objects.filter(pk=session_id).first()
        if session is None:
            raise CommandError(_("No session with id %(id)d.") % {"id": session_id})
        documents = list(
            SignedDocument.objects.filter(session=session, superseded_at__isnull=True).order_by(
                "kind"
            )
        )
        if not documents:
            raise CommandError(
                _("Session %(id)d has no certified documents: certify its result first.")
                % {"id": session_id}
            )
        folder = Path(output)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(
                _("Cannot create %(folder)s: %(error)s") % {"folder": folder, "error": exc}
            ) from None
        for document in documents:
            # The stored name is ours, but never let it leave the folder.
            name = PurePath(document.file_name.replace("\\", "/")).name or f"{document.kind}.pdf"
            path = folder / name
            path.write_bytes(bytes(document.content))
            self.stdout.write(
                _("Wrote %(path)s (version %(version)d, SHA-256 %(sha256)s)")
                % {"path": path, "version": document.version, "sha256": document.sha256}
            )
