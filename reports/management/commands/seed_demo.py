"""python manage.py seed_demo: the seed case of docs/domain.md and one login per role.

Idempotent: a second run finds the session by organization and title and leaves it (and any
attendance someone changed since) as it is; missing accounts are added, existing ones kept.

With --complete it then takes the session all the way, through the same services the screens
use: voting, counting (28 ballots entered twice), the count closed, every committee member's
confirmation, the documents' numbers and times, a trial signing certificate, and the
certified, signed documents.

It lives in `reports`, the top layer, because it drives every app (reports → ballots →
sessions); the demo data itself is sessions/demo/seed_session.json.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ballots.inputs import BallotInput
from ballots.models import Ballot
from ballots.services import (
    ballot_record,
    count_close,
    count_open,
    count_record_collected,
)
from confidence_vote.lib.text import clean_text
from reports.details import result_details_update
from reports.key_services import trial_signer_install
from reports.keys import organization_certificate
from reports.models import ResultDetails, SignedDocument
from reports.selectors import confirmation_state
from reports.services import result_certify, result_confirm
from sessions import lifecycle
from sessions.audit import audit_record
from sessions.demo import SEED_FILE
from sessions.errors import DomainError
from sessions.models import (
    CommitteeMember,
    CommitteeRole,
    Membership,
    Role,
    VoteSession,
)
from sessions.services.session_import import (
    import_summary,
    session_file_load,
    session_import,
)
from sessions.services.sessions import session_start_voting

DEMO_URL = "http://127.0.0.1:8000/"
DEMO_PASSWORD = "demo12345"
ADMIN_USERNAME = "admin"
# username, role, and which counting-committee seat the account sits in (None: none).
DEMO_USERS = [
    ("vanphong", Role.SECRETARIAT, None),
    ("kiemphieu", Role.COUNTING, CommitteeRole.CHAIR),
    ("kiemphieu2", Role.COUNTING, CommitteeRole.MEMBER),
    ("kiemphieu3", Role.COUNTING, CommitteeRole.MEMBER),
    ("lanhdao", Role.LEADERSHIP, None),
]
SECRETARIAT_USERNAME = "vanphong"
# The seed case's result (docs/domain.md): 28 ballots issued and collected, each rating all five
# officials "high"; pass 1 typed by kiemphieu2, pass 2 by kiemphieu3; the chair oversees.
ISSUED = 28
# Not in the seed (invented): when the count ended and the result was announced, and the
# documents' number.
COUNT_ENDED = dt.time(9, 30)
ANNOUNCED = dt.time(9, 45)
DOCUMENT_NUMBER = "01"


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
        parser.add_argument(
            "--complete",
            action="store_true",
            help=(
                "Then take the session all the way: voting, 28 ballots entered twice, the "
                "count closed, confirmations, a trial signing certificate, certification."
            ),
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "seed_demo creates accounts with a published password. Run it for "
                    "development (DEBUG=true), or pass --force if you really mean it."
                )
            )
        users = DEMO_USERS
        try:
            data = session_file_load(path=SEED_FILE)
            with transaction.atomic():
                session, created = self._seed_session(data)
                seats, kept = self._seed_users(session, users)
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
        self._print_logins(users, seats, kept)
        if options["complete"]:
            self._complete(session)

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
        self, session: VoteSession, users: list[tuple[str, str, str | None]]
    ) -> tuple[dict[str, CommitteeMember | None], list[str]]:
        """Create the missing demo accounts; seat the counting ones on the committee.
        Returns each account's seat and the accounts that existed already (left as they are)."""
        User = get_user_model()
        seats: dict[str, CommitteeMember | None] = {}
        kept: list[str] = []
        for username, role, seat in users:
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
        if held is not None or lifecycle.lists_locked(session):
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

    def _print_logins(
        self,
        users: list[tuple[str, str, str | None]],
        seats: dict[str, CommitteeMember | None],
        kept: list[str],
    ) -> None:
        role_labels: dict[str, str] = {
            Role.SECRETARIAT: _("Secretariat: prepares and runs the session"),
            Role.COUNTING: _("Counting committee"),
            Role.LEADERSHIP: _("Leadership: read-only"),
        }
        rows = []
        for username, role, _seat in users:
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

    # --- --complete -----------------------------------------------------------------------

    def _complete(self, session: VoteSession) -> None:
        """Take the seed session from wherever it is to a certified result. Each step runs only
        if the session has not passed it yet, so a second run changes nothing."""
        # The demo spans every app: the one place the sessions app reaches into ballots and

        session.refresh_from_db()
        if lifecycle.result_final(session):
            self.stdout.write("")
            self.stdout.write(
                _("The demo session (id %(id)d) is already certified; nothing was changed.")
                % {"id": session.pk}
            )
            self._print_documents(session)
            return
        members = list(session.committee_members.select_related("user").order_by("role", "pk"))
        without = [member.full_name for member in members if member.user is None]
        if without:
            raise CommandError(
                _(
                    "Every counting committee member needs an account to confirm the result; "
                    "these have none: %(names)s. Unlock the lists or link them on the committee "
                    "page, then run seed_demo --complete again."
                )
                % {"names": ", ".join(without)}
            )
        chair = next((m.user for m in members if m.is_chair), None)
        typists = [m for m in members if not m.is_chair][:2]
        if chair is None or len(typists) < (2 if session.double_entry else 1):
            raise CommandError(
                _("The demo committee needs a chair and a member to type each entry pass.")
            )
        secretariat = get_user_model().objects.filter(username=SECRETARIAT_USERNAME).first()
        try:
            self._count(session, secretariat=secretariat, chair=chair, typists=typists)
            self._confirm(session, members)
            self._details(session, chair=chair)
            self._signing_certificate(session)
            session.refresh_from_db()
            documents = result_certify(user=chair, session=session)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("")
        self.stdout.write(
            _(
                "The demo session (id %(id)d) is certified: %(count)d signed documents, "
                "version %(version)d."
            )
            % {"id": session.pk, "count": len(documents), "version": session.result_version}
        )
        self._print_documents(session)

    def _count(
        self, session: VoteSession, *, secretariat, chair, typists: list[CommitteeMember]
    ) -> None:
        """Voting, counting with 28 issued, both passes entered by two members (each their
        own), 28 collected, the count closed."""

        if lifecycle.transition_allowed(session, "start_voting"):
            session_start_voting(user=secretariat, session=session)
            session.refresh_from_db()
        if lifecycle.transition_allowed(session, "open_counting"):
            typing = {member.pk: str(n) for n, member in enumerate(typists, start=1)}
            count_open(user=chair, session=session, ballots_issued=ISSUED, typing=typing)
            session.refresh_from_db()
        if not lifecycle.counting_open(session):
            return
        assert session.ballots_issued is not None  # set when counting opened (a constraint)
        orders = list(session.officials.order_by("order").values_list("order", flat=True))
        marks = dict.fromkeys(orders, "high")
        passes = {n: member.user for n, member in enumerate(typists, start=1)}
        for entry_pass, user in passes.items():
            taken = set(
                Ballot.objects.filter(session=session, entry_pass=entry_pass).values_list(
                    "number", flat=True
                )
            )
            for number in range(1, session.ballots_issued + 1):
                if len(taken) >= session.ballots_issued:
                    break
                if number in taken:
                    continue
                ballot_record(
                    user=user,
                    session=session,
                    entry_pass=entry_pass,
                    entry=BallotInput(number=number, marks=marks),
                )
                taken.add(number)
        session.refresh_from_db()
        if session.ballots_collected is None:
            count_record_collected(user=chair, session=session, ballots_collected=ISSUED)
            session.refresh_from_db()
        count_close(user=chair, session=session)
        session.refresh_from_db()

    def _confirm(self, session: VoteSession, members: list[CommitteeMember]) -> None:
        """Every member who has not confirmed this version yet confirms, with the demo password."""

        state = confirmation_state(session=session)
        pending = {row["member"].pk for row in state["members"] if row["confirmed_at"] is None}
        for member in members:
            if member.pk not in pending:
                continue
            assert member.user is not None  # checked above: every member has an account
            if not member.user.check_password(DEMO_PASSWORD):
                raise CommandError(
                    _(
                        "%(username)s (%(name)s) no longer has the demo password: confirm the "
                        "result as that user on the sign-off page, then run this again."
                    )
                    % {"username": member.user.get_username(), "name": member.full_name}
                )
            result_confirm(user=member.user, session=session, password=DEMO_PASSWORD)

    def _details(self, session: VoteSession, *, chair) -> None:
        """The minutes' and report's numbers and the count's end and announcement on the
        meeting's day (the seed does not give them: invented), entered once."""
        if ResultDetails.objects.filter(session=session).exists():
            return
        day = timezone.localtime(session.starts_at).date()
        zone = timezone.get_current_timezone()
        result_details_update(
            user=chair,
            session=session,
            count_ended_at=timezone.make_aware(dt.datetime.combine(day, COUNT_ENDED), zone),
            announced_at=timezone.make_aware(dt.datetime.combine(day, ANNOUNCED), zone),
            minutes_number=DOCUMENT_NUMBER,
            report_number=DOCUMENT_NUMBER,
        )

    def _signing_certificate(self, session: VoteSession) -> None:
        """The organization's trial certificate, made once."""

        organization = session.organization
        if organization_certificate(organization) is not None:
            return
        try:
            path = trial_signer_install(organization=organization)
        except FileExistsError as exc:
            raise CommandError(
                _(
                    "%(path)s exists but cannot be read as a signing certificate; fix or remove "
                    "it (or run create_signing_certificate --force)."
                )
                % {"path": exc.args[0]}
            ) from None
        self.stdout.write(
            _("Made a TRIAL signing certificate (no legal value) in %(path)s.") % {"path": path}
        )

    def _print_documents(self, session: VoteSession) -> None:

        url = DEMO_URL.rstrip("/") + reverse("reports:signoff", kwargs={"pk": session.pk})
        self.stdout.write(
            _("Session id: %(id)d. Download the signed documents at %(url)s (log in as lanhdao)")
            % {"id": session.pk, "url": url}
        )
        current = SignedDocument.objects.filter(session=session, superseded_at__isnull=True)
        for name in current.order_by("kind").values_list("file_name", flat=True):
            self.stdout.write(f"  {name}")
        self.stdout.write(
            _("or write them to a folder: python manage.py export_documents %(id)d -o DIR")
            % {"id": session.pk}
        )
