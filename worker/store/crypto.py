"""Encryption of OAuth tokens at rest (Fernet). The first key encrypts; every key decrypts, for rotation."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from connectors.errors import MeliError
from worker.errors import ConfigError


class TokenCipher:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ConfigError("MELI_TOKEN_ENCRYPTION_KEYS: at least one key is required")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, TypeError):
                raise ConfigError(
                    f"MELI_TOKEN_ENCRYPTION_KEYS: key #{position} is not a Fernet key "
                    "(32 url-safe base64-encoded bytes; make one with `meli keygen`)"
                ) from None
        self._fernet = MultiFernet(fernets)

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        try:
            return self._fernet.decrypt(ciphertext).decode()
        except InvalidToken:
            raise MeliError("stored token cannot be decrypted with any configured key") from None

    def rotate(self, ciphertext: bytes) -> bytes:
        """Re-encrypt with the first key (after adding a new key in front)."""
        try:
            return self._fernet.rotate(ciphertext)
        except InvalidToken:
            raise MeliError("stored token cannot be decrypted with any configured key") from None

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()
