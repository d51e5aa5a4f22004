"""manage.py create_signing_certificate ORGANIZATION: a trial certificate in SIGNING_DIR."""

import io
import stat

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from django.utils import translation

from confidence_vote.lib.signing import TRIAL_NOTICE
from reports.keys import organization_certificate, organization_signer
from sessions.errors import DomainError


@pytest.fixture(autouse=True)
def signing_dir(settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"
    return settings.SIGNING_DIR


def run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("create_signing_certificate", *args, stdout=out)
    return out.getvalue()


def test_writes_private_files_named_after_the_organization(org, signing_dir):
    output = run(org.name)
    bundle_path = signing_dir / f"organization-{org.pk}.p12"
    password_path = signing_dir / f"organization-{org.pk}.password"
    assert str(bundle_path) in output
    assert "TRIAL" in output
    for path in (bundle_path, password_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    bundle, password = organization_signer(org)
    assert bundle == bundle_path.read_bytes()
    _key, certificate, _cas = pkcs12.load_key_and_certificates(bundle, password)
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == org.name
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == org.issuing_body
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == (
        TRIAL_NOTICE
    )
    assert organization_certificate(org) == certificate.public_bytes(Encoding.DER)


def test_accepts_the_organization_id(org, signing_dir):
    run(str(org.pk))
    assert (signing_dir / f"organization-{org.pk}.p12").exists()


def test_unknown_organization_is_an_error(org, signing_dir):
    with pytest.raises(CommandError, match="No organization named or numbered Không có"):
        run("Không có")
    with pytest.raises(CommandError):
        run("987654")
    assert not signing_dir.exists() or not any(signing_dir.iterdir())


def test_refuses_to_overwrite_without_force(org, signing_dir):
    run(org.name)
    before = (signing_dir / f"organization-{org.pk}.p12").read_bytes()
    with pytest.raises(CommandError, match="already exists; use --force"):
        run(org.name)
    assert (signing_dir / f"organization-{org.pk}.p12").read_bytes() == before
    run(org.name, "--force")
    assert (signing_dir / f"organization-{org.pk}.p12").read_bytes() != before


def test_without_a_certificate_the_signer_is_a_domain_error(org):
    with (
        translation.override("en"),
        pytest.raises(DomainError, match="No signing certificate is configured"),
    ):
        organization_signer(org)
    assert organization_certificate(org) is None
