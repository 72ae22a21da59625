"""Notes written straight to the database, for the notes plugin's tests.

Shared by the page and API tests: they check what the views stored by
reading the table directly, not through the views under test.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select

from podium_notes.models import Note

notes_table = Note.__table__


def rows(engine: Engine) -> list[dict[str, Any]]:
    """Every stored note, oldest id first."""
    with engine.connect() as conn:
        result = conn.execute(select(notes_table).order_by(notes_table.c.id))
        return [dict(row._mapping) for row in result]


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(notes_table)).scalar_one()


def add_notes(engine: Engine, how_many: int, *, title: str = "Note {}") -> list[int]:
    """Store notes written one minute apart (note 0 the oldest); their ids."""
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    ids = []
    with engine.begin() as conn:
        for i in range(how_many):
            when = start + datetime.timedelta(minutes=i)
            values = {
                "title": title.format(i),
                "body": f"Body {i}",
                "created_at": when,
                "updated_at": when,
            }
            ids.append(conn.execute(insert(notes_table).values(values)).inserted_primary_key[0])
    return ids


def bearer_client(podium_app: Any, token: str) -> Any:
    """A WebTest client that sends ``Authorization: Bearer <token>`` with every
    request, as a program using the JSON API does."""
    from podium.testing import PodiumTestApp

    return PodiumTestApp(podium_app, extra_environ={
        "HTTP_HOST": "localhost", "HTTP_AUTHORIZATION": f"Bearer {token}"})


#: The roles of a site whose operator opened the notes to anonymous writers
#: (the README's "Permissions"): for the tests whose subject is how requests
#: are handled (CSRF, bad input, fuzzing, headers), not who may send them.
OPEN_TO_EVERYONE = {"podium.roles.everyone": "notes.view notes.create notes.edit notes.delete "
                                             "notes.edit_any notes.export"}
