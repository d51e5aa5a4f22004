"""Logins that resist guessing, the client's address, and the refusal to serve a production site
with the published development key.

django-axes counts failed passwords in the database (every worker and restart sees them) and
locks the account after LOGIN_FAILURE_LIMIT failures, and separately the client address after
LOGIN_FAILURE_LIMIT_PER_ADDRESS, for LOGIN_LOCKOUT_MINUTES. The login page and the admin login
go through it by way of Django's authenticate(); a password re-entered to confirm something
calls password_recheck().
"""

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from confidence_vote.lib.env import production_secret_key_problem
from sessions.errors import DomainError


def refuse_insecure_start() -> None:
    """Called by the WSGI and ASGI applications: with DEBUG=false, no start on a missing,
    published or weak SECRET_KEY (anyone holding it could forge a session)."""
    if settings.DEBUG:
        return
    problem = production_secret_key_problem(settings.SECRET_KEY)
    if problem:
        raise ImproperlyConfigured(
            f"{problem} With DEBUG=false the application starts only with its own secret key: "
            "set SECRET_KEY, or SECRET_KEY_FILE naming a file that holds it (make one with "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`). "
            "For development, set DEBUG=true."
        )


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the header CLIENT_IP_HEADER names when the site is
    behind a proxy that sets it (its last value: the one the proxy added)."""
    header = settings.CLIENT_IP_HEADER
    candidates = []
    if header:
        candidates.append(request.META.get(header, "").split(",")[-1].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for value in candidates:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            continue
    return None


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for the address: the account is
    locked after AXES_FAILURE_LIMIT (LOGIN_FAILURE_LIMIT) failures, the address after
    LOGIN_FAILURE_LIMIT_PER_ADDRESS failures on any accounts."""

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Axes compares one number with AXES_FAILURE_LIMIT: the address's count is scaled so
        # that it reaches that number exactly when the address reaches its own limit.
        scaled = (
            by_address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
        )
        return max(by_account, scaled)


class LockoutBackend(AxesStandaloneBackend):
    """Refuses every login of a locked account or address (then ModelBackend checks the
    password). Without a request (a management command) there is no address to count by, and
    the check is left to ModelBackend alone; every web login passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_wait_minutes(request, username: str | None) -> int:
    """Whole minutes (at least 1) until the newest counted failure of this account or address
    is older than the lockout time."""
    ip = client_ip(request)
    matching = Q(username=username) if username else Q(pk__in=[])
    if ip:
        matching |= Q(ip_address=ip)
    latest = AccessAttempt.objects.filter(matching).aggregate(latest=Max("attempt_time"))["latest"]
    if latest is None:
        return settings.LOGIN_LOCKOUT_MINUTES
    seconds = (latest + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def lockout_message(request, username: str | None) -> str:
    minutes = lockout_wait_minutes(request, username)
    return ngettext(
        "Too many wrong passwords: logging in is locked for this account or this computer. "
        "Try again in %(minutes)d minute.",
        "Too many wrong passwords: logging in is locked for this account or this computer. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login (the login page or the admin's) answers: HTTP 429 and the wait."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return render(
        request,
        "registration/locked_out.html",
        {"message": lockout_message(request, username)},
        status=429,
    )


def password_recheck(request, password: str) -> None:
    """The signed-in user re-enters their password to confirm an act. A wrong password counts
    as a failed login, so guessing it here locks the account like the login page does.
    Raises DomainError (a wrong password, or locked out with the wait)."""
    username = request.user.get_username()
    if not AxesProxyHandler.is_allowed(request, {"username": username}):
        raise DomainError(lockout_message(request, username), field="password")
    user = authenticate(request, username=username, password=password or "")
    if getattr(request, "axes_locked_out", False):
        # This failure reached the limit: answered here, so the middleware leaves the page be.
        request.axes_locked_out = False
        raise DomainError(lockout_message(request, username), field="password")
    if user is None or user.pk != request.user.pk:
        raise DomainError(_("The password is not right."), field="password")
