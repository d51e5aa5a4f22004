"""Upgrading: organizations that already signed with organization-<id>.p12 in SIGNING_DIR get
their signing setup recorded by the migration, so certification keeps working."""

import importlib

from django.apps import apps
from django.utils import timezone

from confidence_vote.lib.signing import (
    certificate_from_pkcs12,
    certificate_info,
    create_trial_certificate,
)
from sessions.models import SigningSetup
from sessions.selectors import certification_readiness
from tests.factories import make_organization

migration = importlib.import_module("sessions.migrations.0007_signing_setup")


def test_installed_p12_files_are_adopted(org, settings, tmp_path):
    settings.SIGNING_DIR = tmp_path
    bundle, password = create_trial_certificate(organization_name=org.name, common_name="Ban")
    (tmp_path / f"organization-{org.pk}.p12").write_bytes(bundle)
    (tmp_path / f"organization-{org.pk}.password").write_bytes(password + b"\n")
    broken = make_organization()
    (tmp_path / f"organization-{broken.pk}.p12").write_bytes(b"not a p12")
    (tmp_path / f"organization-{broken.pk}.password").write_bytes(b"x\n")
    without = make_organization()

    migration.adopt_installed_certificates(apps, None)

    setup = SigningSetup.objects.get(organization=org)
    info = certificate_info(certificate_from_pkcs12(bundle, password))
    assert (setup.kind, setup.is_trial, setup.sha256) == ("pkcs12", True, info.sha256)
    assert bytes(setup.certificate) == info.der
    assert setup.common_name == "Ban"
    assert setup.not_after == info.not_after
    assert certification_readiness(organization=org, now=timezone.now()).state == "ready"
    assert not SigningSetup.objects.filter(organization__in=[broken, without]).exists()
