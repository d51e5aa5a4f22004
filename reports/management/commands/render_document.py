"""python manage.py render_document SESSION_ID minutes|report|resolution|ballots -o FILE.pdf"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.documents import KINDS, MAX_SPARES, render_document
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

    def handle(self, *args, session_id, kind, output, spares, number, **options):
        if not 0 <= spares <= MAX_SPARES:
            raise CommandError(
                _("Spare ballot papers must be a whole number from 0 to %(max)d.")
                % {"max": MAX_SPARES}
            )
        session = VoteSession.objects.select_related("organization").filter(pk=session_id).first()
        if session is None:
            raise CommandError(_("No session with id %(id)d.") % {"id": session_id})
        try:
            pdf = render_document(session=session, kind=kind, spares=spares, number=number)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        try:
            Path(output).write_bytes(pdf)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc}
            ) from exc
        self.stdout.write(f"{output}: {len(pdf)} bytes")
