"""``podium users``: accounts from the command line, the first administrator included.

Passwords are never arguments (they would land in the shell's history and
in ``ps``): they are typed without echo, twice, or read from a file or from
standard input for automation.  There is no default password anywhere.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..accounts import service
from ..accounts.passwords import Passwords
from ..settings.core import load_settings
from ..store.sessions import tm_session


@dataclass(frozen=True)
class Accounts:
    session: Session
    passwords: Passwords
    #: False on a database not yet upgraded to the audit log (podium_0006).
    audited: bool = True

    def record(self, action: str, target: str, **details: Any) -> None:
        """Write the change to the audit log, in the command's transaction."""
        if self.audited:
            from ..admin.audit import cli_actor, record

            record(self.session, cli_actor(), action, target, **details)


@contextmanager
def accounts(config_uri: str) -> Iterator[Accounts]:
    """One transaction on CONFIG_URI's database: committed when the command
    succeeds, rolled back when it fails, so a refused change writes nothing."""
    settings = load_settings(config_uri)
    try:
        with tm_session(settings) as session:
            tables = inspect(session.connection())
            if not tables.has_table("podium_user"):
                raise click.ClickException(
                    f"the database has no accounts tables yet: run podium db upgrade "
                    f"{config_uri}")
            yield Accounts(session, Passwords.from_settings(settings),
                           tables.has_table("podium_audit_log"))
    except service.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    except DBAPIError as exc:
        first = str(exc.orig or exc).strip().splitlines()[0]
        raise click.ClickException(f"the database refused: {first}") from None


def password_options(fn: Any) -> Any:
    fn = click.option("--password-stdin", is_flag=True,
                      help="Read the password from standard input (its first line).")(fn)
    fn = click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path),
                      help="Read the password from this file (its first line).")(fn)
    return fn


def read_password(password_file: Path | None, password_stdin: bool) -> str:
    """The new password: from the file, from standard input, or typed twice."""
    if password_file is not None and password_stdin:
        raise click.UsageError("give --password-file or --password-stdin, not both")
    if password_file is not None:
        try:
            text = password_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot read {password_file}: {exc.strerror}") \
                from None
    elif password_stdin:
        text = sys.stdin.readline()
    else:
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    password = text.splitlines()[0] if text else ""
    if not password:
        raise click.ClickException("the password read is empty")
    return password


def when(moment: datetime | None) -> str:
    found = service.aware(moment)
    return found.strftime("%Y-%m-%d %H:%M") if found else "-"


def table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                   .rstrip())


@click.group()
def users() -> None:
    """Add, change, disable and list the platform's users and their roles."""


@users.command()
@click.argument("config_uri")
@click.argument("login")
@click.option("--name", "display_name", default="", help="Display name (default: LOGIN).")
@click.option("--email", default=None, help="E-mail address.")
@click.option("--role", "roles", multiple=True, metavar="ROLE",
              help="Grant this role too (repeatable), e.g. --role admin.")
@password_options
def add(config_uri: str, login: str, display_name: str, email: str | None,
        roles: tuple[str, ...], password_file: Path | None, password_stdin: bool) -> None:
    """Add user LOGIN, with a password typed twice (or --password-file/-stdin)."""
    password = read_password(password_file, password_stdin)
    with accounts(config_uri) as acc:
        user = service.add_user(acc.session, acc.passwords, login, password,
                                display_name=display_name, email=email)
        for role in roles:
            service.grant(acc.session, user.login, role)
        name = user.login
        acc.record("user.add", name, **({"roles": sorted({r.lower() for r in roles})}
                                        if roles else {}))
    granted = f" with role(s) {', '.join(sorted(set(r.lower() for r in roles)))}" if roles else ""
    click.echo(f"user {name!r} added{granted}")


@users.command()
@click.argument("config_uri")
@click.argument("login")
@password_options
def passwd(config_uri: str, login: str, password_file: Path | None,
           password_stdin: bool) -> None:
    """Set LOGIN's password; the user's open sessions end."""
    password = read_password(password_file, password_stdin)
    with accounts(config_uri) as acc:
        name = service.set_password(acc.session, acc.passwords, login, password).login
        acc.record("user.password", name)
    click.echo(f"password of {name!r} changed")


@users.command()
@click.argument("config_uri")
@click.argument("login")
def disable(config_uri: str, login: str) -> None:
    """Disable LOGIN: no login, no token, open sessions end."""
    _set_active(config_uri, login, "disable")


@users.command()
@click.argument("config_uri")
@click.argument("login")
def enable(config_uri: str, login: str) -> None:
    """Enable LOGIN again."""
    _set_active(config_uri, login, "enable")


def _set_active(config_uri: str, login: str, action: str) -> None:
    """``enable`` and ``disable``: the change, its audit entry and what is said of it
    differ by the action's name alone."""
    with accounts(config_uri) as acc:
        name = service.set_active(acc.session, login, action == "enable").login
        acc.record(f"user.{action}", name)
    click.echo(f"user {name!r} {action}d")


@users.command("grant")
@click.argument("config_uri")
@click.argument("login")
@click.argument("role")
def grant_role(config_uri: str, login: str, role: str) -> None:
    """Give ROLE to LOGIN (the role is created if it does not exist)."""
    with accounts(config_uri) as acc:
        user, found, created, granted = service.grant(acc.session, login, role)
        name, role_name = user.login, found.name
        if granted:
            acc.record("user.grant", name, role=role_name, role_created=created)
    if created:
        click.echo(f"role {role_name!r} created")
    click.echo(f"user {name!r} " + ("granted" if granted else "already has") +
               f" role {role_name!r}")


@users.command("revoke")
@click.argument("config_uri")
@click.argument("login")
@click.argument("role")
def revoke_role(config_uri: str, login: str, role: str) -> None:
    """Take ROLE from LOGIN."""
    with accounts(config_uri) as acc:
        name = service.revoke(acc.session, login, role).login
        acc.record("user.revoke", name, role=service.normalize_role(role))
    click.echo(f"role {service.normalize_role(role)!r} revoked from {name!r}")


@users.command("list")
@click.argument("config_uri")
def list_(config_uri: str) -> None:
    """List the users, their state and roles."""
    with accounts(config_uri) as acc:
        rows = [["LOGIN", "NAME", "EMAIL", "STATE", "ROLES", "CREATED", "LAST LOGIN"]]
        for user in service.list_users(acc.session):
            rows.append([user.login, user.display_name or "-", user.email or "-",
                         "active" if user.active else "disabled",
                         ",".join(user.role_names) or "-", when(user.created_at),
                         when(user.last_login_at)])
    if len(rows) == 1:
        click.echo(f"no users yet: podium users add {config_uri} NAME --role admin")
        return
    table(rows)
