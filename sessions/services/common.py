"""Pieces every service uses: the session row lock, validation, and the lists' lock."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sessions import lifecycle
from sessions.access import REFUSALS, Account, User
from sessions.errors import DomainError
from sessions.models import VoteSession


def validate(instance) -> None:
    """full_clean(), with the first problem raised as a DomainError for the user."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from None


def acting_account(user: User | None) -> Account:
    """The signed-in account a write records as its author (entered_by, certified_by, ...).
    Called after the service's access check, which has refused anyone else already."""
    if user is None or not user.is_authenticated:
        raise DomainError(REFUSALS["view"])
    return user


def lock_session(session: VoteSession) -> VoteSession:
    """Re-read the session under a row lock, so two people cannot change its state at once."""
    return VoteSession.objects.select_for_update().select_related("organization").get(pk=session.pk)


def refuse_if_locked(session: VoteSession) -> None:
    """Officials, delegates, attendance and the committee change only in draft."""
    if lifecycle.lists_locked(session):
        raise DomainError(
            _("Voting has started: the lists are locked. Unlock them first, with a reason.")
        )


def lock_open_session(session: VoteSession) -> VoteSession:
    """The session under a row lock; refused unless its lists may still change."""
    session = lock_session(session)
    refuse_if_locked(session)
    return session
