"""python manage.py backup -o FILE [--include-keys [--passphrase-file FILE]]: one archive of
the database, the uploaded files and the signed documents (see reports/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.backup import BackupError, backup_write, default_backup_name
from reports.management.passphrase import read_passphrase


class Command(BaseCommand):
    help = (
        "Write one backup archive: the database's contents (sessions, ballots, results, signed "
        "documents, user accounts), the uploaded files, and a manifest with the SHA-256 of "
        "each part. With --include-keys the signing keys are added, encrypted with a "
        "passphrase."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            help="The archive to write (default: confidence-vote-<date>-<time>.zip here).",
        )
        parser.add_argument(
            "--include-keys",
            action="store_true",
            help="Also back up the signing keys (SIGNING_DIR), encrypted with a passphrase.",
        )
        parser.add_argument(
            "--passphrase-file",
            help="Read the passphrase from the first line of this file instead of asking.",
        )
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args, **options):
        output = Path(options["output"] or default_backup_name())
        if output.exists():
            raise CommandError(
                _("%(file)s already exists; choose another name.") % {"file": output}
            )
        passphrase = None
        if options["include_keys"]:
            passphrase = read_passphrase(options["passphrase_file"], confirm=True)
        try:
            manifest = backup_write(
                output=output,
                include_keys=options["include_keys"],
                passphrase=passphrase,
                using=options["database"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] >= 1:
            counts = manifest["counts"]
            self.stdout.write(
                _(
                    "Backup written to %(file)s: %(sessions)d sessions, %(ballots)d ballots, "
                    "%(documents)d signed documents, %(users)d accounts, %(parts)d parts%(keys)s."
                )
                % {
                    "file": output,
                    "sessions": counts.get("vote_sessions.votesession", 0),
                    "ballots": counts.get("ballots.ballot", 0),
                    "documents": counts.get("reports.signeddocument", 0),
                    "users": counts.get("auth.user", 0),
                    "parts": len(manifest["parts"]),
                    "keys": _(", signing keys encrypted") if manifest["keys"] else "",
                }
            )
