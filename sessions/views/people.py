"""The secretariat's screens for officials (the people rated) and delegates (the voters)."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from confidence_vote.lib.paging import page_of
from confidence_vote.lib.text import clean_text
from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.forms.people import DelegateForm, MoveForm, OfficialEditForm, OfficialForm
from sessions.models import CommitteeMember
from sessions.selectors import delegates_found
from sessions.services import delegates as delegate_services
from sessions.services import officials as official_services
from sessions.views.common import form_error


def _need(request) -> str:
    """Lists are readable by every role; only the secretariat posts to them."""
    return "view" if request.method == "GET" else "manage"


# Officials


@login_required
@require_http_methods(["GET", "POST"])
def official_list(request, pk):
    session = get_session_for(request, pk, need=_need(request))
    can_edit = session.access.can("edit_lists")
    form = None
    if request.method == "POST":
        form = OfficialForm(request.POST, session=session)
        if form.is_valid():
            try:
                official = official_services.official_create(
                    user=request.user, session=session, **form.service_values()
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s was added to the ballot as no. %(order)d.")
                    % {"name": official.full_name, "order": official.order},
                )
                return redirect("vote_sessions:officials", pk=session.pk)
    elif can_edit:
        form = OfficialForm(session=session)

    officials = list(session.officials.select_related("delegate"))
    # After a move, keep the keyboard focus on the button that was pressed.
    focus = request.GET.get("focus", "")
    if focus and form is not None:
        form.fields["full_name"].widget.attrs.pop("autofocus", None)
    for index, official in enumerate(officials):
        official.focus_up = focus == f"{official.pk}-up" and index > 0
        official.focus_down = focus == f"{official.pk}-down" and index < len(officials) - 1
        if focus.startswith(f"{official.pk}-") and not (official.focus_up or official.focus_down):
            # The pressed button is now disabled (first or last): focus the other one.
            official.focus_up, official.focus_down = index > 0, index == 0
    context = {
        "session": session,
        "officials": officials,
        "form": form,
        "can_edit": can_edit,
        "focus": focus,
    }
    return render(request, "sessions/officials.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def official_edit(request, pk, official_id):
    session = get_session_for(request, pk, need="manage")
    official = get_object_or_404(session.officials.select_related("delegate"), pk=official_id)
    # The form writes its input onto the instance it is given; keep the stored one for display.
    stored = copy.copy(official)
    bound = request.method == "POST"
    form = OfficialEditForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        instance=official,
        session=session,
    )
    if bound and form.is_valid():
        try:
            official_services.official_update(
                user=request.user, official=stored, **form.service_values()
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The official's details were saved."))
            return redirect("vote_sessions:officials", pk=session.pk)
    context = {"session": session, "official": stored, "form": form}
    return render(request, "sessions/official_form.html", context)


@login_required
@require_POST
def official_delete(request, pk, official_id):
    session = get_session_for(request, pk, need="manage")
    official = get_object_or_404(session.officials, pk=official_id)
    try:
        official_services.official_delete(user=request.user, official=official)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s was removed from the ballot; the others were renumbered.")
            % {"name": official.full_name},
        )
    return redirect("vote_sessions:officials", pk=session.pk)


@login_required
@require_POST
def official_move(request, pk, official_id):
    session = get_session_for(request, pk, need="manage")
    official = get_object_or_404(session.officials, pk=official_id)
    form = MoveForm(request.POST)
    url = reverse("vote_sessions:officials", args=[session.pk])
    if not form.is_valid():
        messages.error(request, _("Move an official up or down."))
        return redirect(url)
    direction = form.cleaned_data["direction"]
    try:
        official_services.official_move(user=request.user, official=official, direction=direction)
    except DomainError as exc:
        messages.error(request, exc.message)
    # No #fragment: a target element would stop the browser from honouring autofocus.
    return redirect(f"{url}?focus={official.pk}-{direction}")


@login_required
@require_GET
def official_dossier(request, pk, official_id):
    session = get_session_for(request, pk, need="view")
    official = get_object_or_404(session.officials, pk=official_id)
    if not official.dossier:
        raise Http404
    try:
        handle = official.dossier.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=official_services.dossier_download_name(official),
        content_type="application/pdf",
    )
    # A personnel file: no shared or stored copies along the way.
    response["Cache-Control"] = "private, no-store"
    return response


# Delegates


@login_required
@require_http_methods(["GET", "POST"])
def delegate_list(request, pk):
    session = get_session_for(request, pk, need=_need(request))
    can_edit = session.access.can("edit_lists")
    form = None
    if request.method == "POST":
        form = DelegateForm(request.POST)
        if form.is_valid():
            try:
                delegate = delegate_services.delegate_create(
                    user=request.user, session=session, **form.service_values()
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s was added as no. %(order)d.")
                    % {"name": delegate.full_name, "order": delegate.order},
                )
                return redirect("vote_sessions:delegates", pk=session.pk)
    elif can_edit:
        form = DelegateForm()

    # 50 a page, searched in SQL (accents optional); the page's links keep the search.
    q = clean_text(request.GET.get("q", ""))[:200]
    found = delegates_found(session=session, q=q).select_related("official")
    page = page_of(
        request,
        found.annotate(
            on_committee=Exists(CommitteeMember.objects.filter(delegate=OuterRef("pk")))
        ),
    )
    for delegate in page:
        delegate.linked_official = getattr(delegate, "official", None)
    convened = session.delegates.count() if q else page.paginator.count
    context = {
        "session": session,
        "page": page,
        "delegates": page.object_list,
        "convened": convened,
        "q": q,
        "form": form,
        "can_edit": can_edit,
    }
    return render(request, "sessions/delegates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def delegate_edit(request, pk, delegate_id):
    session = get_session_for(request, pk, need="manage")
    queryset = session.delegates.select_related("official").annotate(
        committee_count=Count("committee_memberships")
    )
    delegate = get_object_or_404(queryset, pk=delegate_id)
    stored = copy.copy(delegate)
    stored.linked_official = getattr(stored, "official", None)
    bound = request.method == "POST"
    form = DelegateForm(request.POST if bound else None, instance=delegate)
    if bound and form.is_valid():
        try:
            delegate_services.delegate_update(
                user=request.user, delegate=stored, **form.service_values()
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The delegate's details were saved."))
            return redirect("vote_sessions:delegates", pk=session.pk)
    context = {"session": session, "delegate": stored, "form": form}
    return render(request, "sessions/delegate_form.html", context)


@login_required
@require_POST
def delegate_delete(request, pk, delegate_id):
    session = get_session_for(request, pk, need="manage")
    delegate = get_object_or_404(session.delegates, pk=delegate_id)
    try:
        delegate_services.delegate_delete(user=request.user, delegate=delegate)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s was removed from the delegates; the others were renumbered.")
            % {"name": delegate.full_name},
        )
    return redirect("vote_sessions:delegates", pk=session.pk)


urlpatterns = [
    path("<int:pk>/officials/", official_list, name="officials"),
    path("<int:pk>/officials/<int:official_id>/edit/", official_edit, name="official_edit"),
    path("<int:pk>/officials/<int:official_id>/delete/", official_delete, name="official_delete"),
    path("<int:pk>/officials/<int:official_id>/move/", official_move, name="official_move"),
    path(
        "<int:pk>/officials/<int:official_id>/dossier/", official_dossier, name="official_dossier"
    ),
    path("<int:pk>/delegates/", delegate_list, name="delegates"),
    path("<int:pk>/delegates/<int:delegate_id>/edit/", delegate_edit, name="delegate_edit"),
    path("<int:pk>/delegates/<int:delegate_id>/delete/", delegate_delete, name="delegate_delete"),
]
