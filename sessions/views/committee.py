from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions import lifecycle
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.forms.committee import CommitteeMemberForm
from sessions.services import committee as committee_services
from sessions.views.common import form_error


@login_required
def committee(request, pk):
    """The committee list; the secretariat adds members from the same page."""
    session = get_session_for(request, pk, need="manage" if request.method == "POST" else "view")
    can_edit = session.access.can("edit_committee")
    form = None
    if session.access.can("manage"):
        form = CommitteeMemberForm(request.POST or None, session=session)
        if lifecycle.lists_locked(session):
            form.require_reason()
    if request.method == "POST" and form.is_valid():
        try:
            member = committee_services.committee_member_add(
                user=request.user, session=session, **form.service_values()
            )
        except DomainError as exc:
            if can_edit:
                form_error(form, exc)
            else:
                # The form is not shown on a locked session: say it above the list.
                messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s was added to the counting committee.") % {"name": member.full_name},
            )
            return redirect("vote_sessions:committee", pk=session.pk)
    members = list(session.committee_members.select_related("delegate", "user"))
    context = {
        "session": session,
        "members": members,
        "has_chair": any(m.is_chair for m in members),
        "form": form if can_edit else None,
        "can_edit": can_edit,
    }
    return render(request, "sessions/committee.html", context)


@login_required
def committee_edit(request, pk, member_id):
    session = get_session_for(request, pk, need="manage")
    member = get_object_or_404(session.committee_members, pk=member_id)
    if not session.access.can("edit_committee"):
        messages.error(
            request, _("The counting committee can change only until the result is certified.")
        )
        return redirect("vote_sessions:committee", pk=session.pk)
    form = CommitteeMemberForm(request.POST or None, session=session, member=member)
    if lifecycle.lists_locked(session):
        form.require_reason()
    if request.method == "POST" and form.is_valid():
        try:
            member = committee_services.committee_member_update(
                user=request.user, session=session, member=member, **form.service_values()
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": member.full_name})
            return redirect("vote_sessions:committee", pk=session.pk)
    return render(
        request,
        "sessions/committee_form.html",
        {"session": session, "member": member, "form": form},
    )


@login_required
@require_POST
def committee_delete(request, pk, member_id):
    session = get_session_for(request, pk, need="manage")
    member = get_object_or_404(session.committee_members, pk=member_id)
    try:
        committee_services.committee_member_remove(
            user=request.user, session=session, member=member
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s was removed from the counting committee.") % {"name": member.full_name},
        )
    return redirect("vote_sessions:committee", pk=session.pk)


urlpatterns: list = [
    path("<int:pk>/committee/", committee, name="committee"),
    path("<int:pk>/committee/<int:member_id>/edit/", committee_edit, name="committee_edit"),
    path(
        "<int:pk>/committee/<int:member_id>/delete/",
        committee_delete,
        name="committee_delete",
    ),
]
