"""Encryption at rest for sensitive values (core.fields.EncryptedTextField / EncryptedJSONField, TOTP secrets).

Keys come from FIELD_ENCRYPTION_KEYS: Fernet keys, newest first. New values are always encrypted with the first
key; decryption tries every key, so a key is rotated by putting a new one in front, deploying, running
`python manage.py rotate_encryption_key` (which re-encrypts every stored value with the newest key), and only
then removing the old key (docs/configuration.md, FIELD_ENCRYPTION_KEYS). A value that no configured key opens
raises cryptography.fernet.InvalidToken: it is never read as empty. Generate a key with
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt_text", "encrypt_text", "is_current", "key_count", "rotate_token"]


@cache
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: sensitive data cannot be encrypted.")
    fernets = [Fernet(key.encode()) for key in keys]
    return MultiFernet(fernets), fernets[0]


def _keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def key_count() -> int:
    return len(_keys())


def encrypt_text(plain: str) -> str:
    return _fernets(_keys())[0].encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernets(_keys())[0].decrypt(token.encode()).decode()


def is_current(token: str) -> bool:
    """True when the newest key opens the token (nothing to rotate)."""
    try:
        _fernets(_keys())[1].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate_token(token: str) -> str:
    """The same plain value, encrypted again with the newest key. Raises InvalidToken if no key opens it."""
    return _fernets(_keys())[0].rotate(token.encode()).decode()
