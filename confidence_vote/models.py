"""The project's own models that belong to no app: the login session (see
`confidence_vote/login_sessions.py`). The module also makes Django send this app post_migrate
(see apps.py)."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginSession(AbstractBaseSession):
    """Django's database-backed login session, extended as its documentation shows
    ("Extending database-backed session engines"): the account the session is logged in as
    has a column of its own, so that loading the session loads the account in the same query.

    The column is a hint, never a right: who is logged in is what the session's data says,
    checked by Django's `get_user` as always (the backend path, the session's password hash,
    the account's `is_active`). No constraint: a column that names a deleted account only
    makes the account be looked up the usual way (and not found).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")

    @classmethod
    def get_session_store_class(cls):
        from confidence_vote.login_sessions import SessionStore

        return SessionStore
