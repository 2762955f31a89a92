"""PKCS#12 key files in ``<data folder>/pki/``, readable by the owner only.

The passphrase of each file is derived from ``SECRET_KEY`` with HKDF, bound to
the certificate's fingerprint. That suits the demo and the embedded default:
whoever holds the data folder *and* the secret key can sign. Production keys
belong in a PKCS#11 token or HSM (``KeyKind.PKCS11``), where the key never
leaves the device.
"""

import base64
import os
from pathlib import Path

from django.conf import settings

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.types import (
    PrivateKeyTypes,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    pkcs12,
)


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "pki"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def passphrase(fingerprint: str) -> bytes:
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"tinhso.pki.pkcs12",
        info=f"key-file:{fingerprint}".encode(),
    ).derive(settings.SECRET_KEY.encode())
    return base64.urlsafe_b64encode(derived)


def write(
    fingerprint: str,
    key: PrivateKeyTypes,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
) -> str:
    """Keep ``key`` and return the file name (relative to ``folder()``)."""
    data = pkcs12.serialize_key_and_certificates(
        name=fingerprint[:16].encode(),
        key=key,  # type: ignore[arg-type]
        cert=cert,
        cas=chain or None,
        encryption_algorithm=BestAvailableEncryption(passphrase(fingerprint)),
    )
    name = f"{fingerprint}.p12"
    path = folder() / name
    # O_EXCL: never overwrite another key; 0600 from the first byte written.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return name


def read(name: str) -> bytes:
    return (folder() / name).read_bytes()


def delete(name: str) -> None:
    (folder() / name).unlink(missing_ok=True)
