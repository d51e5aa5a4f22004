"""python manage.py restore FILE [--passphrase-file FILE | --skip-keys]: fill an empty,
migrated database from a backup archive (see reports/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.backup import BackupError, backup_restore
from reports.management.passphrase import read_passphrase


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty, migrated database (SQLite or PostgreSQL, "
        "whichever made it), with its uploaded files and, if it holds them, the signing keys "
        "(asks for the passphrase). Every part's SHA-256 is checked first; nothing is changed "
        "if any check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup archive.")
        parser.add_argument(
            "--passphrase-file",
            help="Read the keys' passphrase from the first line of this file instead of asking.",
        )
        parser.add_argument(
            "--skip-keys",
            action="store_true",
            help="Do not restore the signing keys the archive holds.",
        )
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("%(file)s is not a file.") % {"file": path})
        try:
            summary = backup_restore(
                path=path,
                passphrase=lambda: read_passphrase(options["passphrase_file"], confirm=False),
                skip_keys=options["skip_keys"],
                using=options["database"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] >= 1:
            self.stdout.write(
                _(
                    "Restored from %(file)s: %(rows)d rows, %(documents)d signed documents "
                    "checked, %(media)d uploaded files, %(keys)d key files."
                )
                % {
                    "file": path,
                    "rows": summary.rows,
                    "documents": summary.documents,
                    "media": summary.media_files,
                    "keys": summary.key_files,
                }
            )
