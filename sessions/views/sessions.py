from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from confidence_vote.lib.paging import page_of
from sessions import lifecycle
from sessions.access import get_session_for, organizations_for
from sessions.errors import DomainError
from sessions.forms.sessions import SessionForm, UnlockForm
from sessions.selectors import (
    attendance_summary,
    certification_readiness,
    sessions_visible_to,
)
from sessions.services import sessions as session_services
from sessions.views.common import audit_page_context, form_error


@login_required
@require_safe
def session_list(request):
    page = page_of(request, sessions_visible_to(request.user))
    can_create = organizations_for(request.user, need="manage").exists()
    return render(
        request,
        "sessions/session_list.html",
        {"sessions": page, "page": page, "can_create": can_create},
    )


@login_required
def session_create(request):
    organizations = organizations_for(request.user, need="manage")
    if not organizations.exists():
        # Nothing to hide: the user simply is not secretariat anywhere.
        raise PermissionDenied
    form = SessionForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_services.session_create(
                user=request.user,
                organization=form.cleaned_data["organization"],
                **form.service_values(),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The session was created. Now add the officials."))
            return redirect("vote_sessions:detail", pk=session.pk)
    return render(request, "sessions/session_form.html", {"form": form, "session": None})


@login_required
def session_edit(request, pk):
    session = get_session_for(request, pk, need="manage")
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            session_services.session_update(
                user=request.user, session=session, **form.service_values()
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The session's details were saved."))
            return redirect("vote_sessions:detail", pk=session.pk)
    return render(request, "sessions/session_form.html", {"form": form, "session": session})


@login_required
@require_safe
def session_detail(request, pk):
    session = get_session_for(request, pk, need="view")
    chair = next((m for m in session.committee_members.all() if m.is_chair), None)
    readiness = certification_readiness(organization=session.organization)
    context = {
        "session": session,
        "summary": attendance_summary(session=session),
        "official_count": session.officials.count(),
        "committee_count": session.committee_members.count(),
        "chair": chair,
        "percentage_base_label": session.profile.base_label(session.percentage_base),
        # From the day the session is created: will the result be certifiable? Once it is
        # certified, only a trial certificate is still worth a word.
        "readiness": readiness,
        "show_readiness": not lifecycle.result_final(session) or readiness.is_trial,
        "unlock_form": UnlockForm(),
    }
    return render(request, "sessions/session_detail.html", context)


@login_required
@require_safe
def session_history(request, pk):
    session = get_session_for(request, pk, need="view")
    context = audit_page_context(request, session)
    return render(request, "sessions/session_history.html", context)


@login_required
@require_POST
def session_start_voting(request, pk):
    session = get_session_for(request, pk, need="manage")
    try:
        session_services.session_start_voting(user=request.user, session=session)
    except DomainError as exc:
        messages.error(request, _("Voting cannot start yet. %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("Voting has started. The lists are locked."))
        unlinked = list(
            session.committee_members.filter(user__isnull=True).values_list("full_name", flat=True)
        )
        if unlinked:
            messages.warning(
                request,
                _(
                    "Counting committee members without a user account: %(names)s. They cannot "
                    "type ballots or confirm the result: link their accounts on the committee "
                    "page before the count."
                )
                % {"names": ", ".join(unlinked)},
            )
    return redirect("vote_sessions:detail", pk=session.pk)


@login_required
@require_POST
def session_unlock(request, pk):
    session = get_session_for(request, pk, need="manage")
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for unlocking the lists."))
        return redirect("vote_sessions:detail", pk=session.pk)
    try:
        session_services.session_unlock(
            user=request.user, session=session, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The lists are unlocked; the reason was recorded."))
    return redirect("vote_sessions:detail", pk=session.pk)


urlpatterns = [
    path("", session_list, name="list"),
    path("new/", session_create, name="create"),
    path("<int:pk>/", session_detail, name="detail"),
    path("<int:pk>/edit/", session_edit, name="edit"),
    path("<int:pk>/history/", session_history, name="history"),
    path("<int:pk>/start-voting/", session_start_voting, name="start_voting"),
    path("<int:pk>/unlock/", session_unlock, name="unlock"),
]
