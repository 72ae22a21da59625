"""Podium itself: the real platform app, ``podium.main({}, **settings)``, with
the ``bench`` plugin (``plugins/podium_bench``) enabled.

Its settings are production.ini's ``[app:main]``, as an operator would run it,
with the database, the plugin list and a secret replaced: what is measured is
the platform as deployed, not a tuned variant.  production.ini sets
``podium.db.require_current``, so the harness first migrates each fresh
database the way an operator does, with ``podium db upgrade`` on an ini file
(:func:`prepare_database`); the start-up times of the scaling runs include
that schema check.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pyramid.router import Router

from .. import REPO_ROOT
from ..server import child_environment

PREFIX = "/bench"
SCENARIOS = frozenset({
    "plaintext", "json", "db", "queries", "fortunes", "updates", "static", "notfound", "form",
})
SETTINGS_FILE = REPO_ROOT / "production.ini"

#: Used when production.ini is missing or cannot be read.
FALLBACK_SETTINGS = {
    "podium.environment": "production",
    "podium.show_tracebacks": "false",
    "pyramid.reload_templates": "false",
    "retry.attempts": "3",
}


def deployment_settings(path: str | None = None) -> dict[str, Any]:
    """production.ini's app settings (``path`` = ``none`` for the fallback)."""
    if path == "none":
        return dict(FALLBACK_SETTINGS)
    source = path or str(SETTINGS_FILE)
    try:
        from pyramid.paster import get_appsettings

        return dict(get_appsettings(source))
    except Exception:
        if path:  # asked for explicitly: say so
            raise
        return dict(FALLBACK_SETTINGS)


def make_app(db_url: str, **options: str) -> Router:
    """Options: ``plugins`` (default ``bench``), ``secret``, ``settings_file``;
    any option with a dot in its name is passed through as a setting."""
    import podium

    settings = deployment_settings(options.get("settings_file"))
    settings.update({k: v for k, v in options.items() if "." in k})
    settings["sqlalchemy.url"] = db_url
    settings["podium.plugins"] = options.get("plugins", "bench")
    settings["podium.secret"] = options.get("secret") or secrets.token_urlsafe(48)
    # production.ini leaves them to the operator; the harness's servers are on loopback.
    if not settings.get("podium.allowed_hosts"):
        settings["podium.allowed_hosts"] = "127.0.0.1 localhost"
    return podium.main({}, **settings)


MIGRATION_INI = """\
# Written by bench/peers/podium_app.py for one benchmark database.
[app:main]
use = egg:podium
podium.environment = development
podium.plugins = {plugins}
podium.secret = {secret}
sqlalchemy.url = {url}

[alembic]
script_location = {script_location}
"""


def prepare_database(url: str, workdir: Path, extra_paths: Sequence[str] = (),
                     plugins: str = "bench") -> None:
    """``podium db upgrade`` on the benchmark database, in a subprocess with
    the servers' environment, so that a Podium started with production.ini's
    ``podium.db.require_current`` accepts it."""
    ini = workdir / "podium-migrate.ini"
    ini.write_text(MIGRATION_INI.format(
        plugins=plugins, secret=secrets.token_urlsafe(48), url=url,
        script_location=REPO_ROOT / "alembic"))
    done = subprocess.run(
        [sys.executable, "-c", "from podium.cli import main; main()", "db", "upgrade", str(ini)],
        cwd=REPO_ROOT, env=child_environment(extra_paths), capture_output=True, text=True,
        timeout=120, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"podium db upgrade failed ({done.returncode}):\n"
                           f"{(done.stdout + done.stderr)[-2000:]}")
