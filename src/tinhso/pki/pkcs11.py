"""Signing with keys that never leave a PKCS#11 device (USB token or HSM).

Production keys live on a device; the server only asks it to sign. Three
settings drive this (from the environment, see conf/env.py):

- ``PKI_PKCS11_MODULES``: the PKCS#11 libraries the server may load. A
  certificate names its module, and loading a library runs its code in the
  server, so an administrator's form must not be able to name any file on
  disk: only a listed library is ever opened.
- ``PKI_PKCS11_PIN``: the user PIN of the tokens (one per installation; an
  HSM partition usually has one).

One logged-in session is kept per token and shared by every certificate on
it, behind a lock: a PKCS#11 session runs one operation at a time, and
closing any session of a token logs all of them out. A session that dies
(token unplugged, HSM restarted) is opened again once before giving up. A
wrong PIN is remembered and not tried again until the setting changes or
the process restarts, so a misconfigured server cannot lock the token by
retrying signatures.
"""

import asyncio
import contextlib
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

import pkcs11 as p11
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from pkcs11 import Attribute, Mechanism, ObjectClass
from pyhanko.sign.pkcs11 import PKCS11Signer

from tinhso.core.errors import DomainError
from tinhso.pki import selectors
from tinhso.pki.models import Certificate

# Errors after which a fresh session may succeed.
_SESSION_LOST = (
    p11.SessionClosed,
    p11.SessionHandleInvalid,
    p11.UserNotLoggedIn,
    p11.DeviceRemoved,
    p11.TokenNotPresent,
    p11.ObjectHandleInvalid,
    p11.KeyHandleInvalid,
)
# What the key is asked to sign when a certificate is registered.
_PROBE = b"tinhso: PKCS#11 key check"


def allowed_modules() -> list[str]:
    """The PKCS#11 libraries this server may load (``PKI_PKCS11_MODULES``)."""
    value: Any = getattr(settings, "PKI_PKCS11_MODULES", None) or []
    if isinstance(value, str):
        value = value.split(",")
    return [str(item).strip() for item in value if str(item).strip()]


def _pin() -> str | None:
    pin = getattr(settings, "PKI_PKCS11_PIN", None)
    return str(pin) if pin not in (None, "") else None


def check_module(module_path: str) -> None:
    """Refuse a library that is not configured here or not on disk."""
    if not allowed_modules():
        raise DomainError(
            "pki_pkcs11_not_configured",
            _(
                "Máy chủ chưa được cấu hình để dùng thiết bị ký số PKCS#11 "
                "(token/HSM): cần khai báo thư viện PKCS#11 (biến môi trường "
                "TINHSO_PKI_PKCS11_MODULES)."
            ),
        )
    if module_path not in allowed_modules():
        raise DomainError(
            "pki_pkcs11_module_not_allowed",
            _(
                "Thư viện PKCS#11 “%(path)s” không nằm trong danh sách được phép "
                "trên máy chủ này (%(allowed)s)."
            )
            % {"path": module_path, "allowed": ", ".join(allowed_modules())},
        )
    if not Path(module_path).is_file():
        raise DomainError(
            "pki_pkcs11_module_missing",
            _(
                "Không tìm thấy thư viện PKCS#11 “%(path)s” trên máy chủ; hãy cài "
                "phần mềm của thiết bị ký số."
            )
            % {"path": module_path},
        )


def _library(module_path: str) -> Any:
    check_module(module_path)
    try:
        return p11.lib(module_path)
    except p11.PKCS11Error as exc:
        raise DomainError(
            "pki_pkcs11_module_unusable",
            _("Không nạp được thư viện PKCS#11 “%(path)s”: %(reason)s")
            % {"path": module_path, "reason": exc or type(exc).__name__},
        ) from exc


def _token_labels(lib: Any) -> list[str]:
    labels = []
    for slot in lib.get_slots(token_present=True):
        try:
            labels.append(slot.get_token().label)
        except p11.PKCS11Error:
            continue
    return labels


def _find_token(module_path: str, token_label: str) -> Any:
    lib = _library(module_path)
    try:
        return lib.get_token(token_label=token_label)
    except p11.NoSuchToken:
        present = _token_labels(lib)
        raise DomainError(
            "pki_pkcs11_token_missing",
            _(
                "Không tìm thấy token có nhãn “%(label)s” (thiết bị chưa cắm "
                "hoặc sai nhãn). Token đang có: %(present)s."
            )
            % {
                "label": token_label,
                "present": ", ".join(present) if present else _("không có"),
            },
        ) from None
    except p11.MultipleTokensReturned:
        raise DomainError(
            "pki_pkcs11_token_ambiguous",
            _("Có nhiều token cùng nhãn “%(label)s”; hãy đặt nhãn khác nhau.")
            % {"label": token_label},
        ) from None
    except p11.PKCS11Error as exc:
        raise _device_error(exc) from exc


def _device_error(exc: BaseException) -> DomainError:
    return DomainError(
        "pki_pkcs11_device_error",
        _("Thiết bị ký số PKCS#11 báo lỗi: %(reason)s")
        % {"reason": str(exc) or type(exc).__name__},
    )


def _pin_key(module_path: str, token_label: str, pin: str) -> tuple[str, str, str]:
    return (module_path, token_label, hashlib.sha256(pin.encode()).hexdigest())


class _Token:
    """One token's shared session; use it only while holding ``lock``."""

    def __init__(self, module_path: str, label: str) -> None:
        self.module_path = module_path
        self.label = label
        self.lock = threading.RLock()
        self.generation = 0
        self._session: Any = None

    def session(self) -> Any:
        if self._session is None:
            self._session = _open_session(self.module_path, self.label)
            self.generation += 1
        return self._session

    def reset(self) -> None:
        """Drop the session (and the login of every session of the token)."""
        session, self._session = self._session, None
        if session is not None:
            with contextlib.suppress(p11.PKCS11Error):
                session.close()


_tokens: dict[tuple[str, str], _Token] = {}
_tokens_lock = threading.Lock()
_refused_pins: set[tuple[str, str, str]] = set()


def _token(module_path: str, label: str) -> _Token:
    with _tokens_lock:
        token = _tokens.get((module_path, label))
        if token is None:
            token = _tokens[(module_path, label)] = _Token(module_path, label)
        return token


def _open_session(module_path: str, token_label: str) -> Any:
    pin = _pin()
    if pin is None:
        raise DomainError(
            "pki_pkcs11_not_configured",
            _(
                "Chưa cấu hình mã PIN của thiết bị ký số PKCS#11 (biến môi trường "
                "TINHSO_PKI_PKCS11_PIN) trên máy chủ này."
            ),
        )
    key = _pin_key(module_path, token_label, pin)
    if key in _refused_pins:
        raise _wrong_pin(token_label)
    token = _find_token(module_path, token_label)
    try:
        return token.open(user_pin=pin)
    except p11.UserAlreadyLoggedIn:
        # Another session of this process logged in already: share it.
        return token.open()
    except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange):
        _refused_pins.add(key)
        raise _wrong_pin(token_label) from None
    except p11.PinLocked:
        raise DomainError(
            "pki_pkcs11_pin_locked",
            _(
                "Mã PIN của token “%(label)s” đã bị khóa do nhập sai nhiều lần; "
                "cần người quản lý thiết bị mở khóa."
            )
            % {"label": token_label},
        ) from None
    except p11.PinExpired:
        raise DomainError(
            "pki_pkcs11_pin_expired",
            _("Mã PIN của token “%(label)s” đã hết hạn; hãy đổi mã PIN.")
            % {"label": token_label},
        ) from None
    except p11.PKCS11Error as exc:
        raise _device_error(exc) from exc


def _wrong_pin(token_label: str) -> DomainError:
    return DomainError(
        "pki_pkcs11_wrong_pin",
        _(
            "Mã PIN của token “%(label)s” không đúng. Hệ thống sẽ không thử lại "
            "mã này để tránh khóa thiết bị; hãy sửa TINHSO_PKI_PKCS11_PIN rồi "
            "khởi động lại."
        )
        % {"label": token_label},
    )


def close_all() -> None:
    """Close every token session and forget refused PINs (PIN change, tests)."""
    with _tokens_lock:
        tokens = list(_tokens.values())
        _tokens.clear()
        _refused_pins.clear()
    for token in tokens:
        with token.lock:
            token.reset()


def _find_key(session: Any, token_label: str, key_label: str) -> Any:
    found = list(
        session.get_objects(
            {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: key_label}
        )
    )
    if not found:
        raise DomainError(
            "pki_pkcs11_key_missing",
            _("Không tìm thấy khóa bí mật có nhãn “%(key)s” trên token “%(token)s”.")
            % {"key": key_label, "token": token_label},
        )
    if len(found) > 1:
        raise DomainError(
            "pki_pkcs11_key_ambiguous",
            _(
                "Token “%(token)s” có nhiều khóa bí mật cùng nhãn “%(key)s”; hãy "
                "đặt nhãn khác nhau."
            )
            % {"key": key_label, "token": token_label},
        )
    if not found[0][Attribute.SIGN]:
        raise DomainError(
            "pki_pkcs11_key_cannot_sign",
            _("Khóa “%(key)s” trên token “%(token)s” không được phép dùng để ký.")
            % {"key": key_label, "token": token_label},
        )
    return found[0]


def _attribute(obj: Any, name: Any, default: Any) -> Any:
    try:
        return obj[name]
    except (p11.AttributeTypeInvalid, p11.AttributeSensitive):
        return default


def _token_certificates(session: Any) -> list[x509.Certificate]:
    """The certificates stored on the token (CA certificates among them)."""
    found = []
    for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
        try:
            found.append(x509.load_der_x509_certificate(bytes(obj[Attribute.VALUE])))
        except ValueError:
            continue  # not X.509: nothing to build a chain from
    return found


def _uses_raw_mechanism(token: Any, cert: x509.Certificate) -> bool:
    """Hash here and let the device sign the digest when it cannot hash.

    SoftHSM and many HSMs offer plain ECDSA but not ECDSA-with-SHA256.
    """
    mechanisms = set(token.slot.get_mechanisms())
    if isinstance(cert.public_key(), ec.EllipticCurvePublicKey):
        return Mechanism.ECDSA_SHA256 not in mechanisms
    return Mechanism.SHA256_RSA_PKCS not in mechanisms


def chain_for(
    cert: x509.Certificate, candidates: list[x509.Certificate]
) -> list[x509.Certificate]:
    """The CA certificates above ``cert`` among ``candidates``, nearest first."""
    chain: list[x509.Certificate] = []
    current = cert
    while current.issuer != current.subject and len(chain) < 8:
        issuer = next(
            (
                item
                for item in candidates
                if item.subject == current.issuer and item not in chain
            ),
            None,
        )
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def _trusted_root_certs() -> list[x509.Certificate]:
    return [
        x509.load_der_x509_certificate(bytes(root.certificate_der))
        for root in selectors.active_roots()
    ]


def _as_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


class TokenSigner(PKCS11Signer):
    """pyHanko's PKCS#11 signer on a shared, self-healing token session."""

    def __init__(
        self,
        token: _Token,
        *,
        key_label: str,
        cert: x509.Certificate,
        chain: list[x509.Certificate],
        raw: bool,
    ) -> None:
        self._token = token
        self.chain = chain
        with token.lock:
            session = token.session()
            self._generation = token.generation
            super().__init__(
                session,
                key_label=key_label,
                signing_cert=_as_asn1(cert),
                ca_chain=[_as_asn1(item) for item in chain],
                use_raw_mechanism=raw,
            )

    def _load_objects(self) -> None:
        with self._token.lock:
            session = self._token.session()
            if self._generation != self._token.generation:
                # A new session: key handles of the old one mean nothing.
                self.pkcs11_session = session
                self._generation = self._token.generation
                self._loaded = False
                self._key_handle = None
            if self._loaded:
                return
            self._key_handle = _find_key(
                session, self._token.label, str(self.key_label)
            )
            self._loaded = True

    async def ensure_objects_loaded(self) -> None:
        self._load_objects()

    def _sign_now(self, data: bytes, digest_algorithm: str) -> bytes:
        self._load_objects()
        assert self._key_handle is not None
        spec = self._select_pkcs11_signing_params(
            digest_algorithm, sign_kwargs=self.sign_kwargs(data)
        )
        if spec.pre_sign_transform is not None:
            data = spec.pre_sign_transform(data)
        signature = self._key_handle.sign(data, **spec.sign_kwargs)
        if spec.post_sign_transform is not None:
            signature = spec.post_sign_transform(signature)
        return bytes(signature)

    def sign_once(self, data: bytes, digest_algorithm: str = "sha256") -> bytes:
        """Sign ``data``; a lost session is opened again once."""
        with self._token.lock:
            try:
                return self._sign_now(data, digest_algorithm)
            except _SESSION_LOST:
                self._token.reset()
            except p11.PKCS11Error as exc:
                raise _device_error(exc) from exc
            try:
                return self._sign_now(data, digest_algorithm)
            except p11.PKCS11Error as exc:
                raise _device_error(exc) from exc

    async def async_sign_raw(
        self,
        data: bytes,
        digest_algorithm: str,
        dry_run: bool = False,  # noqa: FBT001, FBT002 - pyHanko's signature
    ) -> bytes:
        if dry_run:
            return await super().async_sign_raw(data, digest_algorithm, dry_run=True)
        # The caller's event loop serves this one signature (sign_pdf runs
        # its own), so the device call may block it.
        return self.sign_once(data, digest_algorithm)


def _build(
    module_path: str, token_label: str, key_label: str, cert: x509.Certificate
) -> TokenSigner:
    token = _token(module_path, token_label)
    with token.lock:
        for attempt in (1, 2):
            try:
                session = token.session()
                raw = _uses_raw_mechanism(session.token, cert)
                candidates = [*_token_certificates(session), *_trusted_root_certs()]
                chain = chain_for(cert, candidates)
                built = TokenSigner(
                    token, key_label=key_label, cert=cert, chain=chain, raw=raw
                )
                built._load_objects()
                return built
            except _SESSION_LOST as exc:
                token.reset()
                if attempt == 2:
                    raise _device_error(exc) from exc
            except p11.PKCS11Error as exc:
                raise _device_error(exc) from exc
    raise AssertionError("unreachable")


def signer(certificate: Certificate) -> TokenSigner:
    """The pyHanko signer of a ``KeyKind.PKCS11`` certificate.

    Opens (or reuses) the token session and finds the key now, so a missing
    library, token, key or a wrong PIN is reported here in Vietnamese.
    """
    if not certificate.pkcs11_module:
        raise DomainError(
            "pki_pkcs11_not_configured",
            _(
                "Chứng thư số “%(name)s” chưa khai báo thư viện PKCS#11 của thiết "
                "bị ký số."
            )
            % {"name": certificate.common_name},
        )
    cert = x509.load_pem_x509_certificate(certificate.certificate_pem.encode())
    return _build(
        certificate.pkcs11_module,
        certificate.pkcs11_token_label,
        certificate.pkcs11_key_label,
        cert,
    )


@dataclass(frozen=True)
class TokenKey:
    """A signing key on a token, with the certificate stored next to it."""

    label: str
    key_id: str
    certificate_der: bytes | None


def token_keys(module_path: str, token_label: str) -> list[TokenKey]:
    """The signing keys on a token, to pick one when registering it."""
    token = _token(module_path, token_label)
    with token.lock:
        try:
            session = token.session()
            certificates: dict[str, bytes] = {}
            for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
                certificates.setdefault(
                    str(_attribute(obj, Attribute.LABEL, "")),
                    bytes(obj[Attribute.VALUE]),
                )
            keys = [
                TokenKey(
                    label=str(_attribute(obj, Attribute.LABEL, "")),
                    key_id=bytes(_attribute(obj, Attribute.ID, b"")).hex(),
                    certificate_der=certificates.get(
                        str(_attribute(obj, Attribute.LABEL, ""))
                    ),
                )
                for obj in session.get_objects(
                    {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.SIGN: True}
                )
            ]
        except _SESSION_LOST as exc:
            token.reset()
            raise _device_error(exc) from exc
        except p11.PKCS11Error as exc:
            raise _device_error(exc) from exc
    return sorted(keys, key=lambda key: key.label)


def certificate_on_token(module_path: str, token_label: str, key_label: str) -> bytes:
    """The DER certificate stored on the token under the key's label."""
    for key in token_keys(module_path, token_label):
        if key.label == key_label and key.certificate_der is not None:
            return key.certificate_der
    raise DomainError(
        "pki_pkcs11_certificate_missing",
        _(
            "Token “%(token)s” không có chứng thư số mang nhãn “%(key)s”; hãy tải "
            "lên tệp chứng thư số (PEM hoặc DER)."
        )
        % {"token": token_label, "key": key_label},
    )


def check_key_matches(
    module_path: str, token_label: str, key_label: str, cert: x509.Certificate
) -> list[x509.Certificate]:
    """Sign a probe on the device and check it with the certificate's key.

    Returns the CA certificates found on the token above ``cert`` (for the
    chain check). Raises DomainError if the key is not the certificate's.
    """
    signer_ = _build(module_path, token_label, key_label, cert)
    signature = asyncio.run(signer_.async_sign_raw(_PROBE, "sha256"))
    public_key = cert.public_key()
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, _PROBE, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, _PROBE, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise DomainError(
                "pki_pkcs11_key_type",
                _("Chỉ hỗ trợ khóa RSA hoặc ECDSA trên thiết bị PKCS#11."),
            )
    except InvalidSignature:
        raise DomainError(
            "pki_pkcs11_key_mismatch",
            _(
                "Khóa “%(key)s” trên token “%(token)s” không khớp với chứng thư số "
                "của “%(name)s”."
            )
            % {
                "key": key_label,
                "token": token_label,
                "name": cert.subject.rfc4514_string(),
            },
        ) from None
    return signer_.chain
