"""python manage.py verify_document FILE.pdf: what is this file? Exit status (README):
0 an authentic signed document issued here, 1 modified, 2 superseded by a newer version,
3 a draft of this system (not signed), 4 an uploaded scan (not vouched for), 5 not from this
system; 6 when the file cannot be read."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.models import DocumentKind
from reports.verification import EXIT_STATUS, Verdict, document_verify
from sessions.models import VoteSession

CANNOT_READ = 6


def _facts(verdict: Verdict) -> str:
    session = VoteSession.objects.filter(pk=verdict.session_id or 0).first()
    return _('%(kind)s of session %(id)d "%(title)s", version %(version)d') % {
        "kind": DocumentKind(verdict.kind).label,
        "id": verdict.session_id,
        "title": session.title if session else "",
        "version": verdict.version,
    }


def verdict_line(file: str, verdict: Verdict) -> str:
    if verdict.status == "authentic":
        return _("%(file)s: AUTHENTIC. %(facts)s; not superseded.") % {
            "file": file,
            "facts": _facts(verdict),
        }
    if verdict.status == "superseded":
        return _("%(file)s: SUPERSEDED. Authentic %(facts)s; a newer version %(newer)d exists.") % {
            "file": file,
            "facts": _facts(verdict),
            "newer": verdict.newer_version,
        }
    if verdict.status == "scan":
        return _(
            "%(file)s: SCAN. The scanned paper minutes uploaded with %(facts)s. Its content was "
            "not produced by this system and is not vouched for: compare it with the signed "
            "minutes."
        ) % {"file": file, "facts": _facts(verdict)}
    if verdict.status == "draft":
        return _(
            "%(file)s: DRAFT. A draft printed by this system before certification, not signed: "
            "it is not an official result."
        ) % {"file": file}
    if verdict.status == "modified":
        return _(
            "%(file)s: MODIFIED. It carries the marks or a signature of a document from "
            "this system but is not the document that was issued (changed after signing "
            "or signed with another certificate)."
        ) % {"file": file}
    return _("%(file)s: UNKNOWN. It is not a document issued by this system.") % {"file": file}


class Command(BaseCommand):
    help = (
        "Say what a PDF is: an unmodified signed document issued by this system (exit 0), "
        "modified (1), superseded by a newer version (2), an unsigned draft (3), an uploaded "
        "scan not vouched for (4), or not from this system (5)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The PDF file to check.")

    def handle(self, *args, file, **options):
        try:
            content = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror or exc},
                returncode=CANNOT_READ,
            ) from exc
        verdict = document_verify(content)
        line = verdict_line(file, verdict)
        status = EXIT_STATUS[verdict.status]
        if status == 0:
            self.stdout.write(line)
            return
        self.stderr.write(line)
        sys.exit(status)
