"""A text column whose value is stored encrypted (Fernet: AES-128-CBC with an HMAC, from the
`cryptography` package) and read back in clear. The database, its backups and anyone who can
read them see only ciphertext; the key lives in the environment (vault.keys)."""

from __future__ import annotations

from typing import Any

from django.db import models

from vault.keys import decrypt, encrypt

PREFIX = "fernet:"


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        if not value.startswith(PREFIX):
            raise ValueError(
                f"{self.model.__name__}.{self.name} holds a value that is not encrypted"
            )
        return decrypt(value.removeprefix(PREFIX))

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return PREFIX + encrypt(value)
