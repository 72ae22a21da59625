"""Core settings: declared once, overridden from the environment, validated.

Every setting Podium reads is declared here with its type, default and
meaning, so that a bad value stops start-up with a message that names the
key, the value and what is allowed, instead of failing later in a request.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
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


def as_str(key: str, value: Any) -> str:
    return str(value).strip()


def as_float(key: str, value: Any) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        raise SettingsError(key, value, "expected a number") from None


#: Plain Python types a plugin author may give as a setting's type.
CONVERTERS: dict[Any, Callable[[str, Any], Any]] = {
    str: as_str,
    int: as_int,
    float: as_float,
    bool: as_bool,
    list: as_words,
}

TYPE_NAMES = {str: "text", int: "whole number", float: "number", bool: "true/false",
              list: "list of words"}


@dataclass(frozen=True)
class Setting:
    """One declared setting: where it lives, how to read it, what it means.

    ``convert`` is ``str``, ``int``, ``float``, ``bool`` or ``list``, or a
    function ``(key, raw_value) -> value`` that raises :class:`SettingsError`.
    A plugin's keys are relative to its namespace (``page_size`` is read
    from ``notes.page_size``); the core's are absolute.
    """

    key: str
    convert: Any = str
    default: Any = None
    description: str = ""
    env: str | None = None
    secret: bool = False
    required: bool = False
    choices: tuple[Any, ...] = ()
    minimum: float | None = None

    def parse(self, key: str, raw: Any) -> Any:
        """Convert ``raw`` (a string from an ini file or the environment)."""
        convert = CONVERTERS.get(self.convert, self.convert)
        value = convert(key, raw)
        if self.minimum is not None and value < self.minimum:
            raise SettingsError(key, raw, f"expected a {self.type_name} >= {self.minimum:g}")
        if self.choices and value not in self.choices:
            allowed = ", ".join(str(c) for c in self.choices)
            raise SettingsError(key, raw, f"expected one of {allowed}")
        return value

    @property
    def type_name(self) -> str:
        if self.choices:
            return "one of " + ", ".join(str(c) for c in self.choices)
        return TYPE_NAMES.get(self.convert, getattr(self.convert, "__name__", "value"))


def asset_overrides(key: str, value: Any) -> Any:
    """``TARGET = SOURCE`` lines (see podium.assets.overrides.parse_setting)."""
    from .assets.overrides import parse_setting  # imported late: it imports this module

    return parse_setting(key, value)


CORE_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "podium.environment",
        str,
        "development",
        "production turns on the checks and cookie flags a public deployment needs",
        env="PODIUM_ENVIRONMENT",
        choices=("development", "production"),
    ),
    Setting(
        "podium.plugins",
        list,
        [],
        "plugin names to enable, separated by spaces or newlines, or * for all installed",
        env="PODIUM_PLUGINS",
    ),
    Setting(
        "podium.read_environment",
        bool,
        True,
        "false ignores PODIUM_* environment variables (test suites and embedding apps "
        "that pass every setting themselves)",
    ),
    Setting(
        "podium.on_plugin_error",
        str,
        "raise",
        "raise stops start-up on any plugin problem; skip logs it and starts without "
        "that plugin and the plugins that require it",
        env="PODIUM_ON_PLUGIN_ERROR",
        choices=("raise", "skip"),
    ),
    Setting(
        "sqlalchemy.url",
        str,
        None,
        "SQLAlchemy database URL, e.g. sqlite:///var/podium.sqlite or postgresql+psycopg://...",
        env="PODIUM_DATABASE_URL",
    ),
    Setting(
        "podium.secret",
        str,
        None,
        "secret that signs session cookies; at least 32 random characters in production",
        env="PODIUM_SECRET",
        secret=True,
    ),
    Setting(
        "podium.sqlite_busy_timeout",
        int,
        5000,
        "milliseconds a SQLite connection waits for a lock before failing",
        minimum=0,
    ),
    Setting(
        "podium.show_tracebacks",
        bool,
        False,
        "show tracebacks on 500 pages (development only; refused in production)",
    ),
    Setting(
        "podium.asset_overrides",
        asset_overrides,
        (),
        "asset overrides, one 'TARGET = SOURCE' per line (asset specs or absolute paths)",
    ),
    Setting(
        "retry.attempts",
        int,
        3,
        "how many times pyramid_retry runs a request that failed with a retryable error",
        minimum=1,
    ),
    Setting(
        "podium.db.require_current",
        bool,
        False,
        "refuse to start when the database is not at the installed migrations "
        "(the test of podium db check); on in production.ini",
        env="PODIUM_DB_REQUIRE_CURRENT",
    ),
    Setting(
        "podium.db.retry_after",
        int,
        2,
        "seconds a 503 (database busy after every retry, or unreachable) asks "
        "clients to wait, in its Retry-After header",
        minimum=0,
    ),
)


def apply_environment(settings: MutableMapping[str, Any], environ: Mapping[str, str]) -> None:
    """Environment variables win over the ini file, so that secrets and URLs
    never have to be written into a file that is committed."""
    for setting in CORE_SETTINGS:
        if setting.env and setting.env in environ:
            settings[setting.key] = environ[setting.env]


class SettingsErrors(SettingsError):
    """Several bad settings at once, so that one edit of the ini fixes them all."""

    def __init__(self, errors: list[SettingsError]):
        self.errors = errors
        self.key, self.value, self.allowed = errors[0].key, errors[0].value, errors[0].allowed
        ValueError.__init__(
            self, f"{len(errors)} settings are not valid:\n" + "\n".join(f"  - {e}" for e in errors)
        )


def check(settings: MutableMapping[str, Any]) -> list[SettingsError]:
    """Type every core setting in place and return every problem found."""
    problems: list[SettingsError] = []
    for setting in CORE_SETTINGS:
        raw = settings.get(setting.key)
        blank = isinstance(raw, str) and raw.strip() == ""
        if raw is None or (blank and setting.default is not None):
            settings[setting.key] = setting.default
            continue
        try:
            settings[setting.key] = setting.parse(setting.key, raw)
        except SettingsError as exc:
            problems.append(exc)
            settings[setting.key] = setting.default
    if not settings.get("sqlalchemy.url"):
        problems.append(SettingsError(
            "sqlalchemy.url",
            None,
            "set it in the ini file or in PODIUM_DATABASE_URL, "
            "e.g. sqlite:///%(here)s/var/podium.sqlite",
        ))
    problems.extend(unknown_core_keys(settings))
    if not problems:
        try:
            _check_secret(settings)
        except SettingsError as exc:
            problems.append(exc)
    return problems


def unknown_core_keys(settings: Mapping[str, Any]) -> list[SettingsError]:
    """A misspelt ``podium.*`` key would otherwise be ignored without a word."""
    known = [s.key for s in CORE_SETTINGS if s.key.startswith("podium.")]
    problems = []
    for key in sorted(k for k in settings if k.startswith("podium.")):
        if key in known or re.fullmatch(r"podium\.plugin\.[^.]+\.route_prefix", key):
            continue
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean {close[0]}?" if close else "see README.md for the core settings"
        problems.append(SettingsError(key, settings[key], f"not a Podium setting; {hint}"))
    return problems


def normalize(settings: MutableMapping[str, Any]) -> None:
    """Replace raw strings by typed values, filling in defaults; raise on problems."""
    problems = check(settings)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise SettingsErrors(problems)


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


def load_settings(config_uri: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The app's settings from an ini file, as ``main`` would see them."""
    from pyramid.paster import get_appsettings

    path = config_uri.split("#", 1)[0]
    if not os.path.exists(path):
        raise FileNotFoundError(f"configuration file {path} does not exist")
    settings = dict(get_appsettings(config_uri))
    apply_environment(settings, os.environ if environ is None else environ)
    normalize(settings)
    return settings


def environment_for(settings: Mapping[str, Any]) -> Mapping[str, str]:
    """The environment variables that may override ``settings``."""
    if as_bool("podium.read_environment", settings.get("podium.read_environment", True)):
        return os.environ
    return {}


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    apply_environment(settings, environment_for(settings))
    normalize(settings)
    # Production never runs Pyramid's debugging aids, whatever the ini says.
    if settings["podium.environment"] == "production":
        for key in ("pyramid.reload_templates", "pyramid.debug_authorization",
                    "pyramid.debug_notfound", "pyramid.debug_routematch"):
            settings[key] = False
