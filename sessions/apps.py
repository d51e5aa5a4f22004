from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoteSessionsConfig(AppConfig):
    # The label "sessions" belongs to django.contrib.sessions.
    name = "sessions"
    label = "vote_sessions"
    verbose_name = _("Vote sessions")
