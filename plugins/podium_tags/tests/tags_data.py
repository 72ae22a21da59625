"""What the tests read back from the database, through their own connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from podium.testing import PodiumTestApp, base_settings


def note_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM notes_note ORDER BY id")).scalars())


def stored_tags(engine: Engine) -> dict[int, list[str]]:
    """Every note's tags by note id (notes without tags left out), names sorted."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT l.note_id, t.name FROM tags_note_tag l JOIN tags_tag t ON t.id = l.tag_id "
            "ORDER BY l.note_id, t.name"))
        found: dict[int, list[str]] = {}
        for note_id, name in rows:
            found.setdefault(note_id, []).append(name)
        return found


def tag_names(engine: Engine) -> list[str]:
    """Every row of tags_tag, used or not."""
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT name FROM tags_tag ORDER BY name")).scalars())


def link_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM tags_note_tag")).scalar_one()


def write_ini(path: Path, database_url: str, plugins: str = "notes tags") -> Path:
    """An ini file serving ``database_url`` with the test kit's settings and these plugins."""
    settings = base_settings(database_url, plugins)
    lines = ["[app:main]", "use = egg:podium",
             *(f"{key} = {value}".replace("%", "%%") for key, value in settings.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- the clients: the notes' defaults let a signed-in user write notes and change
# their own, and nobody else write.  (Fixtures are defined in each module from
# these: a conftest.py here would be one more module named ``conftest``, which
# the core's tests import by that name.)


def browser(podium_app: Any, user: Any) -> PodiumTestApp:
    """A browser signed in as ``user`` (a session: forms carry the CSRF token)."""
    app = PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})
    app.login(user.id)
    return app


def program(podium_app: Any, token: str) -> PodiumTestApp:
    """A program sending ``Authorization: Bearer <token>`` with every request."""
    return PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost",
                                                    "HTTP_AUTHORIZATION": f"Bearer {token}"})


def visitor(podium_app: Any) -> PodiumTestApp:
    """Somebody nobody is signed in as."""
    return PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})
