"""Sessions bound to a transaction: pyramid_tm per request, zope.sqlalchemy
joining each session to its manager, and ``request.dbsession``.

The view never commits: pyramid_tm commits when the view succeeds and aborts
on an exception, a doomed transaction or a 4xx/5xx response.

zope.sqlalchemy is imported by the first session, not with this module,
because importing it imports every database driver it can retry that is
installed, which an app that has not used its database need not carry.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import transaction
from pyramid.config import Configurator
from pyramid.registry import Registry
from pyramid.request import Request
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from .after_commit import request_after_commit


def manager_of(session: Session) -> Any:
    """The transaction manager a session was made for (``get_tm_session``
    puts it in ``session.info``); zope.sqlalchemy's global one otherwise."""
    return session.info.get("transaction_manager") or transaction.manager


def mark_changed(session: Session, transaction_manager: Any = None,
                 keep_session: bool = False) -> None:
    """zope.sqlalchemy's ``mark_changed``: make the transaction commit a
    session whose writes zope.sqlalchemy cannot see.  Podium already marks
    any statement that is not a SELECT sent through ``execute``, ``scalars``
    or ``scalar``, so only writes on ``session.connection()`` need it.

    The manager defaults to the one the session was made for (the
    request's, or :func:`tm_session`'s), where zope.sqlalchemy's default is
    the thread's global manager: a session not yet joined would join that
    one instead."""
    from zope.sqlalchemy import mark_changed as zope_mark_changed

    zope_mark_changed(session, transaction_manager or manager_of(session), keep_session)


class TransactionSession(Session):
    """A plain SQLAlchemy ``Session`` that tells its transaction about every
    statement that may write: an ORM, Core or ``text()`` INSERT, UPDATE or
    DELETE sent through ``execute()``, ``scalars()`` or ``scalar()``.

    zope.sqlalchemy's ``do_orm_execute`` listener marks only ORM writes, so
    a ``text()`` or Core INSERT would be rolled back silently.  This
    overrides the three public methods rather than adding a listener of its
    own because, once any ``do_orm_execute`` listener exists, SQLAlchemy
    builds an ``ORMExecuteState`` for every statement, reads included, where
    the override reads one attribute of the statement.
    """

    def _note_if_writing(self, statement: Any) -> None:
        # Executable.is_select; not a statement at all (a string):
        # Session.execute() refuses it with its own message.
        if not getattr(statement, "is_select", True):
            mark_changed(self)

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self._note_if_writing(statement)
        return super().execute(statement, *args, **kwargs)

    def scalars(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self._note_if_writing(statement)
        return super().scalars(statement, *args, **kwargs)

    def scalar(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self._note_if_writing(statement)
        return super().scalar(statement, *args, **kwargs)


def _listen_for_transactions(factory: sessionmaker[Session]) -> None:
    """zope.sqlalchemy's listeners, registered once on the factory rather than
    on each session (``zope.sqlalchemy.register``), since every session finds
    its own manager in ``session.info``.  They call zope.sqlalchemy's public
    ``join_transaction`` and ``mark_changed``; the commit check is
    zope.sqlalchemy's own, run for the session's manager.  Its
    ``do_orm_execute`` listener is left out: :class:`TransactionSession`
    does that work."""
    from zope.sqlalchemy.datamanager import (
        ZopeTransactionEvents,
        join_transaction,
    )

    def after_begin(session: Session, transaction_: Any, connection: Any) -> None:
        join_transaction(session, transaction_manager=manager_of(session))

    def after_attach(session: Session, instance: Any) -> None:
        join_transaction(session, transaction_manager=manager_of(session))

    def after_flush(session: Session, flush_context: Any) -> None:
        mark_changed(session)

    def after_bulk_update(update_context: Any) -> None:
        mark_changed(update_context.session)

    def after_bulk_delete(delete_context: Any) -> None:
        mark_changed(delete_context.session)

    def before_commit(session: Session) -> None:
        # Only the transaction manager commits a session (or a savepoint).
        ZopeTransactionEvents(transaction_manager=manager_of(session)).before_commit(session)

    for listener in (after_begin, after_attach, after_flush, after_bulk_update,
                     after_bulk_delete, before_commit):
        event.listen(factory, listener.__name__, listener)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions join the transaction manager they
    are made for (see :func:`get_tm_session`)."""
    factory: sessionmaker[Session] = sessionmaker(bind=engine, class_=TransactionSession)
    _listen_for_transactions(factory)
    return factory


_FACTORY_KEY = "podium.session_factory"
_factory_lock = threading.Lock()


def session_factory(registry: Registry) -> sessionmaker[Session]:
    """The app's session factory, made by the first request that opens a
    session (and so the first to import zope.sqlalchemy)."""
    factory: sessionmaker[Session] | None = registry.get(_FACTORY_KEY)
    if factory is None:
        with _factory_lock:
            factory = registry.get(_FACTORY_KEY)
            if factory is None:
                factory = registry[_FACTORY_KEY] = make_session_factory(
                    registry["podium.engine"])
    return factory


def get_tm_session(
    session_factory: sessionmaker[Session],
    transaction_manager: transaction.TransactionManager,
    request: Request | None = None,
) -> Session:
    """A session joined to ``transaction_manager`` (``session_factory`` comes
    from :func:`make_session_factory`).

    Outside a request (scripts, CLI commands) use it under the manager::

        with transaction.manager as tm:
            dbsession = get_tm_session(factory, tm)
    """
    return session_factory(info={"request": request, "transaction_manager": transaction_manager})


@contextlib.contextmanager
def tm_session(settings_or_engine: Mapping[str, Any] | Engine) -> Iterator[Session]:
    """A session in a transaction of its own, for scripts and CLI commands.

    The same rules as a request: the block commits when it ends, aborts when
    it raises (and re-raises), and ``text()`` or Core writes are committed
    like ORM ones; :func:`podium.store.after_commit.after_commit` works on
    the session.  Nothing is written outside it (``load_settings`` is
    :func:`podium.settings.core.load_settings`)::

        with tm_session(load_settings("production.ini")) as dbsession:
            dbsession.add(Note("imported"))

    Given settings, it builds (and disposes of) an engine of its own; given
    an engine, it uses it.
    """
    from .engine import make_engine

    own_engine = not isinstance(settings_or_engine, Engine)
    if isinstance(settings_or_engine, Engine):
        engine = settings_or_engine
    else:
        engine = make_engine(dict(settings_or_engine))
    manager = transaction.TransactionManager(explicit=True)
    try:
        with manager:
            yield get_tm_session(make_session_factory(engine), manager)
    finally:
        if own_engine:
            engine.dispose()


def _request_dbsession(request: Request) -> Session:
    return get_tm_session(session_factory(request.registry), request.tm, request)


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    # Defaults only: every tm.* setting an app gives works as pyramid_tm
    # documents it.  An explicit manager per request, so that nothing begins
    # a transaction by accident and no thread shares the request's.
    settings.setdefault("tm.manager_hook", "pyramid_tm.explicit_manager")
    # A 4xx/5xx response means the request did not do what it was asked:
    # nothing it wrote may stay.
    settings.setdefault("tm.commit_veto", "pyramid_tm.default_commit_veto")
    config.include("pyramid_tm")
    settings.setdefault("retry.activate_hook", "podium.store.retry.seek_instead_of_copying")
    config.include("pyramid_retry")

    config.add_request_method(_request_dbsession, "dbsession", reify=True)
    config.add_request_method(request_after_commit, "after_commit")
