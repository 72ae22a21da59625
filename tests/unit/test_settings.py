from __future__ import annotations

import pytest

from podium.settings.core import (
    DEFAULT_MAX_BODY_SIZE,
    DEVELOPMENT_SECRET,
    apply_environment,
    normalize,
)
from podium.settings.types import SettingsError


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
    values = settings(**{"podium.environment": "production", "podium.secret": secret})
    with pytest.raises(SettingsError) as info:
        normalize(values)
    assert "podium.secret" in str(info.value) and "PODIUM_SECRET" in str(info.value)


def test_production_refuses_a_short_secret():
    values = settings(**{"podium.environment": "production", "podium.secret": "short"})
    with pytest.raises(SettingsError, match="at least 32 characters"):
        normalize(values)


def test_production_refuses_tracebacks():
    values = settings(**{"podium.environment": "production", "podium.secret": "k" * 40,
                         "podium.show_tracebacks": "true"})
    with pytest.raises(SettingsError, match=r"podium\.show_tracebacks"):
        normalize(values)


def test_development_without_a_secret_gets_a_random_one():
    one, two = settings(**{"podium.secret": None}), settings(**{"podium.secret": None})
    normalize(one)
    normalize(two)
    assert len(one["podium.secret"]) >= 32 and one["podium.secret"] != two["podium.secret"]
