"""``podium plugins order``, ``podium config``, ``podium check`` and plugin
commands, run as a user runs them, on real plugin distributions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PODIUM = str(Path(sys.executable).with_name("podium"))

PLUGIN = '''
import click
from podium.api import Plugin, Setting, app_env


@click.group()
def commands():
    """Commands of {name}."""


@commands.command()
@click.argument("config_uri")
def hello(config_uri):
    """Say hello with the configured greeting."""
    with app_env(config_uri, logging=False) as env:
        click.echo(env.plugin_settings("{name}")["greeting"] + " from {name}")


def includeme(config):
    pass


plugin = Plugin(
    includeme=includeme,
    requires={requires!r},
    settings=[Setting("greeting", str, "hello", "what hello says")],
    commands=commands,
)
'''


@pytest.fixture
def run(make_plugin, tmp_path):
    site = tmp_path / "site"

    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        environ = {
            **os.environ,
            "PYTHONPATH": str(site),
            "PODIUM_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
            **env,
        }
        return subprocess.run([PODIUM, *args], capture_output=True, text=True, env=environ,
                              cwd=ROOT, timeout=120)

    def add(name: str, requires: tuple[str, ...] = ()) -> None:
        make_plugin(name, PLUGIN.format(name=name, requires=list(requires)), target="PKG:plugin")

    run.add = add
    return run


def test_plugins_order_prints_the_reason_for_each_position(run):
    run.add("base")
    run.add("top", requires=("base",))
    result = run("plugins", "order", "development.ini", PODIUM_PLUGINS="top base")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split()[:2] == ["1", "base"]
    assert lines[2].split()[:2] == ["2", "top"]
    assert "after base (top requires base)" in lines[2]


def test_plugins_order_fails_on_a_missing_requirement(run):
    run.add("top", requires=("ghost>=2",))
    result = run("plugins", "order", "development.ini", PODIUM_PLUGINS="top")
    assert result.returncode == 1
    assert "top requires ghost>=2, which is not installed" in result.stderr


def test_config_describe_lists_declared_settings(run):
    run.add("greeter")
    result = run("config", "describe", "greeter")
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("greeter.greeting"))
    assert row.split()[:4] == ["greeter.greeting", "text", "hello", "PODIUM_GREETER_GREETING"]


def test_config_describe_lists_core_settings(run):
    result = run("config", "describe", "podium")
    assert result.returncode == 0, result.stderr
    assert "podium.on_plugin_error" in result.stdout and "PODIUM_SECRET" in result.stdout


def test_config_check_lists_every_problem_at_once(run, tmp_path):
    run.add("greeter")
    ini = tmp_path / "bad.ini"
    ini.write_text((ROOT / "development.ini").read_text()
                   .replace("podium.plugins = notes", "podium.plugins = greeter nosuch")
                   .replace("retry.attempts = 3", "retry.attempts = lots\ngreeter.greting = hi"))
    result = run("config", "check", str(ini))
    assert result.returncode == 1
    assert "retry.attempts = 'lots'" in result.stderr
    assert "nosuch" in result.stderr
    result = run("config", "check", str(ini), PODIUM_PLUGINS="greeter")
    assert "did you mean greeter.greeting?" in result.stderr


def test_a_file_that_is_not_an_ini_file_is_one_line(run, tmp_path):
    ini = tmp_path / "broken.ini"
    ini.write_text("[app:main]\nuse = egg:podium\na = 1\na = 2\n")
    result = run("config", "check", str(ini))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr


def test_config_check_passes_a_good_file(run):
    result = run("config", "check", "development.ini")
    assert result.returncode == 0, result.stderr
    assert "settings are valid" in result.stdout


def test_check_reports_pending_migrations_then_passes(run):
    result = run("check", "development.ini", PODIUM_PLUGINS="notes")
    assert result.returncode == 1
    assert "pending revision" in result.stderr and "podium db upgrade" in result.stderr
    assert run("db", "upgrade", "development.ini", PODIUM_PLUGINS="notes").returncode == 0
    result = run("check", "development.ini", PODIUM_PLUGINS="notes")
    assert result.returncode == 0, result.stderr
    assert "no problem found" in result.stdout


CONFLICTING = '''
def thing(request):
    return 1

def includeme(config):
    config.add_request_method(thing, "shared_thing")
'''


def test_check_reports_conflicts_with_both_plugins(run, make_plugin):
    make_plugin("one", CONFLICTING)
    make_plugin("two", CONFLICTING)
    result = run("check", "development.ini", PODIUM_PLUGINS="one two")
    assert result.returncode == 1
    assert "request method 'shared_thing' is registered by plugin 'one'" in result.stderr
    assert "and by plugin 'two'" in result.stderr


def test_plugin_commands_appear_in_help_and_run_with_the_apps_settings(run):
    run.add("greeter")
    result = run("--help")
    assert "greeter" in result.stdout and "Commands of greeter." in result.stdout
    result = run("greeter", "hello", "development.ini", PODIUM_PLUGINS="greeter",
                 PODIUM_GREETER_GREETING="good morning")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "good morning from greeter"
