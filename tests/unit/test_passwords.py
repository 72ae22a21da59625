"""Password rules and argon2id hashing (podium.accounts.passwords), with the
real argon2-cffi; cheap parameters except where the defaults are the point."""

from __future__ import annotations

import unicodedata

import pytest
from argon2 import Type, extract_parameters

from podium.accounts.passwords import MAX_LENGTH, Passwords, WeakPasswordError, weakness
from podium.settings.core import normalize
from podium.settings.types import SettingsError
from podium.testing.apps import base_settings

CHEAP = Passwords(min_length=12, time_cost=1, memory_cost=1024, parallelism=1)
GOOD = "violet staple harbour 7"


@pytest.mark.parametrize(("password", "says"), [
    ("short pass", "has 10 characters; at least 12"),
    ("password1234", "most common passwords"),
    ("PassWord1234", "most common passwords"),          # case does not help
    ("qwertyuiop123!!", "most common passwords"),       # nor digits and punctuation after
    ("correcthorsebatterystaple", "most common passwords"),
    ("abababababababab", "repeats"),
    ("zzzzzzzzzzzzzz", "repeats"),
    ("abcdefghijklmnop", "sequence"),
    ("98765432109876", "sequence"),
    ("x" + "yz" * 600, "at most 1024"),
])
def test_weak_passwords_are_refused_saying_why(password, says):
    problem = weakness(password, 12)
    assert problem is not None and says in problem
    with pytest.raises(WeakPasswordError, match=says.split(";")[0][:20]):
        CHEAP.check_new(password)


def test_a_password_containing_the_login_name_is_refused():
    assert "login name" in weakness("my alice password 9", 12, login="Alice")
    assert weakness("my alice password 9", 12, login="bob") is None


def test_good_passwords_pass():
    for password in (GOOD, "Tr0ub4dor&3-plus", "ça ne se devine pas", "x" * 5 + "yz" * 6):
        assert weakness(password, 12) is None, password
    assert weakness("exactly 12ch", 12) is None
    assert weakness("exactly 12ch", 13) is not None


def test_the_hash_is_argon2id_with_the_configured_parameters():
    stored = CHEAP.hash(GOOD)
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (params.type, params.time_cost, params.memory_cost, params.parallelism) == (
        Type.ID, 1, 1024, 1)
    assert GOOD not in stored
    assert CHEAP.hash(GOOD) != stored  # salted


def test_verify_accepts_the_password_only():
    stored = CHEAP.hash(GOOD)
    assert CHEAP.verify(stored, GOOD) == (True, None)
    assert CHEAP.verify(stored, GOOD + " ") == (False, None)
    assert CHEAP.verify(stored, "") == (False, None)
    assert CHEAP.verify(stored, "x" * (MAX_LENGTH + 1)) == (False, None)
    assert CHEAP.verify("not a hash", GOOD) == (False, None)
    assert CHEAP.verify("$argon2id$v=19$m=1024,t=1,p=1$broken", GOOD) == (False, None)


def test_the_same_characters_typed_differently_match():
    composed = "café crème brûlée"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert CHEAP.verify(CHEAP.hash(composed), decomposed) == (True, None)


def test_a_hash_made_with_other_parameters_is_replaced_after_a_match():
    old = CHEAP.hash(GOOD)
    stronger = Passwords(min_length=12, time_cost=2, memory_cost=2048, parallelism=2)
    matches, new = stronger.verify(old, GOOD)
    assert matches and new is not None and new != old
    params = extract_parameters(new)
    assert (params.time_cost, params.memory_cost, params.parallelism) == (2, 2048, 2)
    assert stronger.verify(new, GOOD) == (True, None)
    # A wrong password never gets a new hash.
    assert stronger.verify(old, "wrong password here") == (False, None)


def test_unknown_users_are_checked_against_a_hash_with_the_same_cost():
    assert CHEAP.verify_unknown(GOOD) is False
    assert CHEAP.verify_unknown("") is False
    params = extract_parameters(CHEAP.dummy_hash)
    assert (params.time_cost, params.memory_cost, params.parallelism) == (1, 1024, 1)
    other = Passwords(time_cost=2, memory_cost=2048, parallelism=1)
    assert extract_parameters(other.dummy_hash).memory_cost == 2048


def test_the_settings_are_typed_bounded_and_read(tmp_path):
    settings = base_settings(f"sqlite:///{tmp_path / 'a.sqlite'}")
    normalize(settings)
    assert Passwords.from_settings(settings) == Passwords(12, 3, 65536, 4)
    settings = {**base_settings(f"sqlite:///{tmp_path / 'a.sqlite'}"),
                "podium.passwords.min_length": "16",
                "podium.passwords.argon2_time_cost": "2",
                "podium.passwords.argon2_memory_cost": "19456",
                "podium.passwords.argon2_parallelism": "1"}
    normalize(settings)
    assert Passwords.from_settings(settings) == Passwords(16, 2, 19456, 1)
    for key, value in (("podium.passwords.min_length", "4"),
                       ("podium.passwords.argon2_memory_cost", "lots"),
                       ("podium.passwords.argon2_parallelism", "0")):
        bad = {**base_settings(f"sqlite:///{tmp_path / 'a.sqlite'}"), key: value}
        with pytest.raises(SettingsError, match=key.replace(".", r"\.")):
            normalize(bad)


def test_the_default_cost_is_what_the_settings_say():
    """One real hash at the defaults (64 MiB, 3 passes, 4 lanes)."""
    stored = Passwords().hash(GOOD)
    params = extract_parameters(stored)
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)
