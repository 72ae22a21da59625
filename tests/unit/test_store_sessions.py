"""``request.dbsession``'s class: SQLAlchemy's ``Session`` that notices writes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from podium.store.engine import make_engine
from podium.store.sessions import TransactionSession, make_session_factory, tm_session


@pytest.fixture
def engine(tmp_path: Any) -> Any:
    engine = make_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'sessions.sqlite'}"})
    yield engine
    engine.dispose()


def test_the_session_is_sqlalchemys_own_but_for_noticing_writes(engine: Any) -> None:
    session = make_session_factory(engine)()
    assert isinstance(session, TransactionSession) and isinstance(session, Session)
    overridden = {name for name in vars(TransactionSession) if not name.startswith("__")}
    assert overridden == {"execute", "scalars", "scalar", "_note_if_writing"}


def test_a_string_is_refused_as_session_execute_refuses_it(engine: Any) -> None:
    for method in ("execute", "scalars", "scalar"):
        messages = []
        for session_class in (Session, TransactionSession):
            with session_class(bind=engine) as session, pytest.raises(ArgumentError) as raised:
                getattr(session, method)("SELECT 1")
            messages.append(str(raised.value))
        assert messages[0] == messages[1] and "text('SELECT 1')" in messages[0]


@pytest.mark.parametrize("method", ["execute", "scalars", "scalar"])
def test_a_text_write_is_committed_by_tm_session(engine: Any, method: str) -> None:
    with tm_session(engine) as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    with tm_session(engine) as session:
        result = getattr(session, method)(text("INSERT INTO t VALUES (1) RETURNING n"))
        if method != "scalar":
            result.all()
    with tm_session(engine) as session:
        assert session.scalar(text("SELECT count(*) FROM t")) == 1


def test_only_the_transaction_manager_commits_the_session(engine: Any) -> None:
    with pytest.raises(AssertionError, match="committed using the transaction manager"), \
            tm_session(engine) as session:
        session.execute(text("SELECT 1"))
        session.commit()
