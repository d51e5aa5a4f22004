"""python manage.py seed_demo: the seed case of DOMAIN.md and one login per role.

Idempotent: a second run finds the session by organization and title and leaves it (and any
attendance someone changed since) as it is; missing accounts are added, existing ones kept.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from confidence_vote.lib.text import clean_text
from sessions.audit import audit_record
from sessions.demo import SEED_FILE
from sessions.errors import DomainError
from sessions.models import CommitteeMember, CommitteeRole, Membership, Role, VoteSession
from sessions.services.session_import import (
    import_summary,
    session_file_load,
    session_import,
)

DEMO_URL = "http://127.0.0.1:8000/"
DEMO_PASSWORD = "demo12345"
ADMIN_USERNAME = "admin"
# username, role, and which counting-committee seat the account sits in (None: none).
DEMO_USERS = [
    ("vanphong", Role.SECRETARIAT, None),
    ("kiemphieu", Role.COUNTING, CommitteeRole.CHAIR),
    ("kiemphieu2", Role.COUNTING, CommitteeRole.MEMBER),
    ("lanhdao", Role.LEADERSHIP, None),
]


class Command(BaseCommand):
    help = (
        "Load the demo: the Quảng Ninh procuracy's mid-term confidence vote of 03/7/2023 "
        "(in draft) and one login per role, all with the password demo12345. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have a published password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "seed_demo creates accounts with a published password. Run it for "
                    "development (DEBUG=true), or pass --force if you really mean it."
                )
            )
        try:
            data = session_file_load(path=SEED_FILE)
            with transaction.atomic():
                session, created = self._seed_session(data)
                seats, kept = self._seed_users(session)
        except DomainError as exc:
            raise CommandError(f"{SEED_FILE.name}: {exc}") from None

        counts = import_summary(session=session)
        values = {"title": session.title, "id": session.pk, **counts}
        if created:
            self.stdout.write(
                _(
                    "Created the demo session “%(title)s” (id %(id)d): %(officials)d officials, "
                    "%(delegates)d delegates (%(present)d present, %(absent)d absent)."
                )
                % values
            )
        else:
            self.stdout.write(
                _("The demo session “%(title)s” already exists (id %(id)d); it was left as it is.")
                % values
            )
        self._print_logins(seats, kept)

    def _seed_session(self, data) -> tuple[VoteSession, bool]:
        organization_name = clean_text(data["organization"]["name"])
        existing = (
            VoteSession.objects.select_related("organization")
            .filter(organization__name=organization_name, title=clean_text(data["title"]))
            .order_by("pk")
            .first()
        )
        if existing is not None:
            return existing, False
        return session_import(user=None, data=data), True

    def _seed_users(
        self, session: VoteSession
    ) -> tuple[dict[str, CommitteeMember | None], list[str]]:
        """Create the missing demo accounts; seat the counting ones on the committee.
        Returns each account's seat and the accounts that existed already (left as they are)."""
        User = get_user_model()
        seats: dict[str, CommitteeMember | None] = {}
        kept: list[str] = []
        for username, role, seat in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            else:
                kept.append(username)
            Membership.objects.get_or_create(
                user=user, organization=session.organization, role=role
            )
            seats[username] = self._seat(session, user, seat) if seat else None
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            kept.append(ADMIN_USERNAME)
        else:
            User.objects.create_superuser(username=ADMIN_USERNAME, password=DEMO_PASSWORD)
        return seats, kept

    def _seat(self, session: VoteSession, user, seat: str) -> CommitteeMember | None:
        """The user's committee seat: the one already held, else the first free seat of that
        role (chair, or a member) — only while the lists may change."""
        members = session.committee_members.all()
        held = members.filter(user=user).first()
        if held is not None or session.lists_locked:
            return held
        member = members.filter(role=seat, user__isnull=True).order_by("pk").first()
        if member is None:
            return None
        member.user = user
        member.full_clean()
        member.save(update_fields=["user"])
        audit_record(
            action="committee.update",
            user=None,
            session=session,
            data={"full_name": member.full_name, "user": [None, user.get_username()]},
        )
        return member

    def _print_logins(self, seats: dict[str, CommitteeMember | None], kept: list[str]) -> None:
        role_labels = {
            Role.SECRETARIAT: _("Secretariat: prepares and runs the session"),
            Role.COUNTING: _("Counting committee"),
            Role.LEADERSHIP: _("Leadership: read-only"),
        }
        rows = []
        for username, role, _seat in DEMO_USERS:
            label = str(role_labels[role])
            member = seats.get(username)
            if member is not None:
                label += f" ({member.full_name}, {member.get_role_display()})"
            rows.append((username, DEMO_PASSWORD, label))
        rows.append((ADMIN_USERNAME, DEMO_PASSWORD, _("Django admin (superuser), at /admin/")))

        self.stdout.write("")
        self.stdout.write(_("Open %(url)s and log in as:") % {"url": DEMO_URL})
        header = (_("username"), _("password"), _("role"))
        width = max(len(row[0]) for row in [*rows, header]) + 2
        self.stdout.write(f"  {header[0]:<{width}}{header[1]:<12}{header[2]}")
        for username, password, label in rows:
            self.stdout.write(f"  {username:<{width}}{password:<12}{label}")
        if kept:
            self.stdout.write(
                _("Accounts that existed already keep their current password: %(names)s.")
                % {"names": ", ".join(kept)}
            )
