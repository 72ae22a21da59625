"""``pshell development.ini`` with Podium's setup (``[pshell] setup =
podium.pshell.setup``), driven as a user drives it: lines typed on stdin
into the real pshell, what was saved read back on a connection of its own.

Before the setup, ``request.dbsession`` refused to write (pyramid_tm's
explicit manager is never begun outside its tween) and
``transaction.commit()`` committed the thread's manager, which no session
had joined: every write was dropped without a word.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from podium.testing import migrate

ROOT = Path(__file__).resolve().parents[2]
PSHELL = str(Path(sys.executable).with_name("pshell"))
GUIDE = ROOT / "docs" / "plugins.md"
FENCE = re.compile(r"^```(\S+)([^\n]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def guide_sample(sample_id: str) -> str:
    """The text of the fenced sample of docs/plugins.md tagged ``id=<sample_id>``."""
    for match in FENCE.finditer(GUIDE.read_text()):
        if f"id={sample_id}" in match.group(2).split():
            return match.group(3)
    raise LookupError(f"docs/plugins.md has no sample id={sample_id}")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shell.sqlite'}"
    migrate(url)
    return url


@pytest.fixture
def pshell(database_url: str) -> Callable[[str], subprocess.CompletedProcess[str]]:
    def run(typed: str) -> subprocess.CompletedProcess[str]:
        environ = {key: value for key, value in os.environ.items()
                   if not key.startswith("PODIUM_")}
        environ.update({"PODIUM_DATABASE_URL": database_url, "PODIUM_PLUGINS": "notes"})
        # The development.ini of the repository, as shipped, [pshell] section included.
        result = subprocess.run([PSHELL, "-p", "python", "development.ini"], cwd=ROOT,
                                input=textwrap.dedent(typed), capture_output=True, text=True,
                                env=environ, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        return result

    return run


def titles(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text("SELECT title FROM notes_note ORDER BY id")))
    finally:
        engine.dispose()


def test_transaction_commit_saves_what_dbsession_wrote(pshell, database_url) -> None:
    pshell("""\
        import transaction
        dbsession.add(models.Note("committed with transaction.commit()"))
        transaction.commit()
        """)
    assert titles(database_url) == ["committed with transaction.commit()"]


def test_tm_commit_saves_and_the_next_transaction_begins_by_itself(pshell, database_url) -> None:
    pshell("""\
        dbsession.add(models.Note("first"))
        tm.commit()
        request.dbsession.add(models.Note("second, through request.dbsession"))
        request.tm.commit()
        dbsession.add(models.Note("aborted"))
        tm.abort()
        dbsession.add(models.Note("third"))
        transaction.commit()
        """)
    assert titles(database_url) == ["first", "second, through request.dbsession", "third"]


def test_what_is_not_committed_is_dropped_when_the_shell_ends(pshell, database_url) -> None:
    pshell("""\
        dbsession.add(models.Note("kept"))
        tm.commit()
        dbsession.add(models.Note("never committed"))
        dbsession.flush()
        """)
    assert titles(database_url) == ["kept"]


def test_the_shell_has_one_manager_the_plugins_and_the_models(pshell) -> None:
    result = pshell("""\
        import transaction
        print("ONE", request.tm is tm is transaction.manager, request.dbsession is dbsession)
        print("PLUGINS", [p.name for p in plugins.enabled])
        print("MODELS", models.Note.__tablename__)
        """)
    printed = dict(line.split(" ", 1) for line in result.stdout.replace(">>> ", "").splitlines()
                   if line.startswith(("ONE", "PLUGINS", "MODELS")))
    assert printed == {"ONE": "True True", "PLUGINS": "['notes']", "MODELS": "notes_note"}


def test_the_session_of_the_guide(pshell, database_url) -> None:
    """docs/plugins.md's pshell session, typed as written: the note committed
    with transaction.commit() is saved, the one aborted is not."""
    typed = [line.removeprefix(">>> ") for line in guide_sample("pshell-session").splitlines()]
    pshell("\n".join(typed) + "\n")
    assert titles(database_url) == ["Typed at the prompt"]
