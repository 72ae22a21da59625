"""``podium tokens``: API tokens for JSON clients (``Authorization: Bearer``).

A token is printed once, when it is made, on standard output alone (so a
script can capture it); the store keeps only its SHA-256.
"""

from __future__ import annotations

import click

from ..accounts import service
from .users import accounts, table, when

user_option = click.option("--user", "login", required=True, metavar="NAME",
                           help="The user the token acts as.")


@click.group()
def tokens() -> None:
    """Create, list and revoke users' API tokens."""


@tokens.command()
@click.argument("config_uri")
@user_option
@click.option("--expires", "days", type=click.IntRange(min=1, max=service.TOKEN_EXPIRES_MAX_DAYS),
              default=None, metavar="DAYS",
              help="Expire after DAYS days, at most 3650 (default: never).")
@click.option("--label", default="", help="What the token is for, shown by list.")
def create(config_uri: str, login: str, days: int | None, label: str) -> None:
    """Make a token for --user; it is shown once."""
    with accounts(config_uri) as acc:
        new = service.create_token(acc.session, login, expires_days=days, label=label)
        token_id, expires = new.token.id, when(new.token.expires_at)
    click.echo(new.secret)
    click.echo(f"token {token_id} for {login.strip().lower()!r} created, expires: "
               f"{'never' if expires == '-' else expires}; it is shown only now: "
               "store it where it is needed", err=True)


@tokens.command("list")
@click.argument("config_uri")
@user_option
def list_(config_uri: str, login: str) -> None:
    """List --user's tokens (never the tokens themselves)."""
    with accounts(config_uri) as acc:
        found = service.list_tokens(acc.session, login)
        rows = [["ID", "LABEL", "CREATED", "EXPIRES", "LAST USED", "STATE"]]
        for token in found:
            rows.append([str(token.id), token.label or "-", when(token.created_at),
                         when(token.expires_at), when(token.last_used_at),
                         "expired" if service.token_expired(token) else "valid"])
    if len(rows) == 1:
        click.echo(f"no tokens for {login.strip().lower()!r}")
        return
    table(rows)


@tokens.command()
@click.argument("config_uri")
@user_option
@click.argument("token_id", type=int)
def revoke(config_uri: str, login: str, token_id: int) -> None:
    """Revoke --user's token TOKEN_ID (as list shows it): it stops working at once."""
    with accounts(config_uri) as acc:
        service.revoke_token(acc.session, login, token_id)
    click.echo(f"token {token_id} revoked")
