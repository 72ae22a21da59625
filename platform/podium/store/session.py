"""Sessions bound to the request's transaction (pyramid_tm + zope.sqlalchemy).

The view never commits: pyramid_tm commits when the view succeeds and aborts
on an exception, a doomed transaction or a 4xx/5xx response.
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

from .hooks import request_after_commit
from .transactions import lazy_manager


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions join the transaction they are given
    (see :mod:`podium.store.zope_events`)."""
    from .zope_events import EVENTS, SessionTransactionEvents, TransactionSession

    factory = sessionmaker(bind=engine, class_=TransactionSession)
    events = SessionTransactionEvents()
    for name in EVENTS:
        event.listen(factory, name, getattr(events, name))
    return factory


_FACTORY_KEY = "podium.session_factory"
_factory_lock = threading.Lock()


def session_factory(registry: Registry) -> sessionmaker[Session]:
    """The app's session factory, made by the first request that opens a
    session (and so the first to import zope.sqlalchemy)."""
    factory = registry.get(_FACTORY_KEY)
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
    like ORM ones; :func:`podium.store.hooks.after_commit` works on the
    session.  Nothing is written outside it (``load_settings`` is
    :func:`podium.settings.load_settings`)::

        with tm_session(load_settings("production.ini")) as dbsession:
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
    return get_tm_session(session_factory(request.registry), request.tm, request)


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    # An explicit manager per request: nothing begins a transaction by
    # accident, and the request's transaction is never shared with a thread.
    # Its transaction starts when something uses it (see .transactions).
    # Given as the function, not its dotted name: pyramid_tm resolves a name
    # on every request.
    settings.setdefault("tm.manager_hook", lazy_manager)
    # A 4xx/5xx response means the request did not do what it was asked:
    # nothing it wrote may stay.
    settings.setdefault("tm.commit_veto", "pyramid_tm.default_commit_veto")
    # pyramid_tm would ask the security policy for the user on every request
    # to annotate the transaction, which nothing here reads (bench: db, -10%).
    settings.setdefault("tm.annotate_user", "false")
    config.include(".tween")  # pyramid_tm, with a transaction only when used
    settings.setdefault("retry.activate_hook", "podium.store.retry.seek_instead_of_copying")
    config.include("pyramid_retry")

    config.add_request_method(_request_dbsession, "dbsession", reify=True)
    config.add_request_method(request_after_commit, "after_commit")
