"""``podium audit``: the audit log of the admin console and the account
commands, newest first."""

from __future__ import annotations

import click
from sqlalchemy import inspect

from ..admin.audit import describe, entries
from ..settings.core import load_settings
from ..store.sessions import tm_session
from .users import table, when


@click.command("audit")
@click.argument("config_uri")
@click.option("--limit", type=click.IntRange(min=1, max=100_000), default=50,
              show_default=True, help="How many entries, newest first.")
@click.option("--user", "login", default=None, metavar="NAME",
              help="Only the changes made by NAME (a login name, or cli:<OS user>).")
def audit(config_uri: str, limit: int, login: str | None) -> None:
    """Print who changed what, when and from where (the console's audit log)."""
    settings = load_settings(config_uri)
    with tm_session(settings) as session:
        if not inspect(session.connection()).has_table("podium_audit_log"):
            raise click.ClickException(f"the database has no audit log yet: run podium db "
                                       f"upgrade {config_uri}")
        rows = [["WHEN", "WHO", "WHAT", "TARGET", "DETAILS", "FROM"]]
        for entry in entries(session, limit=limit, login=login):
            rows.append([when(entry.at), entry.login, entry.action, entry.target or "-",
                         describe(entry) or "-",
                         f"{entry.address} {entry.user_agent}".strip() or "-"])
    if len(rows) == 1:
        click.echo("no change recorded" + (f" for {login!r}" if login else ""))
        return
    table(rows)
