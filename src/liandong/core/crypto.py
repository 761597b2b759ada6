"""Encryption at rest and keyed hashes for personal data (ID and mobile numbers).

Values are encrypted with AES-256-GCM under a key derived from LIANDONG_FIELD_KEY and found
through an HMAC-SHA256 "blind index" under a second derived key. The ciphertext carries a
version prefix so that the algorithm (e.g. SM4 for a 密评) can be swapped later without a
flag day: ``decrypt`` dispatches on the prefix.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = "v1"


@lru_cache(maxsize=4)
def _derive(field_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"liandong", info=purpose).derive(
        field_key.encode()
    )


def _encryption_key() -> bytes:
    return _derive(settings.FIELD_KEY, b"field-encryption")


def _index_key() -> bytes:
    return _derive(settings.FIELD_KEY, b"blind-index")


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_encryption_key()).encrypt(nonce, plaintext.encode(), _VERSION.encode())
    return f"{_VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    version, _, payload = token.partition(":")
    if version != _VERSION:
        raise ValueError(f"Unknown ciphertext version {version!r}")
    raw = base64.b64decode(payload)
    return AESGCM(_encryption_key()).decrypt(raw[:12], raw[12:], version.encode()).decode()


def blind_index(kind: str, value: str) -> str:
    """Keyed hash used to find and de-duplicate a value without storing it."""
    message = f"{kind}:{value}".encode()
    return hmac.new(_index_key(), message, hashlib.sha256).hexdigest()


def mobile_digest(mobile: str) -> str:
    """The blind index of a (validated, normalized) mobile number: how a worker, a one-time
    code or a demand's author is found by mobile without the number being stored in clear."""
    return blind_index("mobile", mobile)
