"""Sessions joined to the request's transaction: zope.sqlalchemy's
listeners, registered once per session factory, and the session class that
tells the transaction about writes.

A module of its own because importing zope.sqlalchemy imports every database
driver it knows how to retry (psycopg, psycopg2, cx_Oracle, pymysql) that is
installed: psycopg alone is 10 MB of a process (bench.scaling).  Podium
imports it when the app first opens a session, not at start-up, so an app
on SQLite carries it only once a request used the database.
"""

from __future__ import annotations

from typing import Any

import transaction
from sqlalchemy.orm import Session
from zope.sqlalchemy.datamanager import (
    ZopeStatus,
    ZopeTransactionEvents,
    join_transaction,
    mark_changed,
)

from .orm_session import StoreSession


def manager_of(session: Session) -> Any:
    """The transaction manager a session was made for (``get_tm_session``
    puts it in ``session.info``); zope.sqlalchemy's global one otherwise."""
    return session.info.get("transaction_manager") or transaction.manager


class SessionTransactionEvents(ZopeTransactionEvents):
    """zope.sqlalchemy's listeners, registered once on the session factory.

    ``zope.sqlalchemy.register(session, transaction_manager=...)`` per request
    (the cookiecutter's way) adds seven event listeners to every new session:
    measured, a fifth of a one-row read's time (bench: db).  Registered once
    on the factory, the listeners find each session's manager in
    ``session.info["transaction_manager"]`` instead; what they do is
    zope.sqlalchemy's own (``join_transaction``, ``mark_changed``).

    The seventh, ``do_orm_execute``, is :class:`TransactionSession`'s
    ``execute()`` here: see there.
    """

    def after_begin(self, session: Session, transaction_: Any, connection: Any) -> None:
        join_transaction(session, self.initial_state, manager_of(session), self.keep_session)

    def after_attach(self, session: Session, instance: Any) -> None:
        join_transaction(session, self.initial_state, manager_of(session), self.keep_session)

    def after_flush(self, session: Session, flush_context: Any) -> None:
        mark_changed(session, manager_of(session), self.keep_session)

    def after_bulk_update(self, update_context: Any) -> None:
        session = update_context.session
        mark_changed(session, manager_of(session), self.keep_session)

    def after_bulk_delete(self, delete_context: Any) -> None:
        session = delete_context.session
        mark_changed(session, manager_of(session), self.keep_session)

    def before_commit(self, session: Session) -> None:
        assert session.in_nested_transaction() or (
            manager_of(session).get().status == ZopeStatus.COMMITTING
        ), "Transaction must be committed using the transaction manager"


#: The session events the listeners handle.
EVENTS = ("after_begin", "after_attach", "after_flush", "after_bulk_update",
          "after_bulk_delete", "before_commit")


class TransactionSession(StoreSession):
    """A session that tells its transaction about every statement that may
    write, whatever it is: an ORM, Core or ``text()`` INSERT, UPDATE or
    DELETE, sent through ``execute()``, ``scalars()`` or ``scalar()``.

    zope.sqlalchemy does this with a ``do_orm_execute`` listener, and only
    for ORM writes, so a ``text()`` or Core INSERT would be rolled back
    silently.  An override of the three methods, rather than the listener,
    because any ``do_orm_execute`` listener makes every statement, reads
    included, build an ``ORMExecuteState`` and prepare itself twice (bench:
    a ``get()`` 67 -> 62 us; updates, 20 of them, about -4%).
    """

    def _note_if_writing(self, statement: Any) -> None:
        # is_select is what ORMExecuteState.is_select reads.  Not a statement
        # at all (a string): Session.execute() refuses it with its own message.
        if not getattr(statement, "is_select", True):
            mark_changed(self, manager_of(self))

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self._note_if_writing(statement)
        return super().execute(statement, *args, **kwargs)

    def scalars(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self._note_if_writing(statement)
        return super().scalars(statement, *args, **kwargs)

    def scalar(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self._note_if_writing(statement)
        return super().scalar(statement, *args, **kwargs)
