"""Two small middlewares: the Permissions-Policy header, and sessions that end when idle."""

import time

from django.conf import settings

# The session key holding when the session's expiry was last pushed back (epoch seconds).
TOUCHED_KEY = "_touched"


class PermissionsPolicyMiddleware:
    """Turns off browser features the application never uses (camera, microphone, ...)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class IdleSessionMiddleware:
    """A session lasts SESSION_COOKIE_AGE (SESSION_IDLE_MINUTES) after the last request that
    used it. Saving the session on every request would push its expiry back, at the cost of a
    database write each time; this does the same at most once per tenth of the idle time (at
    most once a minute), so an idle session ends between 0.9 and 1 times the idle time after
    the last request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response
        interval = min(60, settings.SESSION_COOKIE_AGE // 10)
        now = int(time.time())
        # A session saved anyway notes the time for free.
        if session.modified or now - session.get(TOUCHED_KEY, 0) >= interval:
            session[TOUCHED_KEY] = now
        return response


def session_touched_at_login(sender, request, user, **kwargs):
    """A new login counts as the session's last use (user_logged_in signal)."""
    if request is not None and hasattr(request, "session"):
        request.session[TOUCHED_KEY] = int(time.time())
