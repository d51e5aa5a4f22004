from django import forms

from confidence_vote.lib.paging import page_of
from sessions.audit import audit_rows
from sessions.errors import DomainError
from sessions.selectors import audit_entries


def form_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: on its field when the form has it."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def audit_page_context(request, session, *, log_only: bool = False) -> dict:
    """The history's or the count log's page: the entries the reader may see, filtered by the
    request's action and person, 50 a page, in words (sessions/audit.py)."""
    found = audit_entries(
        session=session,
        can=session.access.can,
        log_only=log_only,
        action=request.GET.get("action", ""),
        person=request.GET.get("user", ""),
    )
    page = page_of(request, found.entries)
    return {
        "session": session,
        "rows": audit_rows(page, session=session, can=session.access.can),
        "page": page,
        "actions": found.actions,
        "action": found.action,
        "people": found.people,
        "person": found.person,
    }
