"""Signing with a key on a PKCS#11 token (SoftHSM2), through the same code path the
certification uses, and the result validated with pyHanko."""

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from confidence_vote.lib.signing import (
    TokenError,
    TokenKey,
    blank_pdf,
    pkcs11_signer,
    sign_pdf_with,
    signature_report,
    signer_certificate_der,
)


def key_of(token, **changes) -> TokenKey:
    fields = {
        "module": token.module,
        "token_label": token.token_label,
        "key_label": token.key_label,
    }
    return TokenKey(**{**fields, **changes})


def test_a_pdf_signed_on_the_token_validates_with_pyhanko(softhsm):
    with pkcs11_signer(key_of(softhsm), pin=softhsm.pin) as signer:
        assert signer_certificate_der(signer) == softhsm.issued.der
        signed = sign_pdf_with(
            blank_pdf(), signer=signer, reason="Kết quả — phiên bản 1", location="Quảng Ninh"
        )
    # pyHanko's own validation, trusting the CA that issued the token's certificate.
    reader = PdfFileReader(io.BytesIO(signed))
    embedded = reader.embedded_signatures[0]
    ca = asn1_x509.Certificate.load(softhsm.issued.ca.public_bytes(Encoding.DER))
    # In a worker thread: the browser tests may leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        status = pool.submit(
            validate_pdf_signature,
            embedded,
            ValidationContext(trust_roots=[ca], allow_fetching=False),
        ).result()
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == (
        "Viện kiểm sát nhân dân tỉnh Quảng Ninh (token)"
    )
    # And our report, trusting the organization's certificate itself.
    report = signature_report(signed, trusted_certificates=[softhsm.issued.der])
    assert (report.signed, report.intact, report.trusted) == (True, True, True)
    assert not signature_report(signed, trusted_certificates=[]).trusted


def test_the_key_is_found_by_its_id_too(softhsm):
    key = key_of(softhsm, key_label="", key_id=bytes.fromhex(softhsm.key_id))
    with pkcs11_signer(key, pin=softhsm.pin) as signer:
        assert signer_certificate_der(signer) == softhsm.issued.der


@pytest.mark.parametrize(
    "changes, pin",
    [
        ({}, "000000"),  # wrong PIN
        ({"token_label": "Không có token này"}, None),
        ({"key_label": "khong-co-khoa"}, None),
        ({"module": "/usr/lib/khong-co/libpkcs11.so"}, None),
    ],
)
def test_what_cannot_be_reached_is_a_token_error(softhsm, changes, pin):
    with (
        pytest.raises(TokenError),
        pkcs11_signer(key_of(softhsm, **changes), pin=pin or softhsm.pin),
    ):
        pass
