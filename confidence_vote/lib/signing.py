"""PDF signatures: trial certificates, PAdES signing and checking, with pyHanko.

Pure helpers: bytes in, bytes out; no Django models. The organization's key material is
found by reports/keys.py.
"""

import asyncio
import datetime as dt
import io
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

logger = logging.getLogger(__name__)

TRIAL_NOTICE = "Chứng thư thử nghiệm — không có giá trị pháp lý"
FIELD_NAME = "Signature1"


@dataclass(frozen=True)
class SignatureReport:
    """What a PDF's (first) signature says. `intact`: the signed bytes are unchanged and cover
    the whole file; `trusted`: the signer's certificate chains to one of the trusted ones."""

    signed: bool
    intact: bool = False
    trusted: bool = False
    signer: str = ""
    signing_time: dt.datetime | None = None
    certificate_der: bytes | None = None


def _name_attribute(oid, value: str) -> x509.NameAttribute:
    # UTF8String keeps Vietnamese diacritics exactly (PrintableString cannot hold them).
    return x509.NameAttribute(oid, value, _type=_ASN1Type.UTF8String)


def create_trial_certificate(
    *, organization_name: str, common_name: str, valid_days: int = 1095
) -> tuple[bytes, bytes]:
    """A self-signed signing certificate for trials, as (PKCS#12 bytes, password bytes).
    Its subject says it is a trial certificate with no legal value."""
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            _name_attribute(NameOID.ORGANIZATION_NAME, organization_name[:64]),
            _name_attribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TRIAL_NOTICE),
            _name_attribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(24).encode("ascii")
    bundle = pkcs12.serialize_key_and_certificates(
        name=common_name[:64].encode("utf-8"),
        key=key,
        cert=certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )
    return bundle, password


def certificate_from_pkcs12(pkcs12_bytes: bytes, password: bytes) -> bytes:
    """The DER of the signing certificate in a PKCS#12 bundle."""
    _key, certificate, _cas = pkcs12.load_key_and_certificates(pkcs12_bytes, password)
    if certificate is None:
        raise ValueError("the PKCS#12 bundle holds no certificate")
    return certificate.public_bytes(serialization.Encoding.DER)


def sign_pdf(pdf: bytes, *, pkcs12: bytes, password: bytes, reason: str, location: str) -> bytes:
    """The PDF signed as PAdES B-B, in an invisible signature field "Signature1"."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12_data(
        pkcs12_bytes=pkcs12, other_certs=[], passphrase=password
    )
    if signer is None:
        raise ValueError("the PKCS#12 bundle could not be read with this password")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME)
    )
    output = _run_async(lambda: pdf_signer.async_sign_pdf(writer))
    return output.getvalue()


def _certificate_name(certificate) -> str:
    """The subject's common name (or the whole subject) of an asn1crypto certificate."""
    subject = certificate.subject.native
    return subject.get("common_name") or certificate.subject.human_friendly


def _run_async(make_coroutine):
    """Run pyHanko's validation coroutine to its end, also from a thread whose event loop
    is already running (an ASGI worker, a browser test): then in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def signature_report(pdf: bytes, *, trusted_certificates: list[bytes]) -> SignatureReport:
    """Check the PDF's first signature against the trusted certificates (DER).
    Never raises: an unreadable or unsigned file gives signed=False."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception:  # noqa: BLE001 - any damage means "not a signed PDF we can read"
        return SignatureReport(signed=False)
    if not signatures:
        return SignatureReport(signed=False)
    embedded = signatures[0]
    try:
        certificate = embedded.signer_cert
        certificate_der = certificate.dump()
        signer = _certificate_name(certificate)
    except Exception:  # noqa: BLE001
        return SignatureReport(signed=True)
    try:
        roots = [asn1_x509.Certificate.load(der) for der in trusted_certificates]
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = _run_async(lambda: async_validate_pdf_signature(embedded, context))
    except Exception:  # noqa: BLE001 - a damaged signature is a broken one, not a crash
        logger.info("signature validation failed", exc_info=True)
        return SignatureReport(signed=True, signer=signer, certificate_der=certificate_der)
    intact = bool(
        status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    )
    return SignatureReport(
        signed=True,
        intact=intact,
        trusted=bool(intact and status.trusted),
        signer=signer,
        signing_time=status.signer_reported_dt,
        certificate_der=certificate_der,
    )
