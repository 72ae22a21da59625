"""Sessions bound to the request's transaction (pyramid_tm + zope.sqlalchemy).

The view never commits: pyramid_tm commits when the view succeeds and aborts
on an exception, a doomed transaction or a 4xx/5xx response.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import transaction
import zope.sqlalchemy
from pyramid.config import Configurator
from pyramid.request import Request
from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from .hooks import request_after_commit


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(bind=engine, future=True)
    event.listen(factory, "do_orm_execute", _mark_non_select_as_changed)
    return factory


def _mark_non_select_as_changed(state: ORMExecuteState) -> None:
    """zope.sqlalchemy only notices ORM writes; a ``text()`` or Core INSERT
    through ``session.execute`` would otherwise be rolled back silently at the
    end of the request.  Any statement that is not a SELECT marks the session
    as changed so the transaction commits it."""
    if state.is_select:
        return
    manager = state.session.info.get("transaction_manager")
    if manager is not None:
        zope.sqlalchemy.mark_changed(state.session, transaction_manager=manager)


def get_tm_session(
    session_factory: sessionmaker[Session],
    transaction_manager: transaction.TransactionManager,
    request: Request | None = None,
) -> Session:
    """A session joined to ``transaction_manager``.

    Outside a request (scripts, CLI commands) use it under the manager::

        with transaction.manager as tm:
            dbsession = get_tm_session(factory, tm)
    """
    dbsession = session_factory(
        info={"request": request, "transaction_manager": transaction_manager}
    )
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


@contextlib.contextmanager
def tm_session(settings_or_engine: Mapping[str, Any] | Engine) -> Iterator[Session]:
    """A session in a transaction of its own, for scripts and CLI commands.

    The same rules as a request: the block commits when it ends, aborts when
    it raises (and re-raises), and ``text()`` or Core writes are committed
    like ORM ones; :func:`podium.store.hooks.after_commit` works on the
    session.  Nothing is written outside it::

        with tm_session(app_settings("production.ini")) as dbsession:
            dbsession.add(Note("imported"))

    Given settings, it builds (and disposes of) an engine of its own; given
    an engine, it uses it.
    """
    from .engine import make_engine

    own_engine = not isinstance(settings_or_engine, Engine)
    engine = make_engine(dict(settings_or_engine)) if own_engine else settings_or_engine
    manager = transaction.TransactionManager(explicit=True)
    try:
        with manager:
            yield get_tm_session(make_session_factory(engine), manager)
    finally:
        if own_engine:
            engine.dispose()


def _request_dbsession(request: Request) -> Session:
    return get_tm_session(request.registry["podium.session_factory"], request.tm, request)


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    # An explicit manager per request: nothing begins a transaction by
    # accident, and the request's transaction is never shared with a thread.
    settings.setdefault("tm.manager_hook", "pyramid_tm.explicit_manager")
    # A 4xx/5xx response means the request did not do what it was asked:
    # nothing it wrote may stay.
    settings.setdefault("tm.commit_veto", "pyramid_tm.default_commit_veto")
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    config.include(".retry")

    engine: Any = config.registry["podium.engine"]
    config.registry["podium.session_factory"] = make_session_factory(engine)
    config.add_request_method(_request_dbsession, "dbsession", reify=True)
    config.add_request_method(request_after_commit, "after_commit")
