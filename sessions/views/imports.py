"""Importing officials and delegates from a spreadsheet: upload, preview, confirm.

The preview keeps the parsed rows in the user's session with an HMAC token over
them (bound to the session, the kind and the user); the confirm form posts the
token back, so a stale tab or a changed preview is refused, never half-imported.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, register_converter
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sessions.access import get_session_for
from sessions.errors import DomainError
from sessions.forms.imports import ImportConfirmForm, ImportUploadForm
from sessions.importing import KINDS, SPECS, ImportResult, ImportRow, template_workbook
from sessions.services import imports as import_services

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TOKEN_SALT = "sessions.views.imports.preview"


class ImportKindConverter:
    regex = "officials|delegates"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        if value not in KINDS:
            raise ValueError(value)
        return value


register_converter(ImportKindConverter, "import_kind")


def _preview_key(session, kind: str) -> str:
    return f"vote_sessions.import.{session.pk}.{kind}"


def _token(request, session, kind: str, payload: dict) -> str:
    body = json.dumps(
        {"session": session.pk, "kind": kind, "user": request.user.pk, "payload": payload},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return salted_hmac(_TOKEN_SALT, body, algorithm="sha256").hexdigest()


def _store_preview(request, session, kind: str, result: ImportResult, file_name: str) -> str:
    payload = {
        "file": file_name,
        "columns": result.columns,
        "rows": [row.as_dict() for row in result.rows],
    }
    token = _token(request, session, kind, payload)
    request.session[_preview_key(session, kind)] = {"token": token, "payload": payload}
    return token


def _load_preview(request, session, kind: str, token: str):
    """(rows, file name, columns) of the preview the token names, or None if it is gone,
    stale (another preview replaced it) or changed."""
    stored = request.session.get(_preview_key(session, kind))
    if not token or not isinstance(stored, dict):
        return None
    payload = stored.get("payload")
    if not isinstance(payload, dict) or not constant_time_compare(
        str(stored.get("token", "")), token
    ):
        return None
    if not constant_time_compare(_token(request, session, kind, payload), token):
        return None
    try:
        rows = [ImportRow.from_dict(row) for row in payload["rows"]]
        file_name = str(payload["file"])
        columns = {str(k): str(v) for k, v in dict(payload["columns"]).items()}
    except (KeyError, TypeError, ValueError):
        return None
    return rows, file_name, columns


def _context(session, kind: str, **extra) -> dict:
    return {
        "session": session,
        "kind": kind,
        "spec": SPECS[kind],
        "list_url_name": f"vote_sessions:{kind}",
        "max_bytes": settings.IMPORT_MAX_BYTES,
        **extra,
    }


def _preview_rows(result: ImportResult, first_order: int) -> list[dict]:
    problems: dict[int, list[str]] = {}
    for error in result.row_errors:
        if error.row is not None:  # always, for a row error
            problems.setdefault(error.row, []).append(error.message)
    return [
        {"data": row, "order": first_order + n, "problems": problems.get(row.row, [])}
        for n, row in enumerate(result.rows)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, pk, kind):
    session = get_session_for(request, pk, need="manage")
    if request.method != "POST":
        form = ImportUploadForm()
        return render(request, "sessions/import_upload.html", _context(session, kind, form=form))
    form = ImportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        file_name = form.cleaned_data["file_name"]
        try:
            result = import_services.import_preview(
                session=session,
                kind=kind,
                content=form.cleaned_data["content"],
                file_name=file_name,
                max_bytes=settings.IMPORT_MAX_BYTES,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("vote_sessions:import", pk=session.pk, kind=kind)
        for problem in result.file_errors:
            form.add_error("file", problem.message)
        if not result.file_errors:
            request.session.pop(_preview_key(session, kind), None)
            token = _store_preview(request, session, kind, result, file_name) if result.ok else ""
            count, last_order = import_services.list_state(session=session, kind=kind)
            context = _context(
                session,
                kind,
                result=result,
                file_name=file_name,
                rows=_preview_rows(result, last_order + 1),
                has_blocks=any(row.block for row in result.rows),
                existing_count=count,
                confirm_form=ImportConfirmForm(initial={"token": token}) if token else None,
                form=ImportUploadForm(),
            )
            return render(request, "sessions/import_preview.html", context)
    return render(request, "sessions/import_upload.html", _context(session, kind, form=form))


@login_required
@require_safe
def import_template(request, pk, kind):
    get_session_for(request, pk, need="manage")
    response = HttpResponse(template_workbook(kind), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{SPECS[kind].template_file_name}"'
    return response


@login_required
@require_POST
def import_confirm(request, pk, kind):
    session = get_session_for(request, pk, need="manage")
    form = ImportConfirmForm(request.POST)
    token = form.cleaned_data["token"] if form.is_valid() else ""
    preview = _load_preview(request, session, kind, token)
    if preview is None:
        messages.error(
            request, _("This preview is out of date or was changed. Upload the file again.")
        )
        return redirect("vote_sessions:import", pk=session.pk, kind=kind)
    rows, file_name, columns = preview
    try:
        created = import_services.IMPORTERS[kind](
            user=request.user, session=session, rows=rows, file_name=file_name, columns=columns
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("vote_sessions:import", pk=session.pk, kind=kind)
    finally:
        # Used once: refused or saved, the next attempt starts from a new upload.
        request.session.pop(_preview_key(session, kind), None)
    count = len(created)
    if kind == "officials":
        text = ngettext(
            "%(count)d official was imported.", "%(count)d officials were imported.", count
        )
    else:
        text = ngettext(
            "%(count)d delegate was imported.", "%(count)d delegates were imported.", count
        )
    messages.success(request, text % {"count": count})
    return redirect(f"vote_sessions:{kind}", pk=session.pk)


urlpatterns = [
    path("<int:pk>/import/<import_kind:kind>/", import_upload, name="import"),
    path("<int:pk>/import/<import_kind:kind>/template/", import_template, name="import_template"),
    path("<int:pk>/import/<import_kind:kind>/confirm/", import_confirm, name="import_confirm"),
]
