"""``podium hooks``: every hook (the core's and the plugins'), who declares it
and its version, who implements it for which versions, and why its
implementations run in the order they do."""

from __future__ import annotations

import click

from ..hooks import core_specs
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
    found = build(resolution.enabled, core_specs)
    specs = dict(sorted(found.specs.items()))
    dormant = found.dormant
    if name is not None:
        if name not in specs and not any(impl.hook == name for impl in dormant):
            known = ", ".join(specs) or "(none)"
            raise click.ClickException(f"no hook is named {name!r}; the hooks: {known}")
        specs = {k: v for k, v in specs.items() if k == name}
        dormant = [impl for impl in dormant if impl.hook == name]
    for spec in specs.values():
        traits = ["firstresult" if spec.firstresult else "all results",
                  f"fault: {spec.fault}"]
        click.echo(f"{spec.name}  declared by {spec.owner} at {spec.where} as version "
                   f"{spec.version} ({', '.join(traits)})")
        impls = found.impls.get(spec.name, [])
        if impls:
            echo_table(("  #", "PLUGIN", "WHERE", "VERSIONS", "WHY HERE"),
                       [(f"  {i}", impl.plugin, impl.where, _versions(impl.versions),
                         impl.reason) for i, impl in enumerate(impls, start=1)])
        else:
            click.echo("  no implementation")
    if dormant:
        click.echo("Dormant implementations (no enabled plugin declares their hook):")
        echo_table(("  HOOK", "PLUGIN", "WHERE"),
                   [(f"  {impl.hook}", impl.plugin, impl.where) for impl in dormant])


def _versions(versions: tuple[int, ...] | None) -> str:
    """The spec versions an implementation supports; ``any`` when it does not say."""
    return "any" if versions is None else ",".join(map(str, versions))
