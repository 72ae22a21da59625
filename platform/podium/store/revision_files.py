"""Where a database stands, read without alembic: revision files as text,
``alembic_version`` with one SELECT.

The start-up check (``podium.db.require_current``) only needs to know that
a database is current; :func:`quick_status` tells it without importing
alembic.  Whenever it cannot answer with certainty (a revision file that
computes its ids, a dependency named by label or partial id, no version
table yet) it returns None and alembic decides, and explains.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from .schema import Branch, Revisions, SchemaStatus, as_tuple

#: Files alembic reads as revisions (alembic.script.base._only_source_rev_file).
_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
_NAMES = {"revision": "revision", "down_revision": "down_revision",
          "depends_on": "dependencies"}


@dataclass(frozen=True)
class RevisionFile:
    """What a revision file declares, read as text."""

    revision: str
    down_revision: str | tuple[str, ...] | None
    dependencies: str | tuple[str, ...] | None
    path: str


def read_revision_file(path: Path) -> RevisionFile | None:
    """The file's module-level ``revision``, ``down_revision`` and
    ``depends_on``, or None unless each is a plain literal assigned once."""
    try:
        tree = ast.parse(path.read_bytes(), str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    found: dict[str, Any] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _NAMES:
                if target.id in found:
                    return None  # assigned twice: only running it would tell
                try:
                    found[target.id] = ast.literal_eval(value)
                except ValueError:
                    return None
    revision = found.get("revision")
    if not isinstance(revision, str):
        return None
    values = {}
    for name in ("down_revision", "depends_on"):
        value = found.get(name)
        if isinstance(value, list):
            value = tuple(value)
        if value is not None and not (isinstance(value, str) or (
                isinstance(value, tuple) and all(isinstance(v, str) for v in value))):
            return None
        values[_NAMES[name]] = value
    return RevisionFile(revision, values["down_revision"], values["dependencies"], str(path))


def read_revision_files(branches: Iterable[Branch]) -> list[RevisionFile] | None:
    """Every branch's revisions, oldest first; None if any file cannot be
    read as plain declarations (alembic must then run it)."""
    found: dict[str, RevisionFile] = {}
    seen: set[str] = set()
    for branch in branches:
        directory = Path(branch.directory)
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir()):
            if not entry.is_file() or not _REVISION_FILE.match(entry.name):
                continue
            real = str(entry.resolve())
            if real in seen:
                continue
            seen.add(real)
            revision = read_revision_file(entry)
            if revision is None or revision.revision in found:
                return None
            found[revision.revision] = revision
    return _oldest_first(found)


def _oldest_first(found: dict[str, RevisionFile]) -> list[RevisionFile] | None:
    """A topological order (parents first); None on an unknown parent or a cycle."""
    parents = {}
    for rev in found.values():
        needed = as_tuple(rev.down_revision) + as_tuple(rev.dependencies)
        if any(p not in found for p in needed):
            return None  # a partial id or a label: alembic resolves those
        parents[rev.revision] = set(needed)
    ordered: list[RevisionFile] = []
    done: set[str] = set()
    while len(ordered) < len(found):
        ready = sorted(r for r, needs in parents.items() if r not in done and needs <= done)
        if not ready:
            return None
        for revision in ready:
            done.add(revision)
            ordered.append(found[revision])
    return ordered


def recorded_heads(connection: Connection) -> tuple[str, ...] | None:
    """The rows of ``alembic_version``, or None when it cannot be read (no
    such table yet: alembic then says what is missing).  After None, the
    connection's transaction may be unusable (PostgreSQL): drop it."""
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return tuple(row[0] for row in rows)
    except DBAPIError:
        return None


def quick_status(connection: Connection, branches: list[Branch]) -> SchemaStatus | None:
    """The database's status from the files as text, or None when only
    alembic can tell."""
    files = read_revision_files(branches)
    if files is None:
        return None
    heads = recorded_heads(connection)
    if heads is None:
        return None
    return Revisions(files, branches).status(heads)
