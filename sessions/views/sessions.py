from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from confidence_vote.lib.paging import page_of
from sessions.access import get_session_for, organizations_for
from sessions.audit import ACTION_LABELS, action_label, audit_rows
from sessions.errors import DomainError
from sessions.forms.sessions import SessionForm, UnlockForm
from sessions.models import AuditEntry, CommitteeRole, Role, SessionStatus
from sessions.selectors import attendance_summary, sessions_visible_to
from sessions.services import sessions as session_services
from sessions.views.common import form_error


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
    chair = session.committee_members.filter(role=CommitteeRole.CHAIR).first()
    context = {
        "session": session,
        "summary": attendance_summary(session=session),
        "official_count": session.officials.count(),
        "committee_count": session.committee_members.count(),
        "chair": chair,
        "unlock_form": UnlockForm(),
        "is_draft": session.status == SessionStatus.DRAFT,
        "is_voting": session.status == SessionStatus.VOTING,
    }
    return render(request, "sessions/session_detail.html", context)


@login_required
@require_safe
def session_history(request, pk):
    session = get_session_for(request, pk, need="view")
    entries = AuditEntry.objects.filter(session=session)
    # Ballot and count entries carry marks, which are results: only the committee chair and
    # leadership (who may read everything) see them.
    if Role.LEADERSHIP not in session.viewer_roles and (
        session.viewer_committee_role != CommitteeRole.CHAIR
    ):
        entries = (
            entries.exclude(action__startswith="ballot.")
            .exclude(action__startswith="count.")
            .exclude(action__startswith="tally_sheet.")
        )
    # order_by(): the model's ordering would defeat DISTINCT.
    present = set(entries.order_by().values_list("action", flat=True).distinct())
    actions = [(code, action_label(code)) for code in ACTION_LABELS if code in present]
    actions += [(code, code) for code in sorted(present - set(ACTION_LABELS))]
    # The same entries named by their actions: the page then reads only those rows (index
    # audit_session_action) instead of skipping every ballot entry it may not show.
    entries = AuditEntry.objects.filter(session=session, action__in=sorted(present))
    people = sorted(
        set(entries.exclude(username="").order_by().values_list("username", flat=True).distinct())
    )
    action = request.GET.get("action", "")
    if action in present:
        entries = entries.filter(action=action)
    person = request.GET.get("user", "").strip()
    if person:
        entries = entries.filter(username=person)
    page = page_of(request, entries.select_related("user"))
    context = {
        "session": session,
        "rows": audit_rows(page),
        "page": page,
        "actions": actions,
        "action": action,
        "people": people,
        "person": person,
    }
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
