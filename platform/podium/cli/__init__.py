"""The ``podium`` command: one click group, one module per command group.

Errors a user can fix (a bad setting, an unknown or broken plugin, a missing
file) end the command with one readable ``Error:`` line per problem and a
non-zero exit, not a traceback.
"""

from __future__ import annotations

import configparser
import sys

import click

from ..operator_errors import problems_of
from ..plugins.errors import PluginError
from ..settings.types import SettingsError
from .assets import assets
from .check import check
from .config import config
from .db import db
from .hooks import hooks
from .new_plugin import new_plugin
from .openapi import openapi
from .plugin_commands import PodiumGroup
from .plugins import plugins
from .roles import roles
from .slots import slots
from .tokens import tokens
from .users import users

USER_ERRORS = (PluginError, SettingsError, FileNotFoundError, configparser.Error)


@click.group(cls=PodiumGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="podium")
def cli() -> None:
    """Manage a Podium platform: its plugins, settings and database.

    Commands after the built-in ones come from plugins: podium PLUGIN COMMAND.
    """


cli.add_command(plugins)
cli.add_command(db)
cli.add_command(config)
cli.add_command(check)
cli.add_command(new_plugin)
cli.add_command(assets)
cli.add_command(users)
cli.add_command(tokens)
cli.add_command(roles)
cli.add_command(hooks)
cli.add_command(slots)
cli.add_command(openapi)


def main(argv: list[str] | None = None) -> int:
    try:
        result = cli.main(args=argv, prog_name="podium", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except USER_ERRORS as exc:
        for problem in problems_of(exc):
            click.echo(f"Error: {problem}", err=True)
        sys.exit(1)
    # A command's ctx.exit(N) comes back as its return value; the console
    # script passes what main returns to sys.exit.
    return result if isinstance(result, int) else 0
