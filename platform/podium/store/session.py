"""Sessions bound to the request's transaction (pyramid_tm + zope.sqlalchemy).

The view never commits: pyramid_tm commits when the view succeeds and aborts
on an exception, a doomed transaction or a 4xx/5xx response.
"""

from __future__ import annotations

from typing import Any

import transaction
import zope.sqlalchemy
from pyramid.config import Configurator
from pyramid.request import Request
from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker


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

    engine: Any = config.registry["podium.engine"]
    config.registry["podium.session_factory"] = make_session_factory(engine)
    config.add_request_method(_request_dbsession, "dbsession", reify=True)
