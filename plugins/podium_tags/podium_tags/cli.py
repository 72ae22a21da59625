"""``podium tags ...``: tags from the command line.

``podium tags rename OLD NEW CONFIG_URI`` renames the tag OLD to NEW on every
note, in one transaction.  When NEW exists already the two are merged: the
notes of OLD get NEW, a note that had both keeps NEW once, and OLD is gone.
Both names are read as the form reads a tag (normalised: ``Python`` is
``python``) and NEW must be a valid tag.  An unknown OLD, an invalid name or
OLD equal to NEW is one ``Error:`` line and exit status 1, with nothing changed.
"""

from __future__ import annotations

import click
from sqlalchemy.exc import DBAPIError

from podium.api import app_env, plugin_set

from . import store
from .names import Limits, TagError, check_name
from .settings import NAMESPACE, limits_from


@click.group(name=NAMESPACE)
def tags() -> None:
    """Tags on notes: rename or merge tags."""


@tags.command()
@click.argument("old")
@click.argument("new")
@click.argument("config_uri")
def rename(old: str, new: str, config_uri: str) -> None:
    """Rename the tag OLD to NEW on every note of CONFIG_URI's database (an ini file).

    If NEW exists, OLD is merged into it: a note that had both keeps NEW once.
    """
    try:
        with app_env(config_uri) as env:
            if plugin_set(env.registry).get(NAMESPACE) is None:
                raise click.ClickException(
                    f"the tags plugin is not enabled in {config_uri}: add tags to podium.plugins")
            limits = limits_from(env.settings)
            old_name, new_name = _name("OLD", old, limits), _name("NEW", new, limits)
            if old_name == new_name:
                raise click.ClickException(
                    f"OLD and NEW are the same tag, {old_name!r}: nothing to rename")
            try:
                merged, count = store.rename(env.dbsession, old_name, new_name)
            except store.UnknownTag:
                raise click.ClickException(
                    f"no tag {old_name!r} in {config_uri}'s database; nothing renamed") from None
    except DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise click.ClickException(
            f"the database refused the rename ({detail}); nothing renamed. "
            f"Is it migrated? podium db upgrade {config_uri}") from None
    notes = f"{count} note" if count == 1 else f"{count} notes"
    if merged:
        click.echo(f"merged {old_name!r} into {new_name!r}: {notes}")
    else:
        click.echo(f"renamed {old_name!r} to {new_name!r}: {notes}")


def _name(which: str, raw: str, limits: Limits) -> str:
    try:
        return check_name(raw, limits)
    except TagError as exc:
        raise click.ClickException(f"{which}: {exc}") from None
