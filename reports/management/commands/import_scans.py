"""python manage.py import_scans SESSION_ID FILE... [--pass 1|2]: read scanned ballot papers.

Each file (a multi-page PDF, a TIFF, a JPEG or a PNG from an office scanner) is read against
the session's machine-readable ballot paper: certain ballots are entered into the pass in scan
order, doubtful ones are held for review with the reasons. All or nothing per file; a file
already imported is refused. The last line of output is one JSON object:

    {"pages": P, "ballots": B, "saved": S, "held": H, "refused_pages": R,
     "readings": [{"number": 1, "status": "saved" | "held", "marks": {"1": "H", ...},
                   "reasons": []}, ...]}

marks as in import_ballots: H, M, L, "" for no mark, X for several; "?" on a held ballot's
row the machine could not read. The command lives in `reports` because it needs the paper's
layout, which reports.documents renders.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ballots.models import EntryPass
from ballots.scanning.reader import prepare_template
from ballots.scanning.services import scan_file_import
from reports.documents import ballot_layout
from sessions.errors import DomainError
from sessions.models import VoteSession

# A 500-page PDF at 300 dpi in JPEG is well under this.
MAX_BYTES = 1024 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Read scanned ballot papers (PDF, TIFF, JPEG or PNG) of a session that is counting "
        "into an entry pass. Certain ballots are entered; doubtful ones are held for review. "
        "The last line of output is a JSON summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("session_id", type=int, help="The vote session's id.")
        parser.add_argument("files", nargs="+", help="The scan files, in scan order.")
        parser.add_argument(
            "--pass",
            dest="entry_pass",
            type=int,
            choices=EntryPass.values,
            default=EntryPass.FIRST,
            help="The entry pass: 1 (default) or 2 for the second, blind entry.",
        )

    def handle(self, *args, session_id, files, entry_pass, **options):
        session = VoteSession.objects.select_related("organization").filter(pk=session_id).first()
        if session is None:
            raise CommandError(_("There is no session %(id)d.") % {"id": session_id})
        if not session.officials.exists():
            raise CommandError(_("This session has no officials to rate."))
        layout, pdf = ballot_layout(session=session)
        template = prepare_template(layout, pdf)

        summary = {"pages": 0, "ballots": 0, "saved": 0, "held": 0, "refused_pages": 0}
        readings = []
        failures = []
        for name in files:
            path = Path(name)
            try:
                if path.stat().st_size > MAX_BYTES:
                    failures.append(
                        _("%(file)s is too large: at most %(max)d MB is accepted.")
                        % {"file": path, "max": MAX_BYTES // (1024 * 1024)}
                    )
                    continue
                content = path.read_bytes()
            except OSError as exc:
                failures.append(
                    _("Cannot read %(file)s: %(reason)s") % {"file": path, "reason": exc.strerror}
                )
                continue
            try:
                batch, reading, report = scan_file_import(
                    user=None,
                    session=session,
                    entry_pass=entry_pass,
                    file_name=path.name,
                    content=content,
                    template=template,
                )
            except DomainError as exc:
                failures.append(
                    _("Nothing was imported from %(file)s: %(reason)s")
                    % {"file": path, "reason": exc}
                )
                continue
            for message in reading.refused_messages():
                self.stdout.write(message)
            for item in report:
                if item.status != "saved":
                    self.stdout.write(
                        _("Ballot %(number)d held: %(reasons)s")
                        % {"number": item.number, "reasons": "; ".join(item.reasons)}
                    )
            summary["pages"] += reading.pages
            summary["ballots"] += len(report)
            summary["saved"] += batch.saved
            summary["held"] += batch.held
            summary["refused_pages"] += len(reading.refused)
            readings.extend(
                {
                    "number": item.number,
                    "status": item.status,
                    "marks": item.marks,
                    "reasons": item.reasons,
                }
                for item in report
            )
        for failure in failures:
            self.stderr.write(failure)
        self.stdout.write(json.dumps({**summary, "readings": readings}, ensure_ascii=False))
        if failures:
            raise CommandError(
                _("%(count)d of %(total)d files were not imported.")
                % {"count": len(failures), "total": len(files)}
            )
