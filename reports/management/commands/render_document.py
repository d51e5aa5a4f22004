"""python manage.py render_document SESSION_ID minutes|report|resolution|ballots -o FILE.pdf
[--machine-readable] [--layout FILE.json]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.documents import (
    KINDS,
    MAX_SPARES,
    ballot_copies,
    render_ballot_paper,
    render_document,
)
from sessions.errors import DomainError
from sessions.models import VoteSession


class Command(BaseCommand):
    help = (
        "Render the counting minutes, the result report, the confirming resolution (elected "
        "bodies) or the ballot paper of a session as PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("session_id", type=int)
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("-o", "--output", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--spares",
            type=int,
            default=0,
            help=f"Ballot papers beyond the delegates present (0 to {MAX_SPARES}).",
        )
        parser.add_argument(
            "--number",
            default=None,
            help='The document\'s number, e.g. "01" in "Số 01-BB/…" (default: the number '
            "entered on the sign-off page, else a blank).",
        )
        parser.add_argument(
            "--machine-readable",
            action="store_true",
            help="Ballots: print the paper a scanner can read (corner marks and a QR code).",
        )
        parser.add_argument(
            "--layout",
            help="Ballots: print the machine-readable paper and write where every box is "
            "(page, official order, level, x, y, width, height in mm from the page's top-left "
            "corner) to this JSON file.",
        )

    def handle(self, *args, session_id, kind, output, spares, number, **options):
        layout_file = options.get("layout")
        machine_readable = options.get("machine_readable") or bool(layout_file)
        if machine_readable and kind != "ballots":
            raise CommandError(_("Only the ballot paper has a machine-readable layout."))
        if not 0 <= spares <= MAX_SPARES:
            raise CommandError(
                _("Spare ballot papers must be a whole number from 0 to %(max)d.")
                % {"max": MAX_SPARES}
            )
        session = VoteSession.objects.select_related("organization").filter(pk=session_id).first()
        if session is None:
            raise CommandError(_("No session with id %(id)d.") % {"id": session_id})
        layout = None
        try:
            if machine_readable:
                copies = ballot_copies(session=session, spares=spares)
                pdf, layout = render_ballot_paper(session=session, copies=copies)
            else:
                pdf = render_document(session=session, kind=kind, spares=spares, number=number)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        try:
            Path(output).write_bytes(pdf)
            if layout is not None:
                Path(layout_file).write_text(
                    json.dumps(layout.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
                )
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s")
                % {"file": exc.filename or output, "error": exc.strerror or exc}
            ) from exc
        self.stdout.write(f"{output}: {len(pdf)} bytes")
