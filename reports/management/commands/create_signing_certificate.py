"""python manage.py create_signing_certificate ORGANIZATION [--force]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.key_services import trial_signer_install
from reports.keys import signer_paths
from sessions.models import Organization


class Command(BaseCommand):
    help = (
        "Make a self-signed TRIAL signing certificate for an organization (by name or id) "
        "in SIGNING_DIR. It has no legal value: install a real certificate for official use."
    )

    def add_arguments(self, parser):
        parser.add_argument("organization", help="The organization's name or id.")
        parser.add_argument("--force", action="store_true", help="Replace an existing certificate.")

    def handle(self, *args, organization, force, **options):
        found = Organization.objects.filter(name=organization.strip()).first()
        if found is None and organization.strip().isdigit():
            found = Organization.objects.filter(pk=int(organization)).first()
        if found is None:
            raise CommandError(
                _("No organization named or numbered %(value)s.") % {"value": organization}
            )
        try:
            path = trial_signer_install(organization=found, force=force)
        except FileExistsError as exc:
            raise CommandError(
                _("%(path)s already exists; use --force to replace it.") % {"path": exc.args[0]}
            ) from exc
        _bundle, password_path = signer_paths(found)
        self.stdout.write(
            _(
                "Wrote a TRIAL signing certificate for %(organization)s:\n  %(bundle)s\n"
                "  %(password)s\nIt is self-signed and has no legal value; use it for trials only."
            )
            % {"organization": found.name, "bundle": path, "password": password_path}
        )
