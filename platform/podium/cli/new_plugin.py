"""``podium new-plugin NAME``: a complete plugin distribution, ready to test.

The files come from ``podium/scaffold/plugin/`` (installed with the core as
package data): every ``*_tmpl`` file is copied without its suffix, with
``+name+`` and ``+package+`` in its path and ``${...}`` placeholders in its
text replaced (``string.Template``: the generated files are Python, Jinja2
and CSS, none of which uses ``$``, so no placeholder syntax can collide with
theirs).

For a plugin named ``recipes``: the distribution is ``podium-recipes``, the
import package ``podium_recipes``, the directory ``./podium-recipes``.  The
distribution requires the running core's major version (before 1.0, its
minor), the range Podium's compatibility promise covers.
"""

from __future__ import annotations

import datetime
import keyword
import re
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

import click
from packaging.version import InvalidVersion, Version

from ..plugins.discovery import discover
from ..plugins.errors import PluginError
from ..plugins.plugin_settings import environment_name

TEMPLATE_SUFFIX = "_tmpl"
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
#: Long names make long table, route and environment variable names.
MAX_NAME_LENGTH = 40


def scaffold_root() -> Traversable:
    return resources.files("podium") / "scaffold" / "plugin"


def core_requirement(running: str) -> str:
    """``podium>=X.Y,<X+1`` for the running core ``X.Y.Z``; ``podium>=0.Y,<0.Y+1`` before 1.0.

    The lower bound is the running minor, since the plugin is written
    against what this core offers; a pre-release core gets a ``.dev0`` lower
    bound, or the generated plugin would refuse the very core that made it.
    """
    current = Version(running)
    major, minor = (*current.release, 0)[:2]
    lower = f"{major}.{minor}"
    if current.is_prerelease or current.is_devrelease:
        lower += ".0.dev0"
    upper = f"{major + 1}" if major >= 1 else f"0.{minor + 1}"
    return f"podium>={lower},<{upper}"


def running_core_version() -> str:
    try:
        running = version("podium")
        Version(running)
    except (PackageNotFoundError, InvalidVersion) as exc:
        raise click.ClickException(
            "cannot tell which podium version is installed (no valid distribution metadata), "
            "so the plugin's requirement on podium cannot be written; install podium with pip"
        ) from exc
    return running


def name_problem(name: str, reserved: set[str]) -> str | None:
    """Why NAME cannot name a plugin, or None.

    Lower-case because the name is also the route-name prefix, the table
    prefix, the alembic branch and the ``podium NAME`` command; a Python
    identifier because it is also the package's suffix.
    """
    if not NAME_PATTERN.fullmatch(name):
        return (f"invalid plugin name {name!r}: use a lower-case Python identifier "
                f"(letters, digits and underscores, starting with a letter), e.g. recipes")
    if keyword.iskeyword(name):
        return f"invalid plugin name {name!r}: it is a Python keyword"
    if len(name) > MAX_NAME_LENGTH:
        return f"invalid plugin name {name!r}: at most {MAX_NAME_LENGTH} characters"
    if name == "podium":
        return "invalid plugin name 'podium': it names the core's settings and migrations"
    if name in reserved:
        return (f"invalid plugin name {name!r}: podium {name} is a built-in command, "
                f"which would hide the plugin's commands")
    return None


def installed_problem(name: str) -> str | None:
    """Two installed plugins of one name stop every start: say so now."""
    try:
        installed = discover().get(name)
    except PluginError:  # the environment is already broken; not this command's business
        return None
    if installed is None:
        return None
    return (f"a plugin named {name!r} is already installed ({installed.describe()}); "
            f"choose another name")


def variables(name: str, running: str) -> dict[str, str]:
    from ..api import CORE_BASE_REVISION

    return {
        "name": name,
        "package": f"podium_{name}",
        "distribution": "podium-" + name.replace("_", "-"),
        "title": name.replace("_", " ").title(),
        "core_version": running,
        "core_requirement": core_requirement(running),
        "core_base_revision": CORE_BASE_REVISION,
        "env_example": environment_name(name, "page_size"),
        "date": datetime.date.today().isoformat(),
    }


TemplateFile = tuple[tuple[str, ...], Traversable]


def _templates(root: Traversable, relative: tuple[str, ...] = ()) -> list[TemplateFile]:
    """Every template under ``root``, with its path parts relative to it."""
    found: list[TemplateFile] = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            found.extend(_templates(entry, (*relative, entry.name)))
        elif entry.name.endswith(TEMPLATE_SUFFIX):
            found.append(((*relative, entry.name), entry))
    return found


def render(directory: Path, values: dict[str, str]) -> list[Path]:
    """Write every template under ``directory``; return the files written."""
    written = []
    for parts, template in _templates(scaffold_root()):
        target_parts = [
            part.replace("+package+", values["package"]).replace("+name+", values["name"])
            for part in parts
        ]
        target_parts[-1] = target_parts[-1][: -len(TEMPLATE_SUFFIX)]
        target = directory.joinpath(*target_parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = Template(template.read_text(encoding="utf-8")).substitute(values)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


@click.command("new-plugin")
@click.argument("name")
@click.option("--directory", "-d", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Where to write it (default: ./podium-NAME); "
                                 "must not exist or be empty.")
@click.pass_context
def new_plugin(ctx: click.Context, name: str, directory: Path | None) -> None:
    """Write a new plugin distribution named NAME, ready to install and test.

    NAME is the plugin's name (a lower-case Python identifier): its entry
    point, URL prefix /NAME, route names NAME.*, tables NAME_*, settings
    NAME.*, and commands podium NAME ...  The distribution is podium-NAME,
    the package podium_NAME.  Then: pip install -e DIRECTORY; pytest
    DIRECTORY; add NAME to podium.plugins.
    """
    root = ctx.find_root().command
    reserved = set(root.commands) if isinstance(root, click.Group) else set()
    problem = name_problem(name, reserved) or installed_problem(name)
    if problem:
        raise click.ClickException(problem)
    running = running_core_version()
    values = variables(name, running)
    directory = directory or Path(values["distribution"])
    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(
            f"directory {directory} already exists and is not empty: "
            f"choose another with --directory")
    written = render(directory, values)
    click.echo(f"Created plugin {name!r} ({values['distribution']}, package "
               f"{values['package']}, for {values['core_requirement']}) in {directory}:")
    for path in written:
        click.echo(f"  {path.relative_to(directory)}")
    click.echo(
        f"\nNext:\n  pip install -e {directory}\n  pytest {directory}\n"
        f"  then add {name} to podium.plugins in your ini file and run "
        f"podium db upgrade CONFIG_URI")
