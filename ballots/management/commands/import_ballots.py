"""python manage.py import_ballots SESSION_ID FILE.csv [--pass 1|2] [--as USERNAME]: enter a pile
of ballots, typed (with --as) by a member of the session's counting committee.

Other organizations script against this interface: keep its arguments, file format and
exit status as they are. All or nothing: any problem saves no ballot.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ballots.importing import parse_ballots
from ballots.models import EntryPass
from ballots.services import ballots_import
from confidence_vote.lib.uploads import UploadKind, UploadRefused, read_path
from sessions.access import access_for
from sessions.errors import DomainError
from sessions.models import VoteSession

# More lines than this only bury the first problems, which are usually the cause.
MAX_PROBLEM_LINES = 30


class Command(BaseCommand):
    help = (
        "Import paper ballots into a session that is counting, from a UTF-8 CSV or .xlsx file "
        "with the header 'ballot,1,2,...,invalid_reason': one column per official's ballot "
        "order, marks H, M, L (high, medium, low), X (several boxes ticked) or empty (none); "
        "invalid_reason (optional: not_issued, name_crossed_out, name_added, other) makes the "
        "whole ballot invalid. Any problem imports nothing. With --as USERNAME the pass is "
        "attributed to that member of the session's counting committee, who may then list and "
        "correct it like a pass typed in the browser."
    )

    def add_arguments(self, parser):
        parser.add_argument("session_id", type=int, help="The vote session's id.")
        parser.add_argument("file", help="The ballots file (.csv in UTF-8, or .xlsx).")
        parser.add_argument(
            "--pass",
            dest="entry_pass",
            type=int,
            choices=EntryPass.values,
            default=EntryPass.FIRST,
            help="The entry pass: 1 (default) or 2 for the second, blind entry.",
        )
        parser.add_argument(
            "--as",
            dest="as_username",
            metavar="USERNAME",
            help="The user account of the committee member who typed this pass.",
        )

    def handle(self, *args, **options):
        session_id = options["session_id"]
        entry_pass = options["entry_pass"]
        path = Path(options["file"])

        session = VoteSession.objects.filter(pk=session_id).first()
        if session is None:
            raise CommandError(_("There is no session %(id)d.") % {"id": session_id})
        try:
            # The upload validator, as for a file uploaded in the browser (IMPORT_MAX_BYTES).
            content = read_path(path, kind=UploadKind.SPREADSHEET)
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": path, "reason": exc.strerror}
            ) from None
        except UploadRefused as exc:
            self._refuse(path, [exc.message])

        typist = self._typist(session, options["as_username"])

        orders = list(session.officials.values_list("order", flat=True))
        result = parse_ballots(content, path.name, official_orders=orders)
        if result.errors:
            self._refuse(path, [problem.message for problem in result.errors])
        try:
            ballots = ballots_import(
                user=typist, session=session, entry_pass=entry_pass, rows=result.ballots
            )
        except DomainError as exc:
            self._refuse(path, str(exc).splitlines())

        if options["verbosity"] >= 1:
            count = len(ballots)
            self.stdout.write(
                ngettext(
                    "%(count)d ballot imported into pass %(pass)d of session %(id)d.",
                    "%(count)d ballots imported into pass %(pass)d of session %(id)d.",
                    count,
                )
                % {"count": count, "pass": entry_pass, "id": session.pk}
            )
            if typist is not None:
                self.stdout.write(
                    _("Entered by %(username)s.") % {"username": typist.get_username()}
                )

    def _typist(self, session: VoteSession, username: str | None):
        """The account named by --as: it must exist and sit on the session's committee."""
        if username is None:
            return None
        User = get_user_model()
        typist = User.objects.filter(**{User.USERNAME_FIELD: username}, is_active=True).first()
        if typist is None:
            raise CommandError(
                _("--as: there is no active user account %(username)s.") % {"username": username}
            )
        access = access_for(user=typist, session=session)
        if access.seat_id is not None and not access.can("enter_ballots"):
            raise CommandError(
                _(
                    "--as: %(username)s does not type ballots in this count (the chair oversees "
                    "unless they said otherwise when opening it)."
                )
                % {"username": username}
            )
        if not access.can("enter_ballots"):
            raise CommandError(
                _(
                    "--as: %(username)s does not sit on the counting committee of session "
                    "%(id)d (with the counting committee role in its organization), so cannot "
                    "have typed its ballots. Link the account to a committee member first."
                )
                % {"username": username, "id": session.pk}
            )
        return typist

    def _refuse(self, path: Path, problems: list[str]) -> None:
        lines = problems[:MAX_PROBLEM_LINES]
        if len(problems) > MAX_PROBLEM_LINES:
            lines.append(_("… and %(count)d more.") % {"count": len(problems) - MAX_PROBLEM_LINES})
        raise CommandError(
            _("Nothing was imported from %(file)s:") % {"file": path}
            + "\n"
            + "\n".join(f"  {line}" for line in lines)
        )
