"""PDF signatures: trial certificates, PAdES signing and checking, with pyHanko.

Pure helpers: bytes in, bytes out; no Django models. The organization's key material is
found by reports/keys.py: a PKCS#12 file, or a key on a PKCS#11 token (a USB token or HSM)
that never leaves it.
"""

import asyncio
import datetime as dt
import io
import logging
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

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
    """The PDF signed as PAdES B-B with the key of a PKCS#12 bundle."""
    return sign_pdf_with(
        pdf, signer=pkcs12_signer(pkcs12, password), reason=reason, location=location
    )


def pkcs12_signer(pkcs12_bytes: bytes, password: bytes):
    """A pyHanko signer for the key and certificate of a PKCS#12 bundle. The bundle is read
    once, here, and its key kept for every signature the signer makes (pyHanko's own
    SimpleSigner reads the key again at each signature, twice per document: ~70 ms each for
    an RSA key). ValueError if the bundle cannot be read with the password."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        key, certificate, others = pkcs12.load_key_and_certificates(pkcs12_bytes, password)
    except Exception as exc:  # noqa: BLE001 - pyHanko's wording: unreadable is a ValueError
        raise ValueError("the PKCS#12 bundle could not be read with this password") from exc
    if key is None or certificate is None:
        raise ValueError("the PKCS#12 bundle holds no key or no certificate")
    der = serialization.Encoding.DER
    registry = SimpleCertificateStore()
    registry.register_multiple(
        asn1_x509.Certificate.load(other.public_bytes(der)) for other in others
    )
    return _key_kept_signer_class()(
        key=key,
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),
        cert_registry=registry,
    )


@cache
def _key_kept_signer_class():
    """pyHanko's SimpleSigner signing with a key object read once (the class is made on first
    use: pyHanko is imported lazily)."""
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash

    class KeyKeptSigner(signers.SimpleSigner):
        def __init__(self, *, key, **kwargs):
            super().__init__(**kwargs)
            self._key = key

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                algorithm = mechanism.signature_algo
            except ValueError:
                algorithm = mechanism["algorithm"].native
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            if algorithm == "rsassa_pkcs1v15" and isinstance(self._key, RSAPrivateKey):
                return self._key.sign(data, PKCS1v15(), hash_algorithm)
            if algorithm == "ecdsa" and isinstance(self._key, EllipticCurvePrivateKey):
                return self._key.sign(data, ECDSA(hash_algorithm))
            # Anything else (PSS, EdDSA, …): pyHanko's own way, reading the key again.
            return super().sign_raw(data, digest_algorithm)

    return KeyKeptSigner


def sign_pdf_with(pdf: bytes, *, signer, reason: str, location: str) -> bytes:
    """The PDF signed as PAdES B-B by a pyHanko signer (PKCS#12 or PKCS#11), in an invisible
    signature field "Signature1"."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

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


# --- checking a certificate before it is used ------------------------------------------------

# How many days before expiry a certificate is flagged.
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class CertificateInfo:
    """What people need to see about a signing certificate before trusting it."""

    subject: str
    common_name: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str
    # "digital_signature", "content_commitment" (non-repudiation), ... as the certificate says.
    key_usage: tuple[str, ...]
    is_trial: bool
    der: bytes

    @property
    def can_sign(self) -> bool:
        return bool({"digital_signature", "content_commitment"} & set(self.key_usage))


def _readable_name(name: x509.Name) -> str:
    """ "CN=…, O=…, C=VN", diacritics kept (RFC 4514 would escape them)."""
    labels = {
        NameOID.COMMON_NAME: "CN",
        NameOID.ORGANIZATION_NAME: "O",
        NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
        NameOID.LOCALITY_NAME: "L",
        NameOID.STATE_OR_PROVINCE_NAME: "ST",
        NameOID.COUNTRY_NAME: "C",
        NameOID.EMAIL_ADDRESS: "E",
    }
    parts = []
    for attribute in reversed(list(name)):
        label = labels.get(attribute.oid, attribute.oid.dotted_string)
        value = attribute.value
        text = value if isinstance(value, str) else value.decode("utf-8", "replace")
        parts.append(f"{label}={text}")
    return ", ".join(parts)


def certificate_info(der: bytes) -> CertificateInfo:
    """The readable facts of a DER certificate. ValueError if it is not one."""
    certificate = x509.load_der_x509_certificate(der)
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        key_usage: tuple[str, ...] = ()
    else:
        key_usage = tuple(
            flag
            for flag in (
                "digital_signature",
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "key_cert_sign",
                "crl_sign",
            )
            if getattr(usage, flag)
        )
    common_names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    units = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    return CertificateInfo(
        subject=_readable_name(certificate.subject),
        common_name=str(common_names[0].value) if common_names else "",
        issuer=_readable_name(certificate.issuer),
        serial=format(certificate.serial_number, "X"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        key_usage=key_usage,
        is_trial=any(unit.value == TRIAL_NOTICE for unit in units),
        der=der,
    )


def certificate_problems(info: CertificateInfo, *, now: dt.datetime) -> list[str]:
    """Why a certificate cannot sign our documents now: codes "no_signing_usage",
    "not_yet_valid", "expired"; empty if it can."""
    problems = []
    if not info.can_sign:
        problems.append("no_signing_usage")
    if now < info.not_before:
        problems.append("not_yet_valid")
    if now > info.not_after:
        problems.append("expired")
    return problems


def read_pkcs12(pkcs12_bytes: bytes, password: bytes | None) -> CertificateInfo:
    """The certificate of a PKCS#12 bundle that also holds its private key. ValueError with
    a code: "unreadable" (not PKCS#12, or the wrong password), "no_key", "no_certificate",
    "key_mismatch" (the key is not the certificate's)."""
    try:
        key, certificate, _cas = pkcs12.load_key_and_certificates(pkcs12_bytes, password)
    except (ValueError, TypeError) as exc:
        raise ValueError("unreadable") from exc
    if key is None:
        raise ValueError("no_key")
    if certificate is None:
        raise ValueError("no_certificate")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ) != certificate.public_key().public_bytes(serialization.Encoding.DER, public):
        raise ValueError("key_mismatch")
    return certificate_info(certificate.public_bytes(serialization.Encoding.DER))


# --- PKCS#11: a key on a USB token or an HSM -------------------------------------------------


@dataclass(frozen=True)
class TokenKey:
    """Where a key lives on a PKCS#11 token. The PIN is given separately, never kept here."""

    module: str
    token_label: str
    key_label: str = ""
    key_id: bytes | None = None
    cert_label: str = ""
    cert_id: bytes | None = None


class TokenError(Exception):
    """The token, the key or its certificate could not be reached (message in English, for
    the log; callers show their own words)."""


@contextmanager
def pkcs11_signer(key: TokenKey, *, pin: str) -> Iterator:
    """A pyHanko signer for a key on a PKCS#11 token, its session open for the block.
    TokenError if the module, the token, the PIN, the key or the certificate fails."""
    try:
        from pkcs11 import PKCS11Error
        from pyhanko.sign.general import SigningError
        from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session
    except ImportError as exc:  # pragma: no cover - python-pkcs11 is a dependency
        raise TokenError(str(exc)) from exc
    try:
        session = open_pkcs11_session(
            key.module, token_criteria=TokenCriteria(label=key.token_label), user_pin=pin
        )
    except (PKCS11Error, OSError, RuntimeError) as exc:
        raise TokenError(f"cannot open the token: {type(exc).__name__} {exc}") from exc
    try:
        signer = PKCS11Signer(
            session,
            key_label=key.key_label or None,
            key_id=key.key_id,
            cert_label=key.cert_label or None,
            cert_id=key.cert_id,
        )
        try:
            signer.signing_cert  # noqa: B018 - loads the certificate and the key handle now
        except PKCS11Error as exc:
            raise TokenError(f"key or certificate not found: {exc}") from exc
        try:
            yield signer
        except (PKCS11Error, SigningError) as exc:
            # The token was pulled out, or refused to sign, in the middle of the work.
            raise TokenError(f"signing failed: {type(exc).__name__} {exc}") from exc
    finally:
        session.close()


def signer_certificate_der(signer) -> bytes:
    """The DER of a pyHanko signer's certificate."""
    return signer.signing_cert.dump()


def blank_pdf() -> bytes:
    """A one-page empty PDF, for a test signature before a key is accepted."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def signature_selftest(signer, *, certificate_der: bytes) -> bool:
    """Sign an empty PDF with the signer and check it against the certificate: the key
    really signs, and its signatures verify."""
    signed = sign_pdf_with(blank_pdf(), signer=signer, reason="Kiểm tra khóa", location="")
    report = signature_report(signed, trusted_certificates=[certificate_der])
    return report.intact and report.trusted
