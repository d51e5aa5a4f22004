"""The passphrase that protects the signing keys in a backup: from a file, or asked for."""

import getpass
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from reports.backup import PASSPHRASE_MIN_LENGTH


def read_passphrase(path: str | None, *, confirm: bool) -> bytes:
    """The first line of `path`, or typed at the terminal (twice when `confirm`)."""
    if path:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("Cannot read the passphrase file %(file)s: %(error)s")
                % {"file": path, "error": exc}
            ) from None
        passphrase = lines[0] if lines else ""
    else:
        if not sys.stdin.isatty():
            raise CommandError(_("No terminal to ask for the passphrase: use --passphrase-file."))
        passphrase = getpass.getpass(_("Passphrase for the signing keys: "))
        if confirm and getpass.getpass(_("The same passphrase again: ")) != passphrase:
            raise CommandError(_("The two passphrases differ."))
    if len(passphrase) < PASSPHRASE_MIN_LENGTH:
        raise CommandError(
            _("The passphrase must have at least %(min)d characters.")
            % {"min": PASSPHRASE_MIN_LENGTH}
        )
    return passphrase.encode("utf-8")
