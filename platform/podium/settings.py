"""Core settings: declared once, overridden from the environment, validated.

Every setting Podium reads is declared here with its type, default and
meaning, so that a bad value stops start-up with a message that names the
key, the value and what is allowed, instead of failing later in a request.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from pyramid.config import Configurator

log = logging.getLogger(__name__)

#: The session secret shipped in development.ini; refused in production.
DEVELOPMENT_SECRET = "podium-development-secret-do-not-use-in-production"
MIN_PRODUCTION_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """A setting has a value Podium cannot use.

    The message always says which key, which value and what is allowed.
    """

    def __init__(self, key: str, value: Any, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        shown = "(missing)" if value is None else repr(value)
        super().__init__(f"setting {key} = {shown} is not valid: {allowed}")


def as_bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0", ""):
        return False
    raise SettingsError(key, value, "expected true or false")


def as_int(key: str, value: Any, minimum: int | None = None) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SettingsError(key, value, "expected a whole number") from None
    if minimum is not None and number < minimum:
        raise SettingsError(key, value, f"expected a whole number >= {minimum}")
    return number


def as_words(key: str, value: Any) -> list[str]:
    """A whitespace- or newline-separated list, as Pyramid's aslist does."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value or "").split()


def as_choice(choices: tuple[str, ...]) -> Callable[[str, Any], str]:
    def convert(key: str, value: Any) -> str:
        text = str(value).strip()
        if text not in choices:
            raise SettingsError(key, value, "expected one of " + ", ".join(choices))
        return text

    return convert


@dataclass(frozen=True)
class Setting:
    """One declared setting: where it lives, how to read it, what it means."""

    key: str
    convert: Callable[[str, Any], Any]
    default: Any
    description: str
    env: str | None = None
    secret: bool = False


CORE_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "podium.environment",
        as_choice(("development", "production")),
        "development",
        "production turns on the checks and cookie flags a public deployment needs",
        env="PODIUM_ENVIRONMENT",
    ),
    Setting(
        "podium.plugins",
        as_words,
        [],
        "plugin names to enable, separated by spaces or newlines, or * for all installed",
        env="PODIUM_PLUGINS",
    ),
    Setting(
        "sqlalchemy.url",
        lambda key, value: str(value).strip(),
        None,
        "SQLAlchemy database URL, e.g. sqlite:///var/podium.sqlite or postgresql+psycopg://...",
        env="PODIUM_DATABASE_URL",
    ),
    Setting(
        "podium.secret",
        lambda key, value: str(value),
        None,
        "secret that signs session cookies; at least 32 random characters in production",
        env="PODIUM_SECRET",
        secret=True,
    ),
    Setting(
        "podium.sqlite_busy_timeout",
        lambda key, value: as_int(key, value, minimum=0),
        5000,
        "milliseconds a SQLite connection waits for a lock before failing",
    ),
    Setting(
        "podium.show_tracebacks",
        as_bool,
        False,
        "show tracebacks on 500 pages (development only; refused in production)",
    ),
    Setting(
        "retry.attempts",
        lambda key, value: as_int(key, value, minimum=1),
        3,
        "how many times pyramid_retry runs a request that failed with a retryable error",
    ),
)


def apply_environment(settings: MutableMapping[str, Any], environ: Mapping[str, str]) -> None:
    """Environment variables win over the ini file, so that secrets and URLs
    never have to be written into a file that is committed."""
    for setting in CORE_SETTINGS:
        if setting.env and setting.env in environ:
            settings[setting.key] = environ[setting.env]


def normalize(settings: MutableMapping[str, Any]) -> None:
    """Replace raw strings by typed values, filling in defaults."""
    for setting in CORE_SETTINGS:
        raw = settings.get(setting.key)
        blank = isinstance(raw, str) and raw.strip() == ""
        if raw is None or (blank and setting.default is not None):
            settings[setting.key] = setting.default
        else:
            settings[setting.key] = setting.convert(setting.key, raw)
    if not settings.get("sqlalchemy.url"):
        raise SettingsError(
            "sqlalchemy.url",
            None,
            "set it in the ini file or in PODIUM_DATABASE_URL, "
            "e.g. sqlite:///%(here)s/var/podium.sqlite",
        )
    _check_secret(settings)


def _check_secret(settings: MutableMapping[str, Any]) -> None:
    secret = settings.get("podium.secret")
    production = settings["podium.environment"] == "production"
    if production:
        if not secret or secret == DEVELOPMENT_SECRET:
            raise SettingsError(
                "podium.secret",
                "(the development default)" if secret else None,
                "production needs a secret of its own: export PODIUM_SECRET="
                "$(python -c 'import secrets; print(secrets.token_urlsafe(48))')",
            )
        if len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
            raise SettingsError(
                "podium.secret",
                f"({len(secret)} characters)",
                f"production needs at least {MIN_PRODUCTION_SECRET_LENGTH} characters",
            )
        if settings["podium.show_tracebacks"]:
            raise SettingsError(
                "podium.show_tracebacks", True, "must be false when podium.environment = production"
            )
    elif not secret:
        # Development only: sessions last as long as the process.
        log.warning("podium.secret is not set: using a random secret for this process")
        settings["podium.secret"] = secrets.token_urlsafe(48)


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    apply_environment(settings, os.environ)
    normalize(settings)
    # Production never runs Pyramid's debugging aids, whatever the ini says.
    if settings["podium.environment"] == "production":
        for key in ("pyramid.reload_templates", "pyramid.debug_authorization",
                    "pyramid.debug_notfound", "pyramid.debug_routematch"):
            settings[key] = False
