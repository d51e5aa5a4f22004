"""python manage.py tally SESSION_ID [--format json|csv]: the results as data, on stdout.

JSON has exactly the keys of `Tally.as_data()`, in the order of issue 4 (percentages as strings
with a dot); CSV has one row per official with the same columns, UTF-8 with a BOM so that Excel
reads Vietnamese.
Other organizations script against this interface: keep its arguments and output as they are.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.exports import csv_text
from reports.selectors import tally_for_session
from sessions.models import VoteSession


class Command(BaseCommand):
    help = (
        "Print a session's tally by its rule profile: JSON (default) or CSV with one row per "
        "official (UTF-8 with BOM)."
    )

    def add_arguments(self, parser):
        parser.add_argument("session_id", type=int, help="The vote session's id.")
        parser.add_argument(
            "--format",
            dest="output_format",
            choices=["json", "csv"],
            default="json",
            help="json (default) or csv.",
        )

    def handle(self, *args, **options):
        session = VoteSession.objects.filter(pk=options["session_id"]).first()
        if session is None:
            raise CommandError(
                _("There is no vote session with id %(id)d.") % {"id": options["session_id"]}
            )
        tally = tally_for_session(session=session)
        if options["output_format"] == "csv":
            self.stdout.write(csv_text(tally), ending="")
        else:
            self.stdout.write(json.dumps(tally.as_data(), ensure_ascii=False, indent=2))
