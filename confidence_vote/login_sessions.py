"""Login sessions whose account comes with them: one query instead of two on every request of
a logged-in user (the session, then the account).

Django's documented extension of its database session engine (`SESSION_ENGINE` names this
module): the session row carries the account's id (`LoginSession.user`, written from the
session's data whenever the session is saved), and loading the session joins the account.
Django then asks the authentication backend for the account the session's data names;
`SessionAccountBackend` (Django's `ModelBackend`) answers with the account loaded with *this
request's* session when it is the same account, and looks it up as usual otherwise. Everything
else is Django's own, unchanged: `django.contrib.auth.get_user` checks the backend path and the
session's password hash and flushes a session that fails; the backend refuses an inactive
account; the session's expiry is the query's condition as in Django's engine; the idle timeout
(`IdleSessionMiddleware`) and the lockout (axes) do not depend on the engine.

"This request's session" is the store `SessionMiddleware` (below) makes for the request, held
in a context variable for the duration of the request only.
"""

import logging
from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

# The session store of the request being served (None outside a request).
_request_session: ContextVar["SessionStore | None"] = ContextVar("request_session", default=None)


class SessionStore(DBStore):
    """Django's database session store, on `LoginSession`."""

    # The account loaded with the session row (None: none, or not loaded by this store).
    loaded_user = None

    @classmethod
    def get_model_class(cls):
        from confidence_vote.models import LoginSession

        return LoginSession

    def _get_session_from_db(self):
        # Django's query (db.SessionStore._get_session_from_db), the account joined.
        self.loaded_user = None
        try:
            row = self.model.objects.select_related("user").get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None
            return None
        self.loaded_user = row.user  # joined: no query (None when the column is empty)
        return row

    def create_model_instance(self, data):
        row = super().create_model_instance(data)
        try:
            row.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            row.user_id = None
        return row


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, and remembers the request's session store while the request is served, so
    that `SessionAccountBackend` can take the account loaded with it. (Synchronous only: the
    context variable is reset when the response is returned.)"""

    async_capable = False

    def __call__(self, request):
        token = _request_session.set(None)
        try:
            return super().__call__(request)
        finally:
            _request_session.reset(token)

    def process_request(self, request):
        super().process_request(request)
        _request_session.set(request.session)


def account_loaded_with_session(user_id):
    """The account loaded with this request's session row, if it is the account `user_id`."""
    store = _request_session.get()
    user = getattr(store, "loaded_user", None)
    if user is None or user.pk != user_id:
        return None
    return user


class SessionAccountBackend(ModelBackend):
    """Django's `ModelBackend`; the account of the request's session comes from the session's
    query instead of a second one, and is refused when inactive exactly as `ModelBackend`
    refuses it."""

    def get_user(self, user_id):
        user = account_loaded_with_session(user_id)
        if user is None:
            return super().get_user(user_id)
        return user if self.user_can_authenticate(user) else None
