"""Strict readers for environment variables.

Each helper refuses a value it does not understand instead of guessing, so a
typo in deployment configuration stops the process at start-up with a clear
message rather than silently running with the wrong setting.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of: {', '.join(sorted(_TRUE | _FALSE))}."
    )


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate items by commas.")
    return items


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
    return number


# The key `make run` and the tests use. Published in this repository, so with DEBUG=false the
# application refuses to start on it (see production_secret_key_problem).
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-set-SECRET_KEY"


def env_secret(name: str, default: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (its content, surrounding
    whitespace removed): a systemd credential or a file readable by the service only. Both set,
    an unreadable or an empty file: refused."""
    value = os.environ.get(name, "")
    path = os.environ.get(f"{name}_FILE", "")
    if value and path:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                value = handle.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from None
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} is empty.")
        return value
    return value or default


def production_secret_key_problem(key: str) -> str | None:
    """Why this key must not sign a production site's sessions, or None. The same rules as
    Django's deployment check (security.W009), so a key accepted here passes `check --deploy`."""
    if not key:
        return "SECRET_KEY is not set."
    if key == DEVELOPMENT_SECRET_KEY or key.startswith("django-insecure-"):
        return "SECRET_KEY is the published development key."
    if len(key) < 50 or len(set(key)) < 5:
        return "SECRET_KEY is too short: use at least 50 random characters."
    return None


def env_header(name: str) -> str:
    """An HTTP header name (e.g. X-Forwarded-Proto) as Django's request.META key
    (HTTP_X_FORWARDED_PROTO); empty when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return ""
    if not all(part.isalnum() for part in value.split("-")):
        raise ImproperlyConfigured(f"{name}={value!r} is not an HTTP header name.")
    return "HTTP_" + value.upper().replace("-", "_")
