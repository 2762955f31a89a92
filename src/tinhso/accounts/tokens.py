"""Secrets that are shown once and stored only as hashes."""

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "tso_"  # noqa: S105 - a visible prefix, not a secret


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    # The secrets carry 256 random bits, so a plain SHA-256 cannot be
    # brute-forced; a slow password hash would only slow every API call.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_phone_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
