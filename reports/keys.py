"""Where each organization's signing certificate lives: settings.SIGNING_DIR holds
organization-<id>.p12 (PKCS#12) and organization-<id>.password (its password, one line)."""

import os
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from confidence_vote.lib.signing import certificate_from_pkcs12, create_trial_certificate
from sessions.errors import DomainError
from sessions.models import Organization


def signer_paths(organization: Organization) -> tuple[Path, Path]:
    """The PKCS#12 file and the password file of an organization."""
    folder = Path(settings.SIGNING_DIR)
    stem = f"organization-{organization.pk}"
    return folder / f"{stem}.p12", folder / f"{stem}.password"


def organization_signer(organization: Organization) -> tuple[bytes, bytes]:
    """The organization's PKCS#12 bytes and password; DomainError if not configured."""
    bundle_path, password_path = signer_paths(organization)
    try:
        bundle = bundle_path.read_bytes()
        password = password_path.read_bytes().strip()
    except OSError as exc:
        raise DomainError(
            _(
                "No signing certificate is configured for %(organization)s. Ask the "
                "administrator to install one (or run create_signing_certificate for a trial)."
            )
            % {"organization": organization.name}
        ) from exc
    return bundle, password


def organization_certificate(organization: Organization) -> bytes | None:
    """The DER of the organization's signing certificate, or None if none is configured
    or it cannot be read."""
    try:
        bundle, password = organization_signer(organization)
        return certificate_from_pkcs12(bundle, password)
    except (DomainError, ValueError):
        return None


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    os.chmod(path, 0o600)


def trial_signer_install(*, organization: Organization, force: bool = False) -> Path:
    """Make a self-signed trial certificate for the organization and write its files (0600).
    Refuses (FileExistsError) to overwrite existing files unless `force`."""
    bundle_path, password_path = signer_paths(organization)
    if not force and (bundle_path.exists() or password_path.exists()):
        raise FileExistsError(bundle_path)
    bundle, password = create_trial_certificate(
        organization_name=organization.name,
        common_name=organization.issuing_body or organization.name,
    )
    bundle_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_private(bundle_path, bundle)
    _write_private(password_path, password + b"\n")
    return bundle_path
