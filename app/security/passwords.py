"""Password hashing (argon2id, OWASP parameters) and the password policy."""

from functools import cache
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

from app.errors import InvalidInput

# OWASP's recommendation for argon2id: m=19 MiB, t=2, p=1. Hashes made with other
# parameters still verify and are re-hashed with these at the next sign-in.
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
MIN_LENGTH = 8
MAX_LENGTH = 128

_hasher = PasswordHash(
    (
        Argon2Hasher(
            memory_cost=ARGON2_MEMORY_KIB,
            time_cost=ARGON2_TIME_COST,
            parallelism=ARGON2_PARALLELISM,
        ),
    )
)
# Verified against when the account does not exist, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash("takt-dummy-password-for-constant-time")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Return (valid, new hash if the stored one used outdated parameters).

    Slow on purpose (tens of milliseconds): call it from a worker thread, never the event loop.
    """
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    try:
        return _hasher.verify_and_update(password, password_hash)
    except UnknownHashError:  # a marker such as "!" that locks the account
        _hasher.verify(password, _DUMMY_HASH)
        return False, None


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = (line.strip().lower() for line in path.read_text().splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def check_password_policy(password: str, *, email: str = "", name: str = "") -> None:
    """Raise InvalidInput naming the field when the password is too weak."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"Use at least {MIN_LENGTH} characters; 15 or more is better.", field="password"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Use at most {MAX_LENGTH} characters.", field="password")
    lowered = password.lower()
    if lowered in _common_passwords():
        raise InvalidInput(
            "This password is on the list of commonly used passwords; choose another.",
            field="password",
        )
    local_part = email.split("@")[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and lowered == name.lower()
    ):
        raise InvalidInput("The password must not contain your email or name.", field="password")
