"""``podium hooks``: every hook, who declares it, who implements it, and why
its implementations run in the order they do."""

from __future__ import annotations

import click

from ..hooks.manager import build
from .plugins import echo_table, exit_on_errors, resolve_for


@click.command("hooks")
@click.argument("config_uri")
@click.argument("name", required=False)
def hooks(config_uri: str, name: str | None) -> None:
    """List the hooks CONFIG_URI's plugins declare and their implementations in
    the order they are called; with NAME, only that hook."""
    resolution = resolve_for(config_uri)
    exit_on_errors(resolution)
    found = build(resolution.enabled)
    specs = dict(sorted(found.specs.items()))
    dormant = found.dormant
    if name is not None:
        if name not in specs and not any(impl.hook == name for impl in dormant):
            known = ", ".join(specs) or "(none)"
            raise click.ClickException(f"no hook is named {name!r}; the hooks: {known}")
        specs = {k: v for k, v in specs.items() if k == name}
        dormant = [impl for impl in dormant if impl.hook == name]
    if not specs and not dormant:
        click.echo("No hook is declared.")
    for spec in specs.values():
        traits = ["firstresult" if spec.firstresult else "all results",
                  f"fault: {spec.fault}"]
        click.echo(f"{spec.name}  declared by {spec.owner} at {spec.where} "
                   f"({', '.join(traits)})")
        impls = found.impls.get(spec.name, [])
        if impls:
            echo_table(("  #", "PLUGIN", "WHERE", "WHY HERE"),
                       [(f"  {i}", impl.plugin, impl.where, impl.reason)
                        for i, impl in enumerate(impls, start=1)])
        else:
            click.echo("  no implementation")
    if dormant:
        click.echo("Dormant implementations (no enabled plugin declares their hook):")
        echo_table(("  HOOK", "PLUGIN", "WHERE"),
                   [(f"  {impl.hook}", impl.plugin, impl.where) for impl in dormant])
