from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.management import call_command
from django.db.models.signals import post_migrate

from confidence_vote.lib.env import production_secret_key_problem


def _create_cache_table(sender, using, verbosity=0, **kwargs):
    # The database cache (rate limits) needs its table; `migrate` makes it, so every way of
    # setting up or upgrading a database has it. Nothing happens when it exists or for Redis.
    call_command("createcachetable", database=using, verbosity=0)


class ConfidenceVoteConfig(AppConfig):
    """The project's own pieces that belong to no app: the cache table, the health check."""

    name = "confidence_vote"
    verbose_name = "Confidence vote"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from confidence_vote.middleware import session_touched_at_login

        post_migrate.connect(_create_cache_table, sender=self)
        user_logged_in.connect(session_touched_at_login, dispatch_uid="session_touched_at_login")


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    """`manage.py check --deploy` (run by `make serve`) stops on a key the application would
    refuse to start with (confidence_vote/wsgi.py), saying why, before gunicorn is started."""
    if settings.DEBUG:
        return []
    problem = production_secret_key_problem(settings.SECRET_KEY)
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Set SECRET_KEY (or SECRET_KEY_FILE) to at least 50 random characters: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'.",
            id="confidence_vote.E001",
        )
    ]
