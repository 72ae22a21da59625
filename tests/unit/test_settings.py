from __future__ import annotations

import secrets

import pytest

from podium.settings.core import (
    DEFAULT_MAX_BODY_SIZE,
    DEVELOPMENT_ALLOWED_HOSTS,
    DEVELOPMENT_SECRET,
    apply_environment,
    normalize,
    secret_weakness,
)
from podium.settings.types import SettingsError

#: Production with the setting it cannot start without, for the tests of the others.
PRODUCTION = {"podium.environment": "production", "podium.allowed_hosts": "example.org"}


def settings(**values):
    base = {"sqlalchemy.url": "sqlite:///x.sqlite", "podium.secret": DEVELOPMENT_SECRET}
    base.update(values)
    return base


def test_environment_wins_over_the_ini():
    values = settings()
    apply_environment(values, {"PODIUM_DATABASE_URL": "postgresql+psycopg://db/app",
                               "PODIUM_SECRET": "s" * 40, "PODIUM_PLUGINS": "notes other"})
    normalize(values)
    assert values["sqlalchemy.url"] == "postgresql+psycopg://db/app"
    assert values["podium.secret"] == "s" * 40
    assert values["podium.plugins"] == ["notes", "other"]


def test_plugins_are_split_on_whitespace_and_newlines():
    values = settings(**{"podium.plugins": "\n notes\n  other third\n"})
    normalize(values)
    assert values["podium.plugins"] == ["notes", "other", "third"]


def test_defaults_are_typed():
    values = settings()
    normalize(values)
    assert values["podium.environment"] == "development"
    assert values["retry.attempts"] == 3
    assert values["podium.show_tracebacks"] is False
    assert values["podium.max_body_size"] == DEFAULT_MAX_BODY_SIZE == 1048576


def test_the_body_size_limit_comes_from_the_environment():
    values = settings()
    apply_environment(values, {"PODIUM_MAX_BODY_SIZE": "52428800"})
    normalize(values)
    assert values["podium.max_body_size"] == 50 * 2**20


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("podium.environment", "staging", "expected one of development, production"),
        ("retry.attempts", "many", "expected a whole number"),
        ("retry.attempts", "0", "expected a whole number >= 1"),
        ("podium.show_tracebacks", "maybe", "expected true or false"),
        ("podium.max_body_size", "1MB", "expected a whole number"),
        ("podium.max_body_size", "0", "expected a whole number >= 1"),
    ],
)
def test_a_bad_value_names_key_value_and_what_is_allowed(key, value, allowed):
    with pytest.raises(SettingsError) as info:
        normalize(settings(**{key: value}))
    assert str(info.value) == f"setting {key} = {value!r} is not valid: {allowed}"


def test_a_missing_database_url_says_where_to_set_it():
    with pytest.raises(SettingsError, match="PODIUM_DATABASE_URL"):
        normalize({"podium.secret": DEVELOPMENT_SECRET})


@pytest.mark.parametrize("secret", [None, DEVELOPMENT_SECRET])
def test_production_refuses_a_missing_or_default_secret(secret):
    values = settings(**{**PRODUCTION, "podium.secret": secret})
    with pytest.raises(SettingsError) as info:
        normalize(values)
    assert "podium.secret" in str(info.value) and "PODIUM_SECRET" in str(info.value)


def test_production_refuses_a_short_secret():
    values = settings(**{**PRODUCTION, "podium.secret": "short"})
    with pytest.raises(SettingsError, match="at least 32 characters") as info:
        normalize(values)
    assert "secrets.token_urlsafe(48)" in str(info.value)


#: 64 characters drawn from 7 (about 180 bits by the estimate).
SEVEN_CHARACTERS = "eu###aiao#oo!o#eaoa#oou##a!oi!#euaiaaa!uao!eo!aue#ooueie!e#oiao#"


@pytest.mark.parametrize("secret", [
    "a" * 32,
    "password" * 4,
    "12345678901234567890123456789012",
    "1234567890" * 5,  # long enough for the estimate, but a repeat
    "abcdefghijklmnopqrstuvwxyz012345",  # all distinct, but a run
    "aAbBcCdD" * 6,  # a repeat of 8 distinct characters
    SEVEN_CHARACTERS,  # enough for the estimate, but few distinct characters
    "my-super-secret-session-key-2024!",
    "correcthorsebatterystaplecorrect",
])
def test_production_refuses_a_weak_secret(secret):
    values = settings(**{**PRODUCTION, "podium.secret": secret})
    with pytest.raises(SettingsError) as info:
        normalize(values)
    message = str(info.value)
    assert message.startswith("setting podium.secret = ") and "too easy to guess" in message
    assert "export PODIUM_SECRET=$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
        in message
    assert secret not in message  # the value itself is never shown


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(48),
                                  lambda: secrets.token_urlsafe(32), lambda: secrets.token_hex(32)],
                         ids=["token_urlsafe(48)", "token_urlsafe(32)", "token_hex(32)"])
def test_production_accepts_a_generated_secret(make):
    for _ in range(100):
        secret = make()
        values = settings(**{**PRODUCTION, "podium.secret": secret})
        normalize(values)
        assert values["podium.secret"] == secret


def test_each_weakness_is_named():
    assert secret_weakness("password" * 4) == "it repeats its first 8 characters"
    assert "follow each other in order" in secret_weakness("abcdefghijklmnopqrstuvwxyz012345")
    assert "7 distinct characters, fewer than 8" in secret_weakness(SEVEN_CHARACTERS)
    assert "about 105 bits" in secret_weakness("correcthorsebatterystaplecorrect")
    assert secret_weakness(secrets.token_urlsafe(48)) is None


def test_production_refuses_tracebacks():
    values = settings(**{**PRODUCTION,
                         "podium.secret": secrets.token_urlsafe(48),
                         "podium.show_tracebacks": "true"})
    with pytest.raises(SettingsError, match=r"podium\.show_tracebacks"):
        normalize(values)


def test_development_without_a_secret_gets_a_random_one():
    one, two = settings(**{"podium.secret": None}), settings(**{"podium.secret": None})
    normalize(one)
    normalize(two)
    assert len(one["podium.secret"]) >= 32 and one["podium.secret"] != two["podium.secret"]


def test_allowed_hosts_are_read_in_the_form_requests_are_compared_to():
    values = settings(**{"podium.allowed_hosts": "Example.ORG. .Example.net *.b.example.com\n"
                                                 "192.0.2.1 [0:0::1] [2001:DB8::0:1]"})
    normalize(values)
    assert values["podium.allowed_hosts"] == [
        "example.org", ".example.net", "*.b.example.com", "192.0.2.1", "[::1]", "[2001:db8::1]"]


def test_development_answers_to_loopback_when_allowed_hosts_is_unset():
    values = settings()
    normalize(values)
    assert values["podium.allowed_hosts"] == list(DEVELOPMENT_ALLOWED_HOSTS) \
        == ["localhost", "127.0.0.1", "[::1]"]


@pytest.mark.parametrize("value", [None, "", "  "])
def test_production_refuses_to_start_without_allowed_hosts(value):
    values = settings(**{"podium.environment": "production", "podium.allowed_hosts": value,
                         "podium.secret": secrets.token_urlsafe(48)})
    with pytest.raises(SettingsError) as info:
        normalize(values)
    message = str(info.value)
    assert message.startswith("setting podium.allowed_hosts = (missing) is not valid: "
                              "production needs the host names this site answers to, "
                              "e.g. PODIUM_ALLOWED_HOSTS='example.org www.example.org'")
    assert ".example.org for a domain and its subdomains" in message


def test_allowed_hosts_come_from_the_environment():
    values = settings(**{"podium.environment": "production", "podium.allowed_hosts": "ini.org",
                         "podium.secret": secrets.token_urlsafe(48)})
    apply_environment(values, {"PODIUM_ALLOWED_HOSTS": "example.org www.example.org"})
    normalize(values)
    assert values["podium.allowed_hosts"] == ["example.org", "www.example.org"]


@pytest.mark.parametrize(("entry", "allowed"), [
    ("*", "* would let any Host through"),
    (".", ". would let any Host through"),
    ("http://example.org", "a host name without scheme, port or path"),
    ("example.org:8080", "a host name without scheme, port or path"),
    ("example.org/site", "a host name without scheme, port or path"),
    ("::1", "a host name without scheme, port or path"),
    ("[::g]", "not an IPv6 address"),
    ("exa$mple.org", "not a host name"),
    ("www.*.example.org", "not a host name"),
    ("..example.org", "not a host name"),
])
def test_a_bad_allowed_host_names_the_entry_and_what_is_allowed(entry, allowed):
    with pytest.raises(SettingsError) as info:
        normalize(settings(**{"podium.allowed_hosts": f"example.org {entry}"}))
    message = str(info.value)
    assert message.startswith(f"setting podium.allowed_hosts = {entry!r} is not valid: {allowed}")
    assert "IPv6 addresses in brackets ([::1])" in message
