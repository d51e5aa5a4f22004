"""The health check for a load balancer or a monitor, and the password change's form."""

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from confidence_vote.security import password_recheck
from sessions.errors import DomainError


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _cache_ok() -> bool:
    try:
        cache.set("healthz", "ok", timeout=60)
        return cache.get("healthz") == "ok"
    except Exception:  # any backend's failure (a missing table, Redis down) means "not ok"
        return False


@never_cache
@require_safe
def healthz(request):
    """200 {"status": "ok", ...} when the database answers, every migration is applied and
    the shared cache works; 503 naming the failing part otherwise. No version, host or setting
    is shown: the page is public."""
    checks = {"database": "ok" if _database_ok() else "unreachable"}
    if checks["database"] == "ok":
        pending = _pending_migrations()
        checks["migrations"] = "ok" if pending == 0 else f"{pending} not applied"
    else:
        checks["migrations"] = "unknown"
    checks["cache"] = "ok" if _cache_ok() else "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the old password checked like a login: guessing it locks out."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        try:
            password_recheck(self.request, old_password)
        except DomainError as exc:
            raise auth_forms.ValidationError(exc.message, code="password_incorrect") from None
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    """A signed-in user changes their own password (the session stays signed in)."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
