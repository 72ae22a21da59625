"""What a Pyramid script prints when the app cannot start.

``pserve production.ini`` without ``PODIUM_SECRET`` used to print a
45-line traceback above the one line that says what to do.  An error an
operator fixes (a setting, an unknown plugin...) is now that line alone,
``Error: ...``, with exit status 1, for ``pserve`` and the other scripts; a
plugin whose code raised keeps its traceback, and ``podium.main`` called as
a library still raises.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import podium
from podium.api import PluginError, SettingsError
from podium.testing.apps import base_settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TIMEOUT = 120


def script(name: str, ini: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PODIUM_")}
    environ.update({
        "PODIUM_DATABASE_URL": f"sqlite:///{tmp_path / 'startup.sqlite'}",
        "PODIUM_ALLOWED_HOSTS": "example.org",
        "PYTHONPATH": str(tmp_path / "site"),
        **env,
    })
    return subprocess.run([str(BIN / name), str(ROOT / ini)], capture_output=True, text=True,
                          env=environ, cwd=tmp_path, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """stderr without the pkg_resources warning Pyramid's import triggers."""
    return [line for line in result.stderr.splitlines()
            if line.strip() and "pkg_resources" not in line]


def test_pserve_production_ini_without_a_secret_says_so_in_one_line(tmp_path: Path) -> None:
    result = script("pserve", "production.ini", tmp_path)
    assert result.returncode == 1
    (line,) = error_lines(result)
    assert line.startswith("Error: setting podium.secret = (missing) is not valid: "
                           "production needs a secret of its own: export PODIUM_SECRET=")


@pytest.mark.parametrize("name", ["pshell", "proutes"])
def test_other_scripts_tell_a_bad_setting_in_one_line(name: str, tmp_path: Path) -> None:
    result = script(name, "development.ini", tmp_path, PODIUM_ENVIRONMENT="staging")
    assert result.returncode == 1
    assert error_lines(result) == [
        "Error: setting podium.environment = 'staging' is not valid: "
        "expected one of development, production"]


def test_several_problems_are_one_error_line_each(tmp_path: Path) -> None:
    result = script("proutes", "development.ini", tmp_path, PODIUM_ENVIRONMENT="staging",
                    PODIUM_MAX_BODY_SIZE="big")
    assert result.returncode == 1
    assert error_lines(result) == [
        "Error: setting podium.environment = 'staging' is not valid: "
        "expected one of development, production",
        "Error: setting podium.max_body_size = 'big' is not valid: expected a whole number",
    ]


def test_an_unknown_plugin_is_one_line(tmp_path: Path) -> None:
    result = script("pserve", "production.ini", tmp_path, PODIUM_PLUGINS="notes ghost",
                    PODIUM_SECRET=secrets.token_urlsafe(48))
    assert result.returncode == 1
    (line,) = error_lines(result)
    assert line.startswith("Error: podium.plugins names a plugin that is not installed: ghost. "
                           "Installed plugins: ")


def test_a_plugin_whose_code_raised_keeps_its_traceback(
        tmp_path: Path, make_plugin: Callable[..., str]) -> None:
    make_plugin("exploding", "raise RuntimeError('exploding at import')\n")
    result = script("pserve", "production.ini", tmp_path, PODIUM_PLUGINS="notes exploding",
                    PODIUM_SECRET=secrets.token_urlsafe(48))
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "RuntimeError: exploding at import" in result.stderr
    assert not any(line.startswith("Error:") for line in error_lines(result))


def test_podium_main_called_as_a_library_still_raises(tmp_path: Path) -> None:
    settings = base_settings(f"sqlite:///{tmp_path / 'lib.sqlite'}", "notes")
    with pytest.raises(SettingsError, match=r"podium\.environment"):
        podium.main({}, **{**settings, "podium.environment": "staging"})
    with pytest.raises(PluginError, match="ghost"):
        podium.main({"__script__": "bootstrap"}, **base_settings(
            f"sqlite:///{tmp_path / 'lib.sqlite'}", "ghost"))
