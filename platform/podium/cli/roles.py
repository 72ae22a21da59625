"""``podium roles``: what roles may do, from the command line.

A role's permissions are its defaults (its ``podium.roles.<role>`` setting,
or else what the enabled plugins propose) and the grants stored here; the
pseudo-roles ``everyone`` and ``authenticated`` are granted like roles.  The
application is built as ``pserve`` would build it, so that only permissions
an enabled plugin declares can be granted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..accounts import grants
from ..accounts.role_sources import role_permission_rows
from ..accounts.service import AccountError, normalize_role
from ..plugins.permissions import PermissionCatalog, catalog_of
from ..scripting import app_env
from ..settings.core import ADMIN_ROLE


@dataclass(frozen=True)
class Roles:
    session: Session
    catalog: PermissionCatalog


@contextmanager
def roles_of(config_uri: str) -> Iterator[Roles]:
    """The application's catalogue and one transaction on its database:
    committed when the command succeeds, rolled back when it fails."""
    try:
        with app_env(config_uri, logging=False) as env:
            catalog = catalog_of(env.registry)
            if catalog is None:
                raise click.ClickException(f"{config_uri} does not build Podium's plugins")
            if not inspect(env.dbsession.connection()).has_table("podium_role_permission"):
                raise click.ClickException(
                    f"the database has no grants table yet: run podium db upgrade {config_uri}")
            yield Roles(env.dbsession, catalog)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    except DBAPIError as exc:
        first = str(exc.orig or exc).strip().splitlines()[0]
        raise click.ClickException(f"the database refused: {first}") from None


def checked(catalog: PermissionCatalog, role: str, permission: str) -> str:
    name = normalize_role(role)
    if name == ADMIN_ROLE:
        raise AccountError("the admin role has every permission; nothing to grant or revoke")
    if not catalog.is_declared(permission):
        raise AccountError(f"no enabled plugin declares {permission!r}; podium roles "
                           "permissions lists the declared ones")
    return name


def audit(session: Session, action: str, role: str, **details: str) -> None:
    """Record the change in the audit log, in the command's transaction (on a
    database upgraded to it: podium_0006)."""
    from ..admin.audit import cli_actor, record

    if inspect(session.connection()).has_table("podium_audit_log"):
        record(session, cli_actor(), action, role, **details)


@click.group()
def roles() -> None:
    """What roles (and the pseudo-roles everyone and authenticated) may do."""


@roles.command("grant")
@click.argument("config_uri")
@click.argument("role")
@click.argument("permission")
def grant(config_uri: str, role: str, permission: str) -> None:
    """Grant PERMISSION to ROLE in the store (everyone and authenticated too)."""
    with roles_of(config_uri) as found:
        name = checked(found.catalog, role, permission)
        added = grants.grant_permission(found.session, name, permission)
        if added:
            audit(found.session, "role.grant", name, permission=permission)
    click.echo(f"role {name!r} " + ("granted" if added else "already granted") +
               f" {permission!r}")


@roles.command("revoke")
@click.argument("config_uri")
@click.argument("role")
@click.argument("permission")
def revoke(config_uri: str, role: str, permission: str) -> None:
    """Revoke a grant made with podium roles grant (defaults are settings)."""
    with roles_of(config_uri) as found:
        name = checked(found.catalog, role, permission)
        grants.revoke_permission(found.session, name, permission)
        audit(found.session, "role.revoke", name, permission=permission)
        default = permission in found.catalog.defaults().get(name, frozenset())
    click.echo(f"role {name!r} no longer granted {permission!r} by the store")
    if default:
        click.echo(f"it still has it by default: set podium.roles.{name} to change that",
                   err=True)


@roles.command("list")
@click.argument("config_uri")
def list_(config_uri: str) -> None:
    """Every role's permissions and where each comes from."""
    with roles_of(config_uri) as found:
        rows = role_permission_rows(found.catalog, found.session)
    if not rows:
        click.echo("no role has a permission (admin has them all)")
        return
    for role, name, source in rows:
        click.echo(f"{role:<20} {name:<30} {source}")


@roles.command("permissions")
@click.argument("config_uri")
def permissions(config_uri: str) -> None:
    """Every permission the core and the enabled plugins declare."""
    with roles_of(config_uri) as found:
        declared = sorted(found.catalog.declared.values(), key=lambda d: d.permission.name)
    for entry in declared:
        click.echo(f"{entry.permission.name:<30} {entry.owner:<12} {entry.permission.title}")
