"""The ``podium`` command: one click group, one module per command group.

Errors a user can fix (a bad setting, an unknown or broken plugin, a missing
file) end the command with one readable line and a non-zero exit, not a
traceback.
"""

from __future__ import annotations

import sys

import click

from ..plugins.errors import PluginError
from ..settings import SettingsError
from .db import db
from .plugins import plugins

USER_ERRORS = (PluginError, SettingsError, FileNotFoundError)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="podium")
def cli() -> None:
    """Manage a Podium platform: its plugins and its database."""


cli.add_command(plugins)
cli.add_command(db)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="podium", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except USER_ERRORS as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
