"""``podium notes ...``: import and export notes from the command line.

``podium notes import CONFIG_URI FILE`` reads every note of a JSON or CSV
file (see :mod:`podium_notes.transfer` for the formats) and stores the valid
ones in one transaction:

- The file is read and every note validated *before* the database is
  touched, with the rules of the form and the API.  A bad note is reported
  on stderr with its place in the file (``notes.csv:7: title: A title is
  required``) and skipped; the good ones are imported all the same, in one
  transaction.  ``--strict`` imports nothing if any note is refused.
- A file that cannot be read as a whole (missing, not UTF-8, invalid JSON,
  not a list, no CSV header, broken CSV quoting) stops the command with one
  ``Error:`` line before anything is written.  So does a database error while
  writing: the transaction is rolled back, nothing is half imported.
- ``--dry-run`` does all the reading and checking, reports, and writes nothing.

Exit status: 0 every note imported; 1 nothing imported (an error, or refused
notes with ``--strict``); 3 the valid notes imported, some refused.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

import click
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from podium.api import InvalidInput, app_env, plugin_set

from .models import Note, utcnow
from .schemas import validate_imported_note
from .settings import NAMESPACE
from .transfer import (
    FORMATS,
    FileFormatError,
    Record,
    format_of,
    read_records,
    write_csv,
    write_json,
)

#: Exit status when some notes were refused and the others imported.
EXIT_SOME_REFUSED = 3
#: Notes added to the session between two flushes (and progress bar updates).
BATCH_SIZE = 500


@click.group(name=NAMESPACE)
def notes() -> None:
    """Notes: import notes from JSON or CSV files, export them."""


@notes.command(name="import")
@click.argument("config_uri")
@click.argument("file", metavar="FILE")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="The file's format (default: from its extension, .json or .csv).")
@click.option("--dry-run", is_flag=True,
              help="Read and check everything, report, and write nothing.")
@click.option("--strict", is_flag=True,
              help="Import nothing if any note is refused (default: import the valid ones).")
def import_notes(config_uri: str, file: str, fmt: str | None, dry_run: bool,
                 strict: bool) -> None:
    """Import notes from FILE (JSON or CSV; - reads stdin) into CONFIG_URI's database.

    \b
    JSON: a list of objects  [{"title": "...", "body": "...", "created_at": "..."}]
    CSV:  a header row       title,body[,created_at[,updated_at]]
    created_at and updated_at are optional, ISO 8601 with an offset
    (2024-05-01T09:30:00+00:00); without them a note is dated at the import.

    Invalid notes are reported with their line (and JSON index) and skipped;
    the valid ones are imported in one transaction.  Exit status: 0 all
    imported, 1 nothing imported (error), 3 some refused.
    """
    name = "<stdin>" if file == "-" else file
    records = _read(file, name, fmt)
    accepted, refused = _validate(records)
    for record, reason in refused:
        click.echo(f"{name}:{record.where}: {reason}", err=True)
    if strict and refused:
        raise click.ClickException(
            f"{_count(len(refused), 'row')} refused (listed above); nothing imported (--strict)"
        )

    try:
        with app_env(config_uri) as env:
            _check_enabled(env.registry, config_uri)
            if dry_run:
                _check_table(env.dbsession, config_uri)
            else:
                _insert(env.dbsession, accepted)
    except DBAPIError as exc:
        raise click.ClickException(_database_problem(exc, config_uri, "nothing imported")) from None

    summary = f"{_count(len(accepted), 'note')}, {_count(len(refused), 'row')} refused"
    if dry_run:
        click.echo(f"dry run: would import {summary}; nothing written")
    else:
        click.echo(f"imported {summary}")
    if refused:
        sys.exit(EXIT_SOME_REFUSED)


@notes.command(name="export")
@click.argument("config_uri")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-",
              help="The file to write (default: stdout); replaced only once the export is "
                   "complete.")
def export_notes(config_uri: str, fmt: str, output: str) -> None:
    """Write every note of CONFIG_URI's database, oldest first, as JSON or CSV.

    The output is what import reads: export, then import into another
    platform, gives the same titles, bodies and timestamps (new ids).
    """
    write = write_json if fmt == "json" else write_csv
    try:
        with app_env(config_uri) as env, _output(output) as out:
            _check_enabled(env.registry, config_uri)
            query = select(Note).order_by(Note.id).execution_options(yield_per=BATCH_SIZE)
            count = write(env.dbsession.scalars(query), out)
    except DBAPIError as exc:
        raise click.ClickException(
            _database_problem(exc, config_uri, "nothing exported")) from None
    except OSError as exc:
        raise click.ClickException(
            f"cannot write {output}: {exc.strerror or exc}; nothing exported") from None
    click.echo(f"exported {_count(count, 'note')}", err=True)


@contextlib.contextmanager
def _output(path: str) -> Iterator[TextIO]:
    """stdout, or a file that appears (or is replaced) only if the export succeeds."""
    if path == "-":
        out = click.get_text_stream("stdout", encoding="utf-8")
        yield out
        out.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".notes-export-", dir=directory)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            yield out
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


# -- the steps of an import ----------------------------------------------------------------


def _read(file: str, name: str, fmt: str | None) -> list[Record]:
    """Every record of the file, or a ClickException (one ``Error:`` line)."""
    try:
        fmt = format_of(name, fmt)
        if file == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(file, "rb") as f:
                raw = f.read()
        return read_records(raw, fmt)
    except FileFormatError as exc:
        raise click.ClickException(f"{name}: {exc}; nothing imported") from None
    except OSError as exc:
        raise click.ClickException(
            f"cannot read {name}: {exc.strerror or exc}; nothing imported"
        ) from None


def _validate(records: Sequence[Record]) -> tuple[list[dict[str, Any]], list[tuple[Record, str]]]:
    accepted, refused = [], []
    for record in records:
        if record.problem:
            refused.append((record, record.problem))
            continue
        try:
            accepted.append(validate_imported_note(record.data))
        except InvalidInput as exc:
            refused.append((record, _reason(exc)))
    return accepted, refused


def _reason(exc: InvalidInput) -> str:
    if not exc.fields:
        return str(exc.detail)
    return "; ".join(f"{field}: {message.rstrip('.')}" for field, message in exc.fields.items())


def _insert(dbsession: Session, accepted: Sequence[dict[str, Any]]) -> None:
    """Add the notes in batches, with a progress bar on stderr.

    Notes without ``created_at`` share the import's instant; their ids keep
    the file's order, so the newest-first list shows the file's last note first.
    """
    if not accepted:
        return
    now = utcnow()
    with click.progressbar(length=len(accepted), label="Importing notes",
                           file=click.get_text_stream("stderr"), show_pos=True) as bar:
        for batch in _batches(accepted, BATCH_SIZE):
            dbsession.add_all(_note(values, now) for values in batch)
            dbsession.flush()
            bar.update(len(batch))


def _note(values: dict[str, Any], now: datetime.datetime) -> Note:
    note = Note(values["title"], values["body"], now=values.get("created_at", now))
    if "updated_at" in values:
        note.updated_at = values["updated_at"]
    return note


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _check_enabled(registry: Any, config_uri: str) -> None:
    if plugin_set(registry).get(NAMESPACE) is None:
        raise click.ClickException(
            f"the notes plugin is not enabled in {config_uri}: add notes to podium.plugins"
        )


def _check_table(dbsession: Session, config_uri: str) -> None:
    """A dry run writes nothing, but it still proves the database is ready."""
    dbsession.scalar(select(func.count()).select_from(Note))


def _database_problem(exc: DBAPIError, config_uri: str, consequence: str) -> str:
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    return (f"the database refused the notes ({detail}); {consequence}. "
            f"Is it migrated? podium db upgrade {config_uri}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
