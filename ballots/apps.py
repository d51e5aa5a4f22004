from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    name = "ballots"
    verbose_name = _("Ballots")

    def ready(self) -> None:
        # Its words in the history and the ballot record.
        from ballots import audit  # noqa: F401

        # The access object asks the ballots which passes a member typed (blind double entry).
        from ballots.selectors import entered_per_pass, passes_entered_by
        from sessions.access import register_pass_lookup

        register_pass_lookup(
            lambda session, user: passes_entered_by(session=session, user=user),
            lambda session: entered_per_pass(session=session),
        )
