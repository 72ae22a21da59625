"""Passwords: argon2id hashes with the cost from settings, and the rules a
new password must pass.

The cost lives in the ``podium.passwords.argon2_*`` settings; a stored hash
made with other parameters still verifies, and is replaced after the next
successful check (:meth:`Passwords.verify` returns the new hash).  Checking
the password of a user who does not exist costs the same as checking a real
one (:meth:`Passwords.verify_unknown`), so the time of an answer does not say
whether a login name exists.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .common_passwords import COMMON_PASSWORDS

#: Longer input is refused before hashing: argon2 would take it, but nobody
#: types it, and a megabyte "password" is only a way to spend the server's time.
MAX_LENGTH = 1024
_TRAILING = re.compile(r"[\d\W_]+$")


class WeakPasswordError(ValueError):
    """A new password that the rules refuse; the message says which rule."""


def normalize(password: str) -> str:
    """The form that is hashed: Unicode NFC, so that the same characters typed
    on two keyboards (a precomposed é, or e and a combining accent) match."""
    return unicodedata.normalize("NFC", password)


def weakness(password: str, min_length: int, login: str | None = None) -> str | None:
    """Why ``password`` may not be used as a new password, or None."""
    text = normalize(password)
    if len(text) < min_length:
        return (f"the password has {len(text)} characters; at least {min_length} are needed "
                "(a few words with spaces between them make a good one)")
    if len(text) > MAX_LENGTH:
        return f"the password has {len(text)} characters; at most {MAX_LENGTH} are allowed"
    folded = text.casefold()
    if folded in COMMON_PASSWORDS or _TRAILING.sub("", folded) in COMMON_PASSWORDS:
        return "this password is on the list of the most common passwords; choose another"
    for period in (1, 2, 3, 4):
        if len(folded) > period and folded[period:] == folded[:-period]:
            return "the password repeats a few characters; choose another"
    steps = sum(abs(ord(b) - ord(a)) == 1 for a, b in itertools.pairwise(folded))
    if steps >= len(folded) - 2:
        return "the password is a sequence (like abcd or 1234); choose another"
    if login and len(login) >= 3 and login.casefold() in folded:
        return "the password contains the login name; choose another"
    return None


@dataclass(frozen=True)
class Passwords:
    """The password rules and hasher of one configuration."""

    min_length: int = 12
    time_cost: int = 3
    memory_cost: int = 65536
    parallelism: int = 4

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Passwords:
        """From typed settings (``load_settings`` or the app's registry)."""
        return cls(
            min_length=int(settings.get("podium.passwords.min_length", 12)),
            time_cost=int(settings.get("podium.passwords.argon2_time_cost", 3)),
            memory_cost=int(settings.get("podium.passwords.argon2_memory_cost", 65536)),
            parallelism=int(settings.get("podium.passwords.argon2_parallelism", 4)),
        )

    @property
    def hasher(self) -> PasswordHasher:
        return _hasher(self.time_cost, self.memory_cost, self.parallelism)

    def check_new(self, password: str, login: str | None = None) -> None:
        """Raise :class:`WeakPasswordError` unless ``password`` may be set."""
        problem = weakness(password, self.min_length, login)
        if problem:
            raise WeakPasswordError(problem)

    def hash(self, password: str) -> str:
        """The argon2id hash of a new password (checked with :meth:`check_new`)."""
        self.check_new(password)
        return self.hasher.hash(normalize(password))

    def verify(self, stored_hash: str, password: str) -> tuple[bool, str | None]:
        """``(matches, new_hash)``: ``new_hash`` is set when the password
        matched and the stored hash was made with other parameters, and is
        to be saved in its place."""
        hasher = self.hasher
        if len(password) > MAX_LENGTH:
            self.verify_unknown(password[:MAX_LENGTH])
            return False, None
        try:
            hasher.verify(stored_hash, normalize(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, None
        if hasher.check_needs_rehash(stored_hash):
            return True, hasher.hash(normalize(password))
        return True, None

    def verify_unknown(self, password: str) -> bool:
        """Spend the time of a real check against a hash nobody's password
        matches; always False.  For a login name that does not exist (or a
        disabled user), so that it answers as slowly as a wrong password."""
        try:
            self.hasher.verify(self.dummy_hash, normalize(password[:MAX_LENGTH]))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            pass
        return False

    @property
    def dummy_hash(self) -> str:
        return _dummy_hash(self.time_cost, self.memory_cost, self.parallelism)


@functools.lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                          parallelism=parallelism)


@functools.lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    """Made once per set of parameters, from random bytes: no password is known to match."""
    import secrets

    return _hasher(time_cost, memory_cost, parallelism).hash(secrets.token_urlsafe(32))
