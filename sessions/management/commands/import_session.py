"""python manage.py import_session FILE.json: create a whole session from one file."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sessions.errors import DomainError
from sessions.services.session_import import import_summary, session_import_file


class Command(BaseCommand):
    help = (
        "Create a vote session (organization, officials, delegates, counting committee) from a "
        "UTF-8 JSON file. Prints the new session's id alone on the last line. An invalid file "
        "creates nothing; each problem is named by its place in the file, e.g. "
        "officials[2].name (lists count from 0). A counting committee entry may name the "
        'user account its member signs in with ("username": an existing user, who is given '
        "the counting committee role in the organization if they lack it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The session file (JSON, UTF-8).")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            session = session_import_file(user=None, path=path)
        except DomainError as exc:
            problems = "\n".join(f"  {line}" for line in str(exc).splitlines())
            raise CommandError(
                _("Nothing was imported from %(file)s:") % {"file": path} + "\n" + problems
            ) from None
        if options["verbosity"] >= 1:
            counts = import_summary(session=session)
            self.stdout.write(
                _(
                    "Imported “%(title)s” (%(organization)s): %(officials)d officials, "
                    "%(delegates)d delegates (%(present)d present, %(absent)d absent), "
                    "%(committee)d on the counting committee; status: %(status)s."
                )
                % {
                    "title": session.title,
                    "organization": session.organization.name,
                    "status": session.get_status_display(),
                    **counts,
                }
            )
            unlinked = list(
                session.committee_members.filter(user__isnull=True).values_list(
                    "full_name", flat=True
                )
            )
            if unlinked:
                self.stdout.write(
                    _(
                        "Without a user account on the counting committee: %(names)s. Link "
                        'their accounts on the session\'s committee page (or give "username" '
                        "in the file) so that they can enter ballots and sign off."
                    )
                    % {"names": ", ".join(unlinked)}
                )
        # Alone on the last line, for scripts: `id=$(manage.py import_session f.json | tail -1)`.
        self.stdout.write(str(session.pk))
