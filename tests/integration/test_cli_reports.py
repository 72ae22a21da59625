"""What ``podium`` prints about settings and plugins, as a user runs it:
the range of a setting, why a plugin enabled by ``*`` stands where it does,
one ``Error:`` line per problem, and ``podium.on_plugin_error = skip``'s
exit statuses (documented in docs/plugins.md, "When a plugin fails")."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PODIUM = str(Path(sys.executable).with_name("podium"))

BOUNDED = '''
from podium.api import Plugin, Setting

def includeme(config):
    pass

plugin = Plugin(includeme=includeme, settings=[
    Setting("workers", int, 4, "how many", minimum=1, maximum=64),
    Setting("ratio", float, 0.5, "how much", maximum=1),
    Setting("retries", int, 3, "how often", minimum=0),
    Setting("label", str, "x", "what it says"),
])
'''


@pytest.fixture
def podium(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        environ = {key: value for key, value in os.environ.items()
                   if not key.startswith("PODIUM_")}
        environ.update({"PYTHONPATH": str(tmp_path / "site"),
                        "PODIUM_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}", **env})
        return subprocess.run([PODIUM, *args], capture_output=True, text=True, env=environ,
                              cwd=ROOT, timeout=120)

    return run


def test_config_describe_shows_minimums_and_maximums(podium, make_plugin) -> None:
    make_plugin("bounded", BOUNDED, target="PKG:plugin")
    result = podium("config", "describe", "bounded")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert "whole number from 1 to 64" in rows["bounded.workers"]
    assert "number <= 1 " in rows["bounded.ratio"]
    assert "whole number >= 0 " in rows["bounded.retries"]
    assert rows["bounded.label"].split()[:3] == ["bounded.label", "text", "x"]


def test_a_value_above_the_maximum_is_refused(podium, make_plugin) -> None:
    make_plugin("bounded", BOUNDED, target="PKG:plugin")
    result = podium("config", "check", "development.ini", PODIUM_PLUGINS="bounded",
                    PODIUM_BOUNDED_WORKERS="65")
    assert result.returncode == 1
    assert "setting bounded.workers = '65' is not valid: expected a whole number " \
           "from 1 to 64" in result.stderr


def test_plugins_order_says_enabled_by_star(podium, make_plugin) -> None:
    make_plugin("zulu")
    make_plugin("alpha")
    result = podium("plugins", "order", "development.ini", PODIUM_PLUGINS="*")
    assert result.returncode == 0, result.stderr
    reasons = {line.split()[1]: line.split(None, 2)[2] for line in result.stdout.splitlines()[1:]}
    assert reasons["alpha"] == "enabled by * (1st by name)"
    assert reasons["zulu"].startswith("enabled by * (")
    assert not any("listed" in reason for reason in reasons.values())
    listed = podium("plugins", "order", "development.ini", PODIUM_PLUGINS="zulu alpha")
    assert "listed 1st in podium.plugins" in listed.stdout.splitlines()[1]


def two_failing(make_plugin) -> None:
    make_plugin("alpha", "raise RuntimeError('alpha cannot start')\n")
    make_plugin("beta", "import no_such_module_anywhere\n")


ALPHA = "Error: plugin 'alpha' (distribution test-plugin-alpha 1.0, entry point alpha = "
BETA = "Error: plugin 'beta' (distribution test-plugin-beta 1.0, entry point beta = "


@pytest.mark.parametrize("command", [("db", "current"), ("db", "upgrade"), ("plugins", "list"),
                                     ("plugins", "order")])
def test_two_failing_plugins_are_one_error_line_each(podium, make_plugin, command) -> None:
    two_failing(make_plugin)
    result = podium(*command, "development.ini", PODIUM_PLUGINS="notes alpha beta")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 2, result.stderr
    assert errors[0].startswith(ALPHA) and "RuntimeError: alpha cannot start" in errors[0]
    assert errors[1].startswith(BETA) and "No module named 'no_such_module_anywhere'" in errors[1]


def test_skip_exit_statuses(podium, make_plugin) -> None:
    """skip lets the site start and migrate without the failing plugins; the
    commands that report on plugins still say what is wrong and fail."""
    two_failing(make_plugin)
    env = {"PODIUM_PLUGINS": "notes alpha beta", "PODIUM_ON_PLUGIN_ERROR": "skip"}
    upgrade = podium("db", "upgrade", "development.ini", **env)
    assert upgrade.returncode == 0, upgrade.stderr
    assert "alpha" in upgrade.stderr and "beta" in upgrade.stderr
    assert podium("db", "current", "development.ini", **env).returncode == 0

    listing = podium("plugins", "list", "development.ini", **env)
    assert listing.returncode == 1
    statuses = {line.split()[0]: line.split()[3] for line in listing.stdout.splitlines()[1:]}
    assert statuses["alpha"] == statuses["beta"] == "broken"
    assert statuses["notes"] == "enabled"
    first, second = listing.stderr.splitlines()
    assert first.startswith(ALPHA) and second.startswith(BETA)
    assert podium("config", "check", "development.ini", **env).returncode == 1
