"""PAdES signing with pyHanko: a trial certificate, a signed PDF that checks out, and the
tampered cases (a changed byte, a copy re-signed with another certificate, no signature)."""

import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfReader, PdfWriter

from confidence_vote.lib.signing import (
    TRIAL_NOTICE,
    certificate_from_pkcs12,
    create_trial_certificate,
    sign_pdf,
    signature_report,
)

ORGANIZATION = "Viện kiểm sát nhân dân tỉnh Quảng Ninh"
ISSUER = "Ban Cán sự Đảng VKSND tỉnh Quảng Ninh"


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def trial():
    return create_trial_certificate(organization_name=ORGANIZATION, common_name=ISSUER)


@pytest.fixture(scope="module")
def signed(trial):
    bundle, password = trial
    return sign_pdf(
        blank_pdf(),
        pkcs12=bundle,
        password=password,
        reason="Kết quả lấy phiếu tín nhiệm — phiên bản 1",
        location="Quảng Ninh",
    )


def test_trial_certificate_names_itself_a_trial_with_diacritics(trial):
    bundle, password = trial
    _key, certificate, _cas = pkcs12.load_key_and_certificates(bundle, password)
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == ISSUER
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORGANIZATION
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == (
        TRIAL_NOTICE
    )
    assert certificate.issuer == subject
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(bundle, b"not-the-password")


def test_signed_pdf_is_intact_and_trusted_with_its_certificate(trial, signed):
    bundle, password = trial
    der = certificate_from_pkcs12(bundle, password)
    report = signature_report(signed, trusted_certificates=[der])
    assert report.signed and report.intact and report.trusted
    assert report.signer == ISSUER
    assert report.certificate_der == der
    assert report.signing_time is not None
    # The field, the reason, the location and the PAdES subfilter are in the file.
    field = PdfReader(io.BytesIO(signed)).get_fields()["Signature1"]
    value = field["/V"]
    assert value["/SubFilter"] == "/ETSI.CAdES.detached"
    assert value["/Reason"] == "Kết quả lấy phiếu tín nhiệm — phiên bản 1"
    assert value["/Location"] == "Quảng Ninh"


def test_signed_pdf_is_not_trusted_without_the_certificate(signed):
    report = signature_report(signed, trusted_certificates=[])
    assert report.signed and report.intact
    assert report.trusted is False


@pytest.mark.parametrize("where", [0.3, 0.6, 0.99])
def test_one_flipped_byte_breaks_the_signature(trial, signed, where):
    der = certificate_from_pkcs12(*trial)
    damaged = bytearray(signed)
    damaged[int(len(damaged) * where)] ^= 0x01
    report = signature_report(bytes(damaged), trusted_certificates=[der])
    assert report.intact is False
    assert report.trusted is False


def test_bytes_appended_after_the_signature_are_not_intact(trial, signed):
    der = certificate_from_pkcs12(*trial)
    report = signature_report(signed + b"\n% extra\n", trusted_certificates=[der])
    assert report.intact is False


def test_copy_resigned_with_another_certificate_is_not_trusted(trial, signed):
    der = certificate_from_pkcs12(*trial)
    other_bundle, other_password = create_trial_certificate(
        organization_name="Tổ chức giả mạo", common_name=ISSUER
    )
    unsigned = blank_pdf()
    forged = sign_pdf(
        unsigned, pkcs12=other_bundle, password=other_password, reason="x", location="y"
    )
    report = signature_report(forged, trusted_certificates=[der])
    assert report.signed and report.intact
    assert report.trusted is False
    assert report.certificate_der != der


@pytest.mark.parametrize("content", [b"", b"garbage", b"%PDF-1.7\n%%EOF", "unsigned"])
def test_unsigned_or_garbage_is_not_signed_and_does_not_raise(trial, content):
    if content == "unsigned":
        content = blank_pdf()
    report = signature_report(content, trusted_certificates=[certificate_from_pkcs12(*trial)])
    assert report.signed is False
    assert report.intact is False and report.trusted is False


def test_wrong_password_refuses_to_sign(trial):
    bundle, _password = trial
    with pytest.raises(ValueError):
        sign_pdf(blank_pdf(), pkcs12=bundle, password=b"nope", reason="x", location="y")


def test_report_works_inside_a_running_event_loop(trial, signed):
    """An ASGI worker or a browser test calls it from a thread whose event loop is running."""

    bundle, password = trial
    trusted = [certificate_from_pkcs12(bundle, password)]

    async def inside_loop():
        return signature_report(signed, trusted_certificates=trusted)

    report = _in_a_running_loop(inside_loop)
    assert (report.signed, report.intact, report.trusted) == (True, True, True)


def test_signing_works_inside_a_running_event_loop(trial):
    """Signing too must not call asyncio.run() on a thread whose loop is running."""

    bundle, password = trial

    async def inside_loop():
        return sign_pdf(blank_pdf(), pkcs12=bundle, password=password, reason="x", location="y")

    signed = _in_a_running_loop(inside_loop)
    trusted = [certificate_from_pkcs12(bundle, password)]
    assert signature_report(signed, trusted_certificates=trusted).intact


def _in_a_running_loop(coroutine_function):
    """Run the coroutine with its own event loop, on a fresh thread (the test thread may
    already have one running, e.g. after the browser tests)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_function())).result()
