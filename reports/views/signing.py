"""An organization's signing key, set up in the browser by a superuser (a Django superuser,
not a role of the organization): upload a .p12 (checked, shown, then accepted), make a trial
certificate, or point at a key on a USB token or HSM. Members of the organization get 403,
everyone else 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from confidence_vote.lib.signing import certificate_info
from reports import key_services
from reports.forms.signing import P12AcceptForm, P12UploadForm, TokenForm, TrialCertificateForm
from sessions.access import get_organization_for_signing as organization_for_superuser
from sessions.access import may_manage_signing
from sessions.audit import audit_rows
from sessions.errors import DomainError
from sessions.models import AuditEntry, Organization, SignerKind, SigningSetup
from sessions.selectors import certification_readiness, readiness_of

KEY_USAGE_LABELS = {
    "digital_signature": gettext_lazy("digital signature"),
    "content_commitment": gettext_lazy("non-repudiation"),
    "key_encipherment": gettext_lazy("key encipherment"),
    "data_encipherment": gettext_lazy("data encipherment"),
    "key_agreement": gettext_lazy("key agreement"),
    "key_cert_sign": gettext_lazy("certificate signing"),
    "crl_sign": gettext_lazy("CRL signing"),
}


def _require_superuser(request) -> None:
    if not may_manage_signing(request.user):
        raise PermissionDenied


def _usage(info) -> list[str]:
    return [str(KEY_USAGE_LABELS.get(flag, flag)) for flag in info.key_usage]


def _page(request, organization: Organization, **extra):
    setup = SigningSetup.objects.filter(organization=organization).first()
    info = certificate_info(bytes(setup.certificate)) if setup is not None else None
    entries = AuditEntry.objects.filter(
        organization=organization, session__isnull=True, action__startswith="signing."
    ).select_related("user")[:50]
    token_initial = {}
    if setup is not None and setup.kind == SignerKind.PKCS11:
        token_initial = {
            name: getattr(setup, name)
            for name in (
                "pkcs11_module",
                "token_label",
                "key_label",
                "key_id",
                "cert_label",
                "pin_file",
                "pin_env",
            )
        }
    context = {
        "organization": organization,
        "setup": setup,
        "info": info,
        "usage": _usage(info) if info else [],
        "readiness": certification_readiness(organization=organization),
        "upload_form": P12UploadForm(),
        "trial_form": TrialCertificateForm(),
        "token_form": TokenForm(initial=token_initial),
        "rows": audit_rows(entries, session=None, can=lambda capability: True),
        **extra,
    }
    return render(request, "reports/signing/organization.html", context)


@login_required
@require_safe
def organization_list(request):
    _require_superuser(request)
    organizations = Organization.objects.select_related("signing_setup").order_by("name")
    rows = [
        (organization, readiness_of(getattr(organization, "signing_setup", None)))
        for organization in organizations
    ]
    return render(request, "reports/signing/list.html", {"rows": rows})


@login_required
@require_safe
def organization_signing(request, organization_id):
    organization = organization_for_superuser(request, organization_id)
    return _page(request, organization)


@login_required
@require_POST
def upload(request, organization_id):
    organization = organization_for_superuser(request, organization_id)
    form = P12UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, organization, upload_form=form)
    uploaded = form.cleaned_data["file"]
    # The shared upload validator will plug in here; a .p12 is small, so read at most a
    # little more than the limit and let the service refuse anything larger.
    content = uploaded.read(key_services.P12_MAX_BYTES + 1)
    try:
        pending = key_services.p12_upload_check(
            organization=organization,
            content=content,
            password=form.cleaned_data["password"],
            file_name=uploaded.name,
        )
    except DomainError as exc:
        form.add_error("file" if exc.field in (None, "file") else exc.field, exc.message)
        return _page(request, organization, upload_form=form)
    return render(
        request,
        "reports/signing/upload_check.html",
        {
            "organization": organization,
            "pending": pending,
            "info": pending.info,
            "usage": _usage(pending.info),
            "replaces": SigningSetup.objects.filter(organization=organization).first(),
        },
    )


@login_required
@require_POST
def upload_accept(request, organization_id):
    organization = organization_for_superuser(request, organization_id)
    form = P12AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This upload has expired; upload the certificate file again."))
        return redirect("signing:organization", organization_id=organization.pk)
    token_value = form.cleaned_data["token"]
    if form.cleaned_data["decision"] == "cancel":
        key_services.p12_upload_cancel(organization=organization, token=token_value)
        messages.info(request, _("The uploaded certificate was discarded; nothing changed."))
        return redirect("signing:organization", organization_id=organization.pk)
    try:
        setup = key_services.p12_upload_accept(
            user=request.user, organization=organization, token=token_value
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The certificate of %(subject)s is now the organization's signing certificate.")
            % {"subject": setup.common_name or setup.subject},
        )
    return redirect("signing:organization", organization_id=organization.pk)


@login_required
@require_POST
def trial(request, organization_id):
    organization = organization_for_superuser(request, organization_id)
    form = TrialCertificateForm(request.POST)
    replace = form.is_valid() and form.cleaned_data["replace"]
    try:
        key_services.trial_certificate_make(
            user=request.user, organization=organization, replace=replace
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.warning(
            request,
            _(
                "A trial certificate was made. Documents signed with it have no legal value: "
                "install the organization's real certificate before an official session."
            ),
        )
    return redirect("signing:organization", organization_id=organization.pk)


@login_required
def token(request, organization_id):
    """GET: the form. POST "check": reach the key and show its certificate. POST "save":
    check again and make it the organization's signer."""
    organization = organization_for_superuser(request, organization_id)
    if request.method != "POST":
        return _page(request, organization)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, organization, token_form=form)
    config = key_services.TokenSettings(**{k: v.strip() for k, v in form.cleaned_data.items()})
    try:
        if request.POST.get("decision") == "save":
            key_services.pkcs11_configure(
                user=request.user, organization=organization, config=config
            )
        else:
            info = key_services.pkcs11_check(config=config)
    except DomainError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return _page(request, organization, token_form=form)
    if request.POST.get("decision") == "save":
        messages.success(request, _("The key on the token is now the organization's signing key."))
        return redirect("signing:organization", organization_id=organization.pk)
    return render(
        request,
        "reports/signing/token_check.html",
        {
            "organization": organization,
            "form": form,
            "info": info,
            "usage": _usage(info),
            "replaces": SigningSetup.objects.filter(organization=organization).first(),
        },
    )


# Mounted under /signing/: superusers set up each organization's signing key.
urlpatterns = [
    path("", organization_list, name="list"),
    path("<int:organization_id>/", organization_signing, name="organization"),
    path("<int:organization_id>/upload/", upload, name="upload"),
    path("<int:organization_id>/upload/accept/", upload_accept, name="upload_accept"),
    path("<int:organization_id>/trial/", trial, name="trial"),
    path("<int:organization_id>/token/", token, name="token"),
]
