"""Encryption at rest for sensitive values (TOTP secrets now; health, care experience and concerns later).

Keys come from FIELD_ENCRYPTION_KEYS: Fernet keys, newest first. Decryption tries every key, so a key can be
rotated by putting a new one in front and re-saving. Generate a key with
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
"""

from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: sensitive data cannot be encrypted.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt_text(plain: str) -> str:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()
