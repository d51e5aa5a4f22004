"""An organization's signing key: which signer its SigningSetup names, and the key material.

A .p12 lives in settings.SIGNING_DIR as organization-<id>.p12 with its password in
organization-<id>.password (one line, both 0600). A key on a USB token or an HSM is reached
through its PKCS#11 module; its PIN is read, at the moment of signing, from the file or the
environment variable the setup names, never from the database.

The certificate kept in the SigningSetup is the one verification trusts; before signing, the
key's certificate must be that very one, so a file replaced by hand or another token plugged
in cannot sign in the organization's name.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from confidence_vote.lib.signing import (
    TokenError,
    TokenKey,
    certificate_info,
    certificate_problems,
    pkcs11_signer,
    pkcs12_signer,
    signer_certificate_der,
)
from sessions.errors import DomainError
from sessions.models import Organization, PastSigningCertificate, SignerKind, SigningSetup


def signer_paths(organization: Organization) -> tuple[Path, Path]:
    """The PKCS#12 file and the password file of an organization."""
    folder = Path(settings.SIGNING_DIR)
    stem = f"organization-{organization.pk}"
    return folder / f"{stem}.p12", folder / f"{stem}.password"


def signing_setup(organization: Organization) -> SigningSetup | None:
    return SigningSetup.objects.filter(organization=organization).first()


def _not_configured(organization: Organization) -> DomainError:
    return DomainError(
        _(
            "No signing certificate is configured for %(organization)s. A system administrator "
            "(superuser) sets it up on the organization's signing certificate page."
        )
        % {"organization": organization.name}
    )


def organization_signer(organization: Organization) -> tuple[bytes, bytes]:
    """The organization's PKCS#12 bytes and password from SIGNING_DIR; DomainError if absent."""
    bundle_path, password_path = signer_paths(organization)
    try:
        bundle = bundle_path.read_bytes()
        password = password_path.read_bytes().strip()
    except OSError as exc:
        raise _not_configured(organization) from exc
    return bundle, password


def organization_certificate(organization: Organization) -> bytes | None:
    """The DER of the organization's configured signing certificate (the one its documents
    are checked against), or None if none is configured."""
    setup = signing_setup(organization)
    return bytes(setup.certificate) if setup is not None else None


def organization_trusted_certificates(organization: Organization) -> list[bytes]:
    """The certificates the organization's documents are checked against: the configured one
    and those it replaced (a document signed before a renewal stays authentic)."""
    current = organization_certificate(organization)
    past = PastSigningCertificate.objects.filter(organization=organization).values_list(
        "certificate", flat=True
    )
    return ([current] if current is not None else []) + [bytes(der) for der in past]


def token_key(setup: SigningSetup) -> TokenKey:
    return TokenKey(
        module=setup.pkcs11_module,
        token_label=setup.token_label,
        key_label=setup.key_label,
        key_id=bytes.fromhex(setup.key_id) if setup.key_id else None,
        cert_label=setup.cert_label,
    )


def read_pin(*, pin_file: str, pin_env: str) -> str:
    """The token's PIN from its file (first line) or its environment variable."""
    if pin_env:
        pin = os.environ.get(pin_env, "")
        if not pin:
            raise DomainError(
                _("The environment variable %(name)s that should hold the PIN is not set.")
                % {"name": pin_env}
            )
        return pin
    try:
        pin = Path(pin_file).read_text(encoding="utf-8").splitlines()[0].strip()
    except (OSError, IndexError, UnicodeDecodeError):
        pin = ""
    if not pin:
        raise DomainError(
            _("The PIN file %(path)s cannot be read by the application, or it is empty.")
            % {"path": pin_file}
        )
    return pin


def token_unreachable(exc: TokenError) -> DomainError:
    return DomainError(
        _(
            "The token could not be used: check that it is plugged in, that the module path, "
            "the token label and the key label are right and that the PIN is correct "
            "(%(detail)s)."
        )
        % {"detail": str(exc)[:200]}
    )


@contextmanager
def open_organization_signer(organization: Organization) -> Iterator:
    """A pyHanko signer for the organization's configured key, open for the block (a token's
    session is closed after it). DomainError, with what to do, if it cannot sign now."""
    setup = signing_setup(organization)
    if setup is None:
        raise _not_configured(organization)
    info = certificate_info(bytes(setup.certificate))
    problems = certificate_problems(info, now=timezone.now())
    if "expired" in problems:
        raise DomainError(
            _(
                "The signing certificate of %(organization)s expired on %(date)s. A system "
                "administrator (superuser) must install a new one."
            )
            % {"organization": organization.name, "date": f"{info.not_after:%d/%m/%Y}"}
        )
    if problems:
        raise DomainError(
            _("The signing certificate of %(organization)s cannot sign yet.")
            % {"organization": organization.name}
        )
    mismatch = DomainError(
        _(
            "The signing key found is not the one configured for %(organization)s (the file "
            "or the token was changed). A system administrator (superuser) must set up the "
            "signing certificate again."
        )
        % {"organization": organization.name}
    )
    if setup.kind == SignerKind.PKCS11:
        pin = read_pin(pin_file=setup.pin_file, pin_env=setup.pin_env)
        try:
            with pkcs11_signer(token_key(setup), pin=pin) as signer:
                if signer_certificate_der(signer) != bytes(setup.certificate):
                    raise mismatch
                yield signer
        except TokenError as exc:
            raise token_unreachable(exc) from exc
        return
    bundle, password = organization_signer(organization)
    try:
        signer = pkcs12_signer(bundle, password)
    except ValueError as exc:
        raise mismatch from exc
    if signer_certificate_der(signer) != bytes(setup.certificate):
        raise mismatch
    yield signer
