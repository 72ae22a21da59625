"""``podium slots``: every template slot, the templates in effect that render
it, its contributions in render order, and the contributions no template
renders (an override dropped their slot)."""

from __future__ import annotations

import click

from ..slots.inventory import Inventory, inventory
from ..slots.registry import SlotContent
from .assets import _load
from .plugins import echo_table


def _route(content: SlotContent) -> str:
    return ",".join(sorted(content.routes)) if content.routes is not None else "-"


def _show_slot(found: Inventory, slot: str) -> None:
    click.echo(slot)
    renderings = found.rendered.get(slot, [])
    for rendering in renderings:
        click.echo(f"  rendered by {rendering.spec} ({rendering.where})")
    if not renderings:
        click.echo("  rendered by no template in effect")
    contents = found.contents.get(slot, ())
    if contents:
        echo_table(("  #", "PLUGIN", "WEIGHT", "PERMISSION", "ROUTE", "WHERE", "CONTENT"),
                   [(f"  {i}", c.plugin, str(c.weight), c.permission or "-", _route(c),
                     c.where, c.describes) for i, c in enumerate(contents, start=1)])
    else:
        click.echo("  no contribution")


@click.command("slots")
@click.argument("config_uri")
@click.argument("name", required=False)
def slots(config_uri: str, name: str | None) -> None:
    """List the template slots of CONFIG_URI's templates in effect (after
    asset overrides) and their contributions in render order; with NAME,
    only that slot.  Then the contributions to a slot no template in effect
    renders, with the override that replaced the template which had it.
    A slot whose name is computed in the template is not listed."""
    registry, closer = _load(config_uri)
    try:
        found = inventory(registry)
    finally:
        closer()
    names = sorted(set(found.rendered) | set(found.contents))
    lost = found.lost
    if name is not None:
        if name not in names:
            raise click.ClickException(f"no slot is named {name!r}; the slots: "
                                       f"{', '.join(names) or '(none)'}")
        names = [name]
        lost = [item for item in lost if item.content.slot == name]
    if not names:
        click.echo("No template renders a slot.")
    for slot in names:
        _show_slot(found, slot)
    if found.computed and name is None:
        click.echo("Slot calls with a computed name (not listed):")
        for spec, where in found.computed:
            click.echo(f"  {spec} ({where})")
    if lost:
        click.echo("Lost contributions (no template in effect renders their slot):")
        for item in lost:
            click.echo(f"- {item.describe()}")
