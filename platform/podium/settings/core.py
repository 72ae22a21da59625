"""Core settings: declared once, overridden from the environment, validated.

Every setting Podium reads is declared here with its type, default and
meaning, so that a bad value stops start-up with a message that names the
key, the value and what is allowed, instead of failing later in a request.
"""

from __future__ import annotations

import difflib
import ipaddress
import itertools
import logging
import math
import os
import re
import secrets
from collections import Counter
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from pyramid.config import Configurator

from .types import Setting, SettingsError, SettingsErrors, as_bool

log = logging.getLogger(__name__)

#: The session secret shipped in development.ini; refused in production.
DEVELOPMENT_SECRET = "podium-development-secret-do-not-use-in-production"
MIN_PRODUCTION_SECRET_LENGTH = 32
#: The estimate a production secret must reach (see :func:`secret_weakness`).
MIN_PRODUCTION_SECRET_BITS = 128
MIN_PRODUCTION_SECRET_DISTINCT = 8
MAKE_A_SECRET = ("export PODIUM_SECRET="
                 "$(python -c 'import secrets; print(secrets.token_urlsafe(48))')")
DEFAULT_MAX_BODY_SIZE = 1024 * 1024
#: What development answers to when podium.allowed_hosts is not set.
DEVELOPMENT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "[::1]")
_HOST_ENTRY = re.compile(r"(?:\.|\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
HOST_ENTRIES = ("host names (example.org), .example.org for a domain and its subdomains, "
                "*.example.org for its subdomains only, IPv4 addresses, or IPv6 addresses "
                "in brackets ([::1]), separated by spaces")


@dataclass(frozen=True)
class OverrideLine:
    """One ``TARGET = SOURCE`` entry of the ``podium.asset_overrides`` setting."""

    number: int
    target: str
    source: str

    def __str__(self) -> str:
        return f"{self.target} = {self.source}"


def parse_asset_overrides(key: str, value: Any) -> tuple[OverrideLine, ...]:
    """Read ``podium.asset_overrides``: one ``TARGET = SOURCE`` per line.

    Blank lines and lines starting with ``#`` are skipped; entries are
    numbered from 1 in the order written, which is also their precedence
    order (a later entry wins over an earlier one that overlaps it)."""
    if isinstance(value, (tuple, list)) and all(isinstance(v, OverrideLine) for v in value):
        return tuple(value)
    entries: list[OverrideLine] = []
    for raw in str(value or "").splitlines():
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        target, sep, source = (part.strip() for part in text.partition("="))
        number = len(entries) + 1
        if not sep or not target or not source:
            raise SettingsError(key, text, f"entry {number}: expected one 'TARGET = SOURCE' "
                                "per line, e.g. podium:templates/layout.jinja2 = "
                                "mysite:templates/layout.jinja2")
        if ":" not in target:
            raise SettingsError(key, text, f"entry {number}: the target {target!r} must be an "
                                "asset spec, package:path")
        if ":" not in source and not os.path.isabs(source):
            raise SettingsError(key, text, f"entry {number}: the source {source!r} must be an "
                                "asset spec (package:path) or an absolute path (%(here)s/...)")
        entries.append(OverrideLine(number, target, source))
    return tuple(entries)


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
        "secret that signs session cookies; in production at least 32 characters and "
        "not guessable (no repeats, sequences or few distinct characters)",
        env="PODIUM_SECRET",
        secret=True,
    ),
    Setting(
        "podium.max_body_size",
        int,
        DEFAULT_MAX_BODY_SIZE,
        "largest request body accepted, in bytes; a larger one is answered 413 before it "
        "is read (a view's max_body_size option raises it for the view's route)",
        env="PODIUM_MAX_BODY_SIZE",
        minimum=1,
    ),
    Setting(
        "podium.sqlite_busy_timeout",
        int,
        5000,
        "milliseconds a SQLite connection waits for a lock before failing",
        minimum=0,
    ),
    Setting(
        "podium.sqlite_synchronous",
        str,
        "FULL",
        "SQLite's synchronous mode: FULL loses no acknowledged write on a power loss or an "
        "operating-system crash; NORMAL is faster and may lose the last commits then",
        env="PODIUM_SQLITE_SYNCHRONOUS",
        choices=("FULL", "NORMAL"),
    ),
    Setting(
        "podium.allowed_hosts",
        list,
        [],
        "host names this site answers to (Host header, port ignored), e.g. example.org "
        "www.example.org; .example.org allows it and its subdomains, *.example.org its "
        "subdomains only; required in production, localhost 127.0.0.1 [::1] in development "
        "when unset; other hosts get a 400",
        env="PODIUM_ALLOWED_HOSTS",
    ),
    Setting(
        "podium.show_tracebacks",
        bool,
        False,
        "show tracebacks on 500 pages (development only; refused in production)",
    ),
    Setting(
        "podium.asset_overrides",
        parse_asset_overrides,
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
        "seconds a 503 (database busy after every retry, unreachable or out of disk) asks "
        "clients to wait, in its Retry-After header",
        minimum=0,
    ),
    # Accounts (podium.accounts): argon2id's cost, checked on every login, and the
    # rules a new password must pass.  Changing a cost rehashes each password at
    # its owner's next successful login.
    Setting(
        "podium.passwords.min_length",
        int,
        12,
        "fewest characters a new password may have (podium users add and passwd refuse "
        "shorter ones)",
        env="PODIUM_PASSWORDS_MIN_LENGTH",
        minimum=8,
        maximum=256,
    ),
    Setting(
        "podium.passwords.argon2_time_cost",
        int,
        3,
        "argon2id passes over memory per password hash (more is slower to check and to attack)",
        env="PODIUM_PASSWORDS_ARGON2_TIME_COST",
        minimum=1,
        maximum=100,
    ),
    Setting(
        "podium.passwords.argon2_memory_cost",
        int,
        65536,
        "argon2id memory per password hash, in KiB (65536 is 64 MiB; each login in progress "
        "holds that much)",
        env="PODIUM_PASSWORDS_ARGON2_MEMORY_COST",
        minimum=1024,
        maximum=4 * 1024 * 1024,
    ),
    Setting(
        "podium.passwords.argon2_parallelism",
        int,
        4,
        "argon2id lanes (threads) per password hash",
        env="PODIUM_PASSWORDS_ARGON2_PARALLELISM",
        minimum=1,
        maximum=64,
    ),
    # Login throttling (podium.accounts.throttle): failed logins are counted in the
    # database over a sliding window, per login name and per client address.
    Setting(
        "podium.login.throttle_window",
        int,
        900,
        "seconds over which failed logins are counted; a throttled client is told to "
        "wait (Retry-After) until enough of them are older than this",
        env="PODIUM_LOGIN_THROTTLE_WINDOW",
        minimum=1,
        maximum=7 * 24 * 60 * 60,
    ),
    Setting(
        "podium.login.throttle_per_account",
        int,
        5,
        "failed logins for one login name within the window after which its logins are "
        "refused (429) without checking the password, whatever the address",
        env="PODIUM_LOGIN_THROTTLE_PER_ACCOUNT",
        minimum=1,
        maximum=10_000,
    ),
    Setting(
        "podium.login.throttle_per_address",
        int,
        50,
        "failed logins from one client address (an IPv6 /64) within the window after "
        "which its logins are refused (429), whatever the name; higher than per account "
        "because many people may share an address",
        env="PODIUM_LOGIN_THROTTLE_PER_ADDRESS",
        minimum=1,
        maximum=1_000_000,
    ),
    # The JSON API layer's pagination (podium.jsonapi.pagination): what a list
    # answers without ?per_page=, and the most a client may ask for.
    Setting(
        "podium.api.default_per_page",
        int,
        20,
        "items per page of a JSON API list when the request gives no per_page "
        "(at most podium.api.max_per_page)",
        env="PODIUM_API_DEFAULT_PER_PAGE",
        minimum=1,
        maximum=10_000,
    ),
    Setting(
        "podium.api.max_per_page",
        int,
        100,
        "the largest per_page a JSON API list accepts; more is refused with a 400, "
        "not cut silently",
        env="PODIUM_API_MAX_PER_PAGE",
        minimum=1,
        maximum=10_000,
    ),
    Setting(
        "podium.health.cache_ms",
        int,
        1000,
        "milliseconds GET /health repeats its last answer before asking the database "
        "again (0: every probe asks)",
        env="PODIUM_HEALTH_CACHE_MS",
        minimum=0,
        maximum=60_000,
    ),
)

#: ``podium.roles.<role> = perm1 perm2``: the permissions a role gives (read by
#: :func:`role_permissions`); ``admin`` has every permission and is not configured.
ROLE_KEY = re.compile(r"podium\.roles\.(.+)")
_ROLE_NAME = re.compile(r"[a-z][a-z0-9_.-]*")
_PERMISSION_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")
ADMIN_ROLE = "admin"


def parse_role_permissions(key: str, value: Any) -> tuple[str, ...]:
    """One ``podium.roles.<role>`` setting: its permission names, checked."""
    match = ROLE_KEY.fullmatch(key)
    role = match.group(1) if match else key
    if not _ROLE_NAME.fullmatch(role):
        raise SettingsError(key, value, f"the role name {role!r} must be lower-case letters, "
                            "digits and _ . - starting with a letter, as podium users grant "
                            "accepts")
    if role == ADMIN_ROLE:
        raise SettingsError(key, value, "the admin role has every permission; it is not "
                            "configured")
    words = value if isinstance(value, (tuple, list)) else str(value or "").split()
    for word in words:
        if not _PERMISSION_NAME.fullmatch(str(word)):
            raise SettingsError(key, value, f"{word!r} is not a permission name: expected "
                                "dotted lower-case names such as notes.view, separated by "
                                "spaces")
    return tuple(dict.fromkeys(str(w) for w in words))


def role_permissions(settings: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Every configured role and the permissions it gives (typed settings)."""
    return {match.group(1): frozenset(value) for key, value in settings.items()
            if (match := ROLE_KEY.fullmatch(key)) and isinstance(value, tuple)}


def apply_environment(settings: MutableMapping[str, Any], environ: Mapping[str, str]) -> None:
    """Environment variables win over the ini file, so that secrets and URLs
    never have to be written into a file that is committed."""
    for setting in CORE_SETTINGS:
        if setting.env and setting.env in environ:
            settings[setting.key] = environ[setting.env]


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
    for key in [k for k in settings if ROLE_KEY.fullmatch(k)]:
        try:
            settings[key] = parse_role_permissions(key, settings[key])
        except SettingsError as exc:
            problems.append(exc)
    problems.extend(unknown_core_keys(settings))
    if not problems:
        try:
            _check_secret(settings)
        except SettingsError as exc:
            problems.append(exc)
    try:
        _check_allowed_hosts(settings)
    except SettingsError as exc:
        problems.append(exc)
    return problems


def allowed_host_entry(key: str, entry: str) -> str:
    """One entry of ``podium.allowed_hosts`` in the form requests are compared to."""
    text = entry.strip().lower()
    if text in ("*", ".", "*."):
        raise SettingsError(key, entry, f"{text} would let any Host through, which is what "
                            f"the setting prevents; expected {HOST_ENTRIES}")
    if text.startswith("[") and text.endswith("]"):
        try:
            return f"[{ipaddress.IPv6Address(text[1:-1]).compressed}]"
        except ValueError:
            raise SettingsError(key, entry, f"not an IPv6 address; expected {HOST_ENTRIES}") \
                from None
    if "/" in text or ":" in text:
        raise SettingsError(key, entry, "a host name without scheme, port or path "
                            "(the port of a request is not checked); expected " + HOST_ENTRIES)
    text = text.removesuffix(".")
    if not _HOST_ENTRY.fullmatch(text):
        raise SettingsError(key, entry, f"not a host name; expected {HOST_ENTRIES}")
    return text


def _check_allowed_hosts(settings: MutableMapping[str, Any]) -> None:
    """A public site must name its hosts: any Host it answers to ends up in its links."""
    key = "podium.allowed_hosts"
    hosts = [allowed_host_entry(key, entry) for entry in settings.get(key) or ()]
    if not hosts:
        if settings.get("podium.environment") == "production":
            raise SettingsError(key, None, "production needs the host names this site answers "
                                "to, e.g. PODIUM_ALLOWED_HOSTS='example.org www.example.org'; "
                                f"expected {HOST_ENTRIES}")
        hosts = list(DEVELOPMENT_ALLOWED_HOSTS)
    settings[key] = hosts


def unknown_core_keys(settings: Mapping[str, Any]) -> list[SettingsError]:
    """A misspelt ``podium.*`` key would otherwise be ignored without a word."""
    known = [s.key for s in CORE_SETTINGS if s.key.startswith("podium.")]
    problems = []
    for key in sorted(k for k in settings if k.startswith("podium.")):
        if key in known or re.fullmatch(r"podium\.plugin\.[^.]+\.route_prefix", key):
            continue
        if ROLE_KEY.fullmatch(key):
            continue  # podium.roles.<role>, checked by check()
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


def secret_weakness(secret: str) -> str | None:
    """Why ``secret`` looks made by a person rather than drawn at random, or None.

    Length alone let ``'a' * 32`` and ``'password' * 4`` through.  The
    estimate is the Shannon entropy of the secret's characters times its
    length: it undercounts a random string (a sample never looks perfectly
    uniform), so a generated secret of the recommended length passes with a
    wide margin, while repeats and small alphabets fall short.  Periods and
    runs are checked apart because a string can reach the estimate and still
    be guessable (``'1234567890' * 5``, ``'abc...xyz012345'``)."""
    length = len(secret)
    for period in range(1, length // 2 + 1):
        if secret[period:] == secret[:-period]:
            return f"it repeats its first {period} characters"
    steps = sum(abs(ord(b) - ord(a)) <= 1 for a, b in itertools.pairwise(secret))
    if steps * 2 > length - 1:
        return "most of its characters follow each other in order (like abcd or 1234)"
    counts = Counter(secret)
    if len(counts) < MIN_PRODUCTION_SECRET_DISTINCT:
        return (f"it has {len(counts)} distinct characters, fewer than "
                f"{MIN_PRODUCTION_SECRET_DISTINCT}")
    bits = -sum(n * math.log2(n / length) for n in counts.values())
    if bits < MIN_PRODUCTION_SECRET_BITS:
        return (f"its characters carry about {bits:.0f} bits (Shannon entropy times length), "
                f"fewer than {MIN_PRODUCTION_SECRET_BITS}")
    return None


def _check_secret(settings: MutableMapping[str, Any]) -> None:
    secret = settings.get("podium.secret")
    production = settings["podium.environment"] == "production"
    if production:
        if not secret or secret == DEVELOPMENT_SECRET:
            raise SettingsError(
                "podium.secret",
                "(the development default)" if secret else None,
                f"production needs a secret of its own: {MAKE_A_SECRET}",
            )
        if len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
            raise SettingsError(
                "podium.secret",
                f"({len(secret)} characters)",
                f"production needs at least {MIN_PRODUCTION_SECRET_LENGTH} characters: "
                f"{MAKE_A_SECRET}",
            )
        weakness = secret_weakness(secret)
        if weakness:
            # The value itself is never shown: it may be a real password.
            raise SettingsError(
                "podium.secret",
                f"({len(secret)} characters)",
                f"too easy to guess: {weakness}; production needs a random secret: "
                f"{MAKE_A_SECRET}",
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
    from .sources import record_sources

    settings = config.get_settings()
    record_sources(config.registry, settings, environment_for(settings))
    apply_environment(settings, environment_for(settings))
    normalize(settings)
    # Production never runs Pyramid's debugging aids, whatever the ini says.
    if settings["podium.environment"] == "production":
        for key in ("pyramid.reload_templates", "pyramid.debug_authorization",
                    "pyramid.debug_notfound", "pyramid.debug_routematch"):
            settings[key] = False
