"""The keys that encrypt secrets at rest (IdP client secrets, CRM refresh tokens), from the
environment: FIELD_ENCRYPTION_KEYS is a comma-separated list of Fernet keys, newest first.
The first encrypts; every one decrypts, so a key is rotated by putting a new one in front,
running `manage.py vault_rotate`, then dropping the old one (docs/operations.md)."""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derived_from_secret_key() -> str:
    """Development only: a key derived from SECRET_KEY, so a demo needs no extra setting.
    Production refuses to start without FIELD_ENCRYPTION_KEYS (deploy check)."""
    digest = hashlib.sha256(b"ecosystem-vault:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


@cache
def vault() -> MultiFernet:
    keys = [k.strip() for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", []) if k.strip()]
    if not keys:
        keys = [_derived_from_secret_key()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64 bytes each; make "
            "one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        ) from exc


def encrypt(plain: str) -> str:
    return vault().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return vault().decrypt(token.encode()).decode()
