"""A superuser sets up an organization's signing key: uploads a .p12 (checked, shown, then
accepted), makes a trial certificate, or points at a key on a PKCS#11 token. Every change is
an organization-level audit entry ("signing.*")."""

import datetime as dt
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confidence_vote.lib.signing import (
    CertificateInfo,
    TokenError,
    TokenKey,
    certificate_from_pkcs12,
    certificate_info,
    certificate_problems,
    create_trial_certificate,
    pkcs11_signer,
    pkcs12_signer,
    read_pkcs12,
    signature_selftest,
    signer_certificate_der,
)
from reports.keys import read_pin, signer_paths, token_unreachable
from sessions.audit import audit_record
from sessions.errors import DomainError
from sessions.models import Organization, PastSigningCertificate, SignerKind, SigningSetup

# A .p12 with its chain is a few kilobytes; anything near this is not one.
# (A shared upload validator is coming; this local limit is the only check it needs here.)
P12_MAX_BYTES = 64 * 1024
P12_SUFFIXES = (".p12", ".pfx")
# Checked uploads waiting for "accept" are kept this long, then swept.
PENDING_LIFETIME = dt.timedelta(hours=1)
PENDING_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


# --- files -----------------------------------------------------------------------------------


def _write_private(path: Path, content: bytes) -> None:
    """Write a 0600 file next to its final place, then move it there in one step."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _pending_paths(organization: Organization, token: str) -> tuple[Path, Path]:
    folder = Path(settings.SIGNING_DIR) / "pending"
    stem = f"organization-{organization.pk}-{token}"
    return folder / f"{stem}.p12", folder / f"{stem}.password"


def _sweep_pending() -> None:
    folder = Path(settings.SIGNING_DIR) / "pending"
    if not folder.is_dir():
        return
    oldest = time.time() - PENDING_LIFETIME.total_seconds()
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except OSError:
            continue


# --- checks ----------------------------------------------------------------------------------


def _refuse_problems(info: CertificateInfo) -> None:
    problems = certificate_problems(info, now=timezone.now())
    if "no_signing_usage" in problems:
        raise DomainError(
            _(
                "This certificate may not sign documents: its key usage has neither digital "
                "signature nor non-repudiation."
            )
        )
    if "not_yet_valid" in problems:
        raise DomainError(
            _("This certificate is not valid yet: it is valid from %(date)s.")
            % {"date": f"{timezone.localtime(info.not_before):%d/%m/%Y %H:%M}"}
        )
    if "expired" in problems:
        raise DomainError(
            _("This certificate expired on %(date)s.")
            % {"date": f"{timezone.localtime(info.not_after):%d/%m/%Y}"}
        )


def _password_bytes(password: str) -> bytes | None:
    return password.encode("utf-8") if password else None


def _check_p12(content: bytes, password: str) -> CertificateInfo:
    if not content:
        raise DomainError(_("Choose the certificate file (.p12 or .pfx)."), field="file")
    if len(content) > P12_MAX_BYTES:
        raise DomainError(
            _("This file is too large to be a certificate file (at most %(kb)d kB).")
            % {"kb": P12_MAX_BYTES // 1024},
            field="file",
        )
    try:
        info = read_pkcs12(content, _password_bytes(password))
    except ValueError as exc:
        messages = {
            "unreadable": _(
                "The file could not be opened: it is not a .p12 certificate file, or the "
                "password is wrong."
            ),
            "no_key": _("The file holds no private key, so it cannot sign."),
            "no_certificate": _("The file holds no certificate."),
            "key_mismatch": _("The private key in the file does not belong to its certificate."),
        }
        raise DomainError(messages.get(str(exc), messages["unreadable"]), field="file") from exc
    _refuse_problems(info)
    if not signature_selftest(
        pkcs12_signer(content, _password_bytes(password) or b""), certificate_der=info.der
    ):
        raise DomainError(_("A test signature with this key did not verify."), field="file")
    return info


def _info_data(info: CertificateInfo) -> dict:
    return {
        "subject": info.subject,
        "issuer": info.issuer,
        "serial": info.serial,
        "not_before": info.not_before.isoformat(),
        "not_after": info.not_after.isoformat(),
        "sha256": info.sha256,
        "trial": info.is_trial,
    }


@transaction.atomic
def _save_setup(
    *, user, organization: Organization, info: CertificateInfo, action: str, **fields
) -> SigningSetup:
    # One change at a time per organization (two superusers, two tabs).
    Organization.objects.select_for_update().get(pk=organization.pk)
    setup = SigningSetup.objects.filter(organization=organization).first()
    previous = {"kind": setup.kind, "sha256": setup.sha256} if setup else None
    if setup is not None and setup.sha256 != info.sha256:
        # Documents signed with the outgoing certificate must keep verifying.
        PastSigningCertificate.objects.get_or_create(
            organization=organization,
            sha256=setup.sha256,
            defaults={
                "certificate": bytes(setup.certificate),
                "subject": setup.subject,
                "is_trial": setup.is_trial,
                "not_after": setup.not_after,
            },
        )
    setup = setup or SigningSetup(organization=organization)
    values = {
        "pkcs11_module": "",
        "token_label": "",
        "key_label": "",
        "key_id": "",
        "cert_label": "",
        "pin_file": "",
        "pin_env": "",
        **fields,
    }
    for name, value in values.items():
        setattr(setup, name, value)
    setup.is_trial = info.is_trial
    setup.certificate = info.der
    setup.subject = info.subject[:1000]
    setup.common_name = info.common_name[:255]
    setup.issuer = info.issuer[:1000]
    setup.serial = info.serial[:100]
    setup.not_before = info.not_before
    setup.not_after = info.not_after
    setup.sha256 = info.sha256
    setup.updated_by = user if user is not None and user.is_authenticated else None
    setup.full_clean()
    setup.save()
    data = {"kind": setup.kind, **_info_data(info)}
    if setup.kind == SignerKind.PKCS11:
        data |= {
            name: getattr(setup, name)
            for name in ("pkcs11_module", "token_label", "key_label", "key_id", "cert_label")
        }
        data["pin_source"] = f"env:{setup.pin_env}" if setup.pin_env else f"file:{setup.pin_file}"
    if previous:
        data["previous"] = previous
    audit_record(action=action, user=user, organization=organization, data=data)
    return setup


# --- a .p12 uploaded in two steps: checked and shown, then accepted ---------------------------


@dataclass(frozen=True)
class PendingUpload:
    token: str
    info: CertificateInfo
    file_name: str


def p12_upload_check(
    *, organization: Organization, content: bytes, password: str, file_name: str
) -> PendingUpload:
    """Check an uploaded .p12 (it opens with the password, holds a key and its certificate,
    may sign, is valid now, and a test signature verifies) and keep it, private, until the
    superuser accepts it after seeing the certificate. Nothing changes yet."""
    if not file_name.lower().endswith(P12_SUFFIXES):
        raise DomainError(_("Choose a .p12 or .pfx certificate file."), field="file")
    info = _check_p12(content, password)
    _sweep_pending()
    token = secrets.token_urlsafe(24)
    bundle_path, password_path = _pending_paths(organization, token)
    _write_private(bundle_path, content)
    _write_private(password_path, password.encode("utf-8"))
    return PendingUpload(token=token, info=info, file_name=Path(file_name).name[:200])


def _read_pending(organization: Organization, token: str) -> tuple[bytes, str]:
    if not PENDING_TOKEN.match(token or ""):
        raise DomainError(_("This upload has expired; upload the certificate file again."))
    bundle_path, password_path = _pending_paths(organization, token)
    try:
        return bundle_path.read_bytes(), password_path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DomainError(_("This upload has expired; upload the certificate file again.")) from exc


def _drop_pending(organization: Organization, token: str) -> None:
    if PENDING_TOKEN.match(token or ""):
        for path in _pending_paths(organization, token):
            path.unlink(missing_ok=True)


def p12_upload_accept(*, user, organization: Organization, token: str) -> SigningSetup:
    """Install the checked upload as the organization's signing certificate (checked again)."""
    content, password = _read_pending(organization, token)
    info = _check_p12(content, password)
    bundle_path, password_path = signer_paths(organization)
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        _write_private(bundle_path, content)
        _write_private(password_path, password.encode("utf-8") + b"\n")
        setup = _save_setup(
            user=user,
            organization=organization,
            info=info,
            action="signing.upload",
            kind=SignerKind.PKCS12,
        )
    _drop_pending(organization, token)
    return setup


def p12_upload_cancel(*, organization: Organization, token: str) -> None:
    _drop_pending(organization, token)


# --- a trial certificate ---------------------------------------------------------------------


def trial_certificate_make(
    *, user, organization: Organization, replace: bool = False
) -> SigningSetup:
    """Make a self-signed trial certificate (no legal value) and install it. An installed
    certificate is replaced only when asked to."""
    if not replace and SigningSetup.objects.filter(organization=organization).exists():
        raise DomainError(
            _(
                "A signing certificate is already configured. Tick the box to replace it with "
                "a trial certificate."
            )
        )
    bundle, password = create_trial_certificate(
        organization_name=organization.name,
        common_name=organization.issuing_body or organization.name,
    )
    info = certificate_info(certificate_from_pkcs12(bundle, password))
    bundle_path, password_path = signer_paths(organization)
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        _write_private(bundle_path, bundle)
        _write_private(password_path, password + b"\n")
        return _save_setup(
            user=user,
            organization=organization,
            info=info,
            action="signing.trial",
            kind=SignerKind.PKCS12,
        )


def trial_signer_install(*, organization: Organization, force: bool = False) -> Path:
    """For the command line and the demo: make and install a trial certificate, refusing
    (FileExistsError) to replace an installed one unless `force`."""
    bundle_path, password_path = signer_paths(organization)
    exists = bundle_path.exists() or password_path.exists()
    if not force and (exists or SigningSetup.objects.filter(organization=organization).exists()):
        raise FileExistsError(bundle_path)
    trial_certificate_make(user=None, organization=organization, replace=True)
    return bundle_path


# --- a key on a PKCS#11 token ----------------------------------------------------------------


@dataclass(frozen=True)
class TokenSettings:
    """What the superuser types to find a key on a token. The PIN itself is never here."""

    pkcs11_module: str
    token_label: str
    key_label: str = ""
    key_id: str = ""
    cert_label: str = ""
    pin_file: str = ""
    pin_env: str = ""

    def key(self) -> TokenKey:
        return TokenKey(
            module=self.pkcs11_module,
            token_label=self.token_label,
            key_label=self.key_label,
            key_id=bytes.fromhex(self.key_id) if self.key_id else None,
            cert_label=self.cert_label,
        )


def _validate_token_settings(config: TokenSettings) -> None:
    if config.pkcs11_module not in settings.PKCS11_MODULES:
        raise DomainError(
            _(
                "This server may not load that PKCS#11 module. The server's administrator "
                "lists the allowed modules in the PKCS11_MODULES setting."
            ),
            field="pkcs11_module",
        )
    if not Path(config.pkcs11_module).is_file():
        raise DomainError(
            _("There is no PKCS#11 module at %(path)s on the server.")
            % {"path": config.pkcs11_module},
            field="pkcs11_module",
        )
    if not config.token_label:
        raise DomainError(_("Give the token's label."), field="token_label")
    if not config.key_label and not config.key_id:
        raise DomainError(_("Give the key's label or its ID."), field="key_label")
    if config.key_id:
        try:
            bytes.fromhex(config.key_id)
        except ValueError as exc:
            raise DomainError(
                _("The key ID is written in hexadecimal, e.g. 01 or a1b2c3."), field="key_id"
            ) from exc
    if bool(config.pin_file) == bool(config.pin_env):
        raise DomainError(
            _("Give either a PIN file or the name of an environment variable, not both."),
            field="pin_file",
        )
    if config.pin_file and not Path(config.pin_file).is_absolute():
        raise DomainError(_("Give the PIN file's absolute path."), field="pin_file")
    if config.pin_env and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", config.pin_env):
        raise DomainError(
            _("An environment variable's name has letters, digits and underscores."),
            field="pin_env",
        )


def pkcs11_check(*, config: TokenSettings) -> CertificateInfo:
    """Reach the key on the token with the PIN from its source, read its certificate, check it
    as an upload is checked and make a test signature. Nothing changes."""
    _validate_token_settings(config)
    pin = read_pin(pin_file=config.pin_file, pin_env=config.pin_env)
    try:
        with pkcs11_signer(config.key(), pin=pin) as signer:
            info = certificate_info(signer_certificate_der(signer))
            _refuse_problems(info)
            if not signature_selftest(signer, certificate_der=info.der):
                raise DomainError(_("A test signature with this key did not verify."))
    except TokenError as exc:
        raise token_unreachable(exc) from exc
    return info


def pkcs11_configure(*, user, organization: Organization, config: TokenSettings) -> SigningSetup:
    """Check the token (as pkcs11_check) and make it the organization's signer."""
    info = pkcs11_check(config=config)
    return _save_setup(
        user=user,
        organization=organization,
        info=info,
        action="signing.pkcs11",
        kind=SignerKind.PKCS11,
        pkcs11_module=config.pkcs11_module,
        token_label=config.token_label,
        key_label=config.key_label,
        key_id=config.key_id.lower(),
        cert_label=config.cert_label,
        pin_file=config.pin_file,
        pin_env=config.pin_env,
    )
