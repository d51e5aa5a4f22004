"""Setting up an organization's signing key (reports/key_services.py) and signing with it at
certification (reports/keys.py): a .p12 checked then accepted, a trial certificate, a key on
a SoftHSM2 token with its PIN from a file or the environment. Exact messages; nothing saved on
refusal; every change an organization-level audit entry."""

import datetime as dt
import stat

import pytest
from django.utils import timezone, translation

from reports import key_services
from reports.key_services import (
    TokenSettings,
    p12_upload_accept,
    p12_upload_cancel,
    p12_upload_check,
    pkcs11_check,
    pkcs11_configure,
    trial_certificate_make,
)
from reports.keys import organization_certificate, organization_trusted_certificates
from reports.models import SignedDocument
from reports.services import result_certify
from reports.verification import document_verify
from sessions.errors import DomainError
from sessions.models import AuditEntry, PastSigningCertificate, Role, SignerKind, SigningSetup
from sessions.selectors import certification_readiness
from tests.ballots import make_chair_user
from tests.certificates import issue
from tests.factories import make_user
from tests.reports.test_certification_services import confirm_all, counted_session

PASSWORD_P12 = "mat-khau-p12"


@pytest.fixture(autouse=True)
def signing_dir(settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "signing"
    settings.PKCS11_MODULES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/khong-co.so"]
    return settings.SIGNING_DIR


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def chair(org):
    return make_chair_user(org)


@pytest.fixture
def member(org):
    return make_user("thanh-vien", organization=org, roles=[Role.COUNTING])


def entries(org, action):
    return AuditEntry.objects.filter(organization=org, session__isnull=True, action=action)


def check(org, issued=None, *, password=PASSWORD_P12, content=None, name="vks.p12"):
    issued = issued or issue()
    return p12_upload_check(
        organization=org,
        content=content if content is not None else issued.p12(password.encode()),
        password=password,
        file_name=name,
    )


def token_settings(softhsm, **changes) -> TokenSettings:
    fields = {
        "pkcs11_module": softhsm.module,
        "token_label": softhsm.token_label,
        "key_label": softhsm.key_label,
        "pin_env": "VKS_TOKEN_PIN",
    }
    return TokenSettings(**{**fields, **changes})


# --- a .p12 upload ---------------------------------------------------------------------------


def test_upload_is_checked_and_shown_before_anything_changes(org, signing_dir):
    issued = issue(common_name="Viện kiểm sát nhân dân tỉnh Quảng Ninh")
    pending = check(org, issued)
    assert pending.info.subject == "CN=Viện kiểm sát nhân dân tỉnh Quảng Ninh, C=VN"
    assert pending.info.issuer == "CN=CA thử nghiệm Chính phủ"
    assert set(pending.info.key_usage) == {"digital_signature", "content_commitment"}
    assert pending.info.der == issued.der
    assert not pending.info.is_trial
    # Nothing installed yet: no setup, no audit, no signing files.
    assert not SigningSetup.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not (signing_dir / f"organization-{org.pk}.p12").exists()
    assert certification_readiness(organization=org).state == "missing"


def test_accepting_installs_it_privately_with_an_audit_entry(org, signing_dir, superuser):
    pending = check(org)
    setup = p12_upload_accept(user=superuser, organization=org, token=pending.token)
    assert (setup.kind, setup.is_trial, setup.sha256) == ("pkcs12", False, pending.info.sha256)
    assert setup.common_name == "Viện kiểm sát nhân dân tỉnh Quảng Ninh"
    assert organization_certificate(org) == pending.info.der
    for suffix in ("p12", "password"):
        path = signing_dir / f"organization-{org.pk}.{suffix}"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not any((signing_dir / "pending").iterdir())
    entry = entries(org, "signing.upload").get()
    assert entry.user == superuser
    assert entry.data["sha256"] == pending.info.sha256
    assert entry.data["subject"] == pending.info.subject
    assert PASSWORD_P12 not in str(entry.data)
    assert certification_readiness(organization=org).state == "ready"


def test_a_pending_upload_cannot_be_accepted_twice_or_after_cancel(org, superuser):
    pending = check(org)
    p12_upload_cancel(organization=org, token=pending.token)
    with pytest.raises(DomainError, match="This upload has expired"):
        p12_upload_accept(user=superuser, organization=org, token=pending.token)
    with pytest.raises(DomainError, match="This upload has expired"):
        p12_upload_accept(user=superuser, organization=org, token="../../etc/passwd")
    assert not SigningSetup.objects.exists()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: {"password": "sai-mat-khau"}, "the password is wrong"),
        (lambda: {"content": b"not a certificate at all"}, "not a .p12 certificate file"),
        (lambda: {"content": b""}, "Choose the certificate file"),
        (lambda: {"content": b"0" * (64 * 1024 + 1)}, "too large to be a certificate file"),
        (lambda: {"name": "vks.pdf"}, "Choose a .p12 or .pfx certificate file."),
        (lambda: {"issued": issue(signing=False)}, "its key usage has neither"),
        (lambda: {"issued": issue(days_left=-2, started_days_ago=400)}, "expired on"),
        (lambda: {"issued": issue(started_days_ago=-3)}, "is not valid yet"),
    ],
)
def test_a_bad_upload_is_refused_with_a_clear_message(org, signing_dir, make, message):
    kwargs = make()
    issued = kwargs.pop("issued", None)
    password = kwargs.pop("password", PASSWORD_P12)
    good = (issued or issue()).p12(PASSWORD_P12.encode())
    content = kwargs.pop("content", good)
    with pytest.raises(DomainError, match=message):
        check(org, password=password, content=content, **kwargs)
    assert not SigningSetup.objects.exists()
    assert not (signing_dir / "pending").exists() or not any((signing_dir / "pending").iterdir())


def test_a_p12_without_its_private_key_is_refused(org):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    issued = issue()
    certificate_only = pkcs12.serialize_key_and_certificates(
        name=b"x",
        key=None,
        cert=issued.certificate,
        cas=None,
        encryption_algorithm=BestAvailableEncryption(b"pw"),
    )
    with pytest.raises(DomainError, match="holds no private key"):
        check(org, password="pw", content=certificate_only)


def test_old_pending_uploads_are_swept(org, signing_dir, monkeypatch):
    first = check(org)
    monkeypatch.setattr(key_services, "PENDING_LIFETIME", dt.timedelta(seconds=-1))
    check(org)
    assert not (signing_dir / "pending" / f"organization-{org.pk}-{first.token}.p12").exists()


# --- a trial certificate ---------------------------------------------------------------------


def test_trial_certificate_is_marked_and_replaces_only_when_asked(org, superuser):
    setup = trial_certificate_make(user=superuser, organization=org)
    assert setup.is_trial
    assert certification_readiness(organization=org).is_trial
    assert entries(org, "signing.trial").count() == 1
    with pytest.raises(DomainError, match="Tick the box to replace it"):
        trial_certificate_make(user=superuser, organization=org)
    again = trial_certificate_make(user=superuser, organization=org, replace=True)
    assert again.sha256 != setup.sha256
    newest = entries(org, "signing.trial").first()
    assert newest.data["previous"] == {"kind": "pkcs12", "sha256": setup.sha256}
    assert newest.data["sha256"] == again.sha256
    # The outgoing certificate is kept: documents signed with it stay verifiable.
    past = PastSigningCertificate.objects.get(organization=org)
    assert (past.sha256, past.is_trial) == (setup.sha256, True)
    assert organization_trusted_certificates(org) == [
        bytes(again.certificate),
        bytes(setup.certificate),
    ]
    assert entries(org, "signing.trial").count() == 2


# --- readiness and certifying with each signer -----------------------------------------------


def test_readiness_follows_validity(org, superuser):
    pending = check(org, issue(days_left=10))
    p12_upload_accept(user=superuser, organization=org, token=pending.token)
    readiness = certification_readiness(organization=org)
    assert (readiness.state, readiness.possible) == ("expiring", True)
    assert readiness.days_left in (9, 10)
    later = timezone.now() + dt.timedelta(days=11)
    assert certification_readiness(organization=org, now=later).state == "expired"
    assert not certification_readiness(organization=org, now=later).possible


def test_certifying_with_an_expired_certificate_is_refused_before_signing(
    org, superuser, chair, member, monkeypatch
):
    pending = check(org, issue(days_left=30))
    p12_upload_accept(user=superuser, organization=org, token=pending.token)
    session = counted_session(org, chair, member)
    confirm_all(session, chair, member)
    # Forty days later the certificate has expired.
    later = timezone.now() + dt.timedelta(days=40)
    monkeypatch.setattr("reports.keys.timezone.now", lambda: later)
    with pytest.raises(DomainError, match="expired on"):
        result_certify(user=chair, session=session)
    assert not SignedDocument.objects.filter(session=session).exists()


def test_a_p12_replaced_by_hand_cannot_sign_in_the_organizations_name(
    org, superuser, chair, member, signing_dir
):
    pending = check(org)
    p12_upload_accept(user=superuser, organization=org, token=pending.token)
    (signing_dir / f"organization-{org.pk}.p12").write_bytes(issue().p12(PASSWORD_P12.encode()))
    session = counted_session(org, chair, member)
    confirm_all(session, chair, member)
    with pytest.raises(DomainError, match="is not the one configured"):
        result_certify(user=chair, session=session)


def test_certified_with_an_uploaded_p12_the_documents_verify(org, superuser, chair, member):
    pending = check(org)
    p12_upload_accept(user=superuser, organization=org, token=pending.token)
    session = counted_session(org, chair, member)
    confirm_all(session, chair, member)
    documents = result_certify(user=chair, session=session)
    for document in documents:
        verdict = document_verify(bytes(document.content))
        assert verdict.status == "authentic"
        assert verdict.signer == "Viện kiểm sát nhân dân tỉnh Quảng Ninh"


# --- a key on a PKCS#11 token (SoftHSM2) -----------------------------------------------------


def test_token_is_checked_and_configured_without_storing_the_pin(
    org, superuser, softhsm, monkeypatch
):
    monkeypatch.setenv("VKS_TOKEN_PIN", softhsm.pin)
    info = pkcs11_check(config=token_settings(softhsm))
    assert info.der == softhsm.issued.der
    assert not SigningSetup.objects.exists()
    setup = pkcs11_configure(user=superuser, organization=org, config=token_settings(softhsm))
    assert (setup.kind, setup.pin_env, setup.pin_file) == (
        SignerKind.PKCS11,
        "VKS_TOKEN_PIN",
        "",
    )
    assert organization_certificate(org) == softhsm.issued.der
    stored = SigningSetup.objects.filter(pk=setup.pk).values().get()
    assert softhsm.pin not in str(stored)
    entry = entries(org, "signing.pkcs11").get()
    assert entry.data["pin_source"] == "env:VKS_TOKEN_PIN"
    assert softhsm.pin not in str(entry.data)


def test_certified_through_the_token_the_documents_verify(
    org, superuser, chair, member, softhsm, tmp_path
):
    pin_file = tmp_path / "token.pin"
    pin_file.write_text(softhsm.pin + "\n")
    pkcs11_configure(
        user=superuser,
        organization=org,
        config=token_settings(softhsm, pin_env="", pin_file=str(pin_file)),
    )
    session = counted_session(org, chair, member)
    confirm_all(session, chair, member)
    documents = result_certify(user=chair, session=session)
    assert len(documents) == 2
    for document in documents:
        verdict = document_verify(bytes(document.content))
        assert verdict.status == "authentic"
        assert verdict.signer == "Viện kiểm sát nhân dân tỉnh Quảng Ninh (token)"


def test_certifying_when_the_pin_is_gone_is_a_clear_refusal(
    org, superuser, chair, member, softhsm, monkeypatch
):
    monkeypatch.setenv("VKS_TOKEN_PIN", softhsm.pin)
    pkcs11_configure(user=superuser, organization=org, config=token_settings(softhsm))
    monkeypatch.delenv("VKS_TOKEN_PIN")
    session = counted_session(org, chair, member)
    confirm_all(session, chair, member)
    with pytest.raises(DomainError, match="VKS_TOKEN_PIN that should hold the PIN is not set"):
        result_certify(user=chair, session=session)
    monkeypatch.setenv("VKS_TOKEN_PIN", "000000")
    with pytest.raises(DomainError, match="The token could not be used"):
        result_certify(user=chair, session=session)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"pkcs11_module": "/usr/lib/x86_64-linux-gnu/libc.so.6"}, "may not load that PKCS#11"),
        ({"pkcs11_module": "/usr/lib/khong-co.so"}, "There is no PKCS#11 module"),
        ({"token_label": ""}, "Give the token's label."),
        ({"key_label": ""}, "Give the key's label or its ID."),
        ({"key_id": "zz"}, "hexadecimal"),
        ({"pin_file": "/tmp/pin"}, "not both"),
        ({"pin_env": ""}, "not both"),
        ({"pin_env": "BAD-NAME"}, "letters, digits and underscores"),
        ({"pin_env": "VKS_TOKEN_PIN_UNSET"}, "is not set"),
        ({"token_label": "Token khác"}, "The token could not be used"),
        ({"key_label": "khoa-khac"}, "The token could not be used"),
    ],
)
def test_bad_token_settings_are_refused(org, superuser, softhsm, monkeypatch, changes, message):
    monkeypatch.setenv("VKS_TOKEN_PIN", softhsm.pin)
    with pytest.raises(DomainError, match=message):
        pkcs11_configure(
            user=superuser, organization=org, config=token_settings(softhsm, **changes)
        )
    assert not SigningSetup.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_key_is_found_by_its_id(org, superuser, softhsm, monkeypatch):
    monkeypatch.setenv("VKS_TOKEN_PIN", softhsm.pin)
    setup = pkcs11_configure(
        user=superuser,
        organization=org,
        config=token_settings(softhsm, key_label="", key_id=softhsm.key_id.upper()),
    )
    assert setup.key_id == softhsm.key_id
