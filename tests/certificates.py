"""Certificates for the signing tests, made with `cryptography`: a test CA and leaf signing
certificates with the key usage and validity a test needs, as .p12 or as DER files."""

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

CA_NAME = "CA thử nghiệm Chính phủ"
SUBJECT_NAME = "Viện kiểm sát nhân dân tỉnh Quảng Ninh"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Issued:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    ca: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def key_der(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def p12(self, password: bytes = b"mat-khau-p12") -> bytes:
        return pkcs12.serialize_key_and_certificates(
            name=b"signer",
            key=self.key,
            cert=self.certificate,
            cas=[self.ca],
            encryption_algorithm=serialization.BestAvailableEncryption(password),
        )


_CA = None


def ca_pair():
    """One CA for the whole run (key generation costs)."""
    global _CA
    if _CA is None:
        key = _key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
        now = dt.datetime.now(dt.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=365))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        _CA = (key, certificate)
    return _CA


def issue(
    *,
    common_name: str = SUBJECT_NAME,
    days_left: int = 365,
    started_days_ago: int = 1,
    signing: bool = True,
) -> Issued:
    """A leaf certificate from the test CA: `signing` gives digitalSignature and
    nonRepudiation, otherwise keyEncipherment only."""
    ca_key, ca = ca_pair()
    key = _key()
    now = dt.datetime.now(dt.UTC)
    usage = (
        x509.KeyUsage(True, True, False, False, False, False, False, False, False)
        if signing
        else x509.KeyUsage(False, False, True, False, False, False, False, False, False)
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                ]
            )
        )
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=started_days_ago))
        .not_valid_after(now + dt.timedelta(days=days_left))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return Issued(key=key, certificate=certificate, ca=ca)
