"""python manage.py verify_document FILE.pdf: is this an unmodified signed document issued by
this system? Exits 0 only for an authentic file; 1 for superseded, modified or unknown."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.models import DocumentKind
from reports.verification import document_verify
from sessions.models import VoteSession


class Command(BaseCommand):
    help = (
        "Check that a PDF is an unmodified signed document issued by this system, for which "
        "session and version, and whether a newer version superseded it. Exit status 0 only "
        "for an authentic file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The PDF file to check.")

    def handle(self, *args, file, **options):
        try:
            content = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror or exc}
            ) from exc
        verdict = document_verify(content)
        if verdict.status == "modified":
            raise CommandError(
                _(
                    "%(file)s: MODIFIED. It carries the marks or a signature of a document from "
                    "this system but is not the document that was issued (changed after signing "
                    "or signed with another certificate)."
                )
                % {"file": file}
            )
        if verdict.status == "unknown":
            raise CommandError(
                _("%(file)s: UNKNOWN. It is not a signed document issued by this system.")
                % {"file": file}
            )
        session = VoteSession.objects.filter(pk=verdict.session_id).first()
        facts = _('%(kind)s of session %(id)d "%(title)s", version %(version)d') % {
            "kind": DocumentKind(verdict.kind).label,
            "id": verdict.session_id,
            "title": session.title if session else "",
            "version": verdict.version,
        }
        if verdict.status == "superseded":
            raise CommandError(
                _("%(file)s: SUPERSEDED. Authentic %(facts)s; a newer version %(newer)d exists.")
                % {"file": file, "facts": facts, "newer": verdict.newer_version}
            )
        self.stdout.write(
            _("%(file)s: AUTHENTIC. %(facts)s; not superseded.") % {"file": file, "facts": facts}
        )
