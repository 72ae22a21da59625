"""``podium hooks``, run as a user runs it, on real plugin distributions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PODIUM = str(Path(sys.executable).with_name("podium"))

PLUGIN = '''
from podium.api import Plugin


def includeme(config):
    pass


plugin = Plugin(includeme=includeme, {fields})
'''
SPECS = '''from podium.api import hookspec


@hookspec(firstresult=True, fault="isolate")
def pick(value):
    """One plugin's pick."""


@hookspec
def collect(value):
    """Each plugin's contribution."""
'''


def impls(name: str, marker: str = "@hookimpl") -> str:
    return f"from podium.api import hookimpl\n\n\n{marker}\ndef collect(value):\n    return 1\n"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(tmp_path / "site"),
               "PODIUM_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    return subprocess.run([PODIUM, *args], capture_output=True, text=True, env=environ,
                          cwd=ROOT, timeout=120)


def site(make_plugin, tmp_path: Path, plugins: str) -> str:
    make_plugin("owner", PLUGIN.format(fields="hookspecs='PKG.specs'"), target="PKG:plugin",
                files={"specs.py": SPECS})
    make_plugin("alpha", PLUGIN.format(fields="hookimpls='PKG.impls'"), target="PKG:plugin",
                files={"impls.py": impls("alpha", '@hookimpl(after=["beta"])')})
    make_plugin("beta", PLUGIN.format(fields="hookimpls='PKG.impls'"), target="PKG:plugin",
                files={"impls.py": impls("beta", "@hookimpl(versions=[1, 2])")})
    make_plugin("gamma", PLUGIN.format(fields="hookimpls='PKG.impls'"), target="PKG:plugin",
                files={"impls.py": impls("gamma", "@hookimpl(tryfirst=True)")})
    ini = tmp_path / "site.ini"
    ini.write_text(f"[app:main]\nuse = egg:podium\npodium.plugins = {plugins}\n")
    return str(ini)


def test_podium_hooks_lists_specs_and_implementations_with_the_reason(make_plugin, tmp_path):
    ini = site(make_plugin, tmp_path, "owner alpha beta gamma")
    result = run(tmp_path, "hooks", ini)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("collect  "))
    assert "declared by owner at " in lines[head] and "specs.py:9 " in lines[head]
    assert "as version 1 (all results, fault: propagate)" in lines[head]
    assert lines[head + 1].split() == ["#", "PLUGIN", "WHERE", "VERSIONS", "WHY", "HERE"]
    rows = [line.split() for line in lines[head + 2:head + 5]]
    assert [row[1] for row in rows] == ["gamma", "beta", "alpha"]
    assert all(row[2].endswith("impls.py:4") for row in rows)
    assert [row[3] for row in rows] == ["any", "1,2", "any"]
    assert "tryfirst; gamma is 4th in the plugin order" in lines[head + 2]
    assert "beta is 3rd in the plugin order" in lines[head + 3]
    assert "after beta (alpha asks to come after beta)" in lines[head + 4]
    pick = next(line for line in lines if line.startswith("pick  "))
    assert "(firstresult, fault: isolate)" in pick
    # The core's own hooks are listed too, declared by podium.
    core = next(line for line in lines if line.startswith("podium_configured  "))
    assert "declared by podium at " in core and "core_specs.py:" in core


def test_podium_hooks_name_shows_one_hook_and_refuses_an_unknown_one(make_plugin, tmp_path):
    ini = site(make_plugin, tmp_path, "owner alpha")
    result = run(tmp_path, "hooks", ini, "pick")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pick  declared by owner")
    assert "collect" not in result.stdout and "no implementation" in result.stdout
    result = run(tmp_path, "hooks", ini, "nothing")
    assert result.returncode == 1
    assert ("Error: no hook is named 'nothing'; the hooks: collect, pick, podium_configured, "
            "podium_home_sections, podium_validate_settings") in result.stderr


def test_podium_hooks_lists_dormant_implementations(make_plugin, tmp_path):
    ini = site(make_plugin, tmp_path, "alpha")
    result = run(tmp_path, "hooks", ini)
    assert result.returncode == 0, result.stderr
    assert "Dormant implementations (no enabled plugin declares their hook):" in result.stdout
    assert any(line.split()[:2] == ["collect", "alpha"] for line in result.stdout.splitlines())


def test_podium_hooks_reports_a_cycle_as_one_error_line(make_plugin, tmp_path):
    make_plugin("owner", PLUGIN.format(fields="hookspecs='PKG.specs'"), target="PKG:plugin",
                files={"specs.py": SPECS})
    for name, other in (("alpha", "beta"), ("beta", "alpha")):
        make_plugin(name, PLUGIN.format(fields="hookimpls='PKG.impls'"), target="PKG:plugin",
                    files={"impls.py": impls(name, f'@hookimpl(after=["{other}"])')})
    ini = tmp_path / "site.ini"
    ini.write_text("[app:main]\nuse = egg:podium\npodium.plugins = owner alpha beta\n")
    result = run(tmp_path, "hooks", str(ini))
    assert result.returncode == 1
    assert ("\nError: hook 'collect': a cycle of before/after hints between plugins "
            "alpha, beta: ") in "\n" + result.stderr


MISSPELT = "from podium.api import hookimpl\n\n\n@hookimpl\ndef colect(value):\n    return 1\n"


def test_check_warns_about_an_implementation_of_a_hook_nobody_declares(make_plugin, tmp_path):
    """A misspelt hook name would never run and never say so; a hook whose owner is
    installed but not enabled is dormant by design, and not warned about."""
    ini = site(make_plugin, tmp_path, "alpha delta")
    make_plugin("delta", PLUGIN.format(fields="hookimpls='PKG.impls'"), target="PKG:plugin",
                files={"impls.py": MISSPELT})
    assert run(tmp_path, "db", "upgrade", ini).returncode == 0
    result = run(tmp_path, "check", ini)
    assert result.returncode == 0, result.stderr
    assert "1 implementation(s) of undeclared hooks" in result.stderr
    assert "plugin 'delta' implements hook 'colect'" in result.stderr
    assert "'collect'" not in result.stderr  # alpha's: its owner is installed, not enabled
    strict = run(tmp_path, "check", "--strict", ini)
    assert strict.returncode == 1 and "implements hook 'colect'" in strict.stderr
