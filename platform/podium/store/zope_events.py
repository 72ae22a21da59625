"""zope.sqlalchemy's session listeners, registered once per session factory.

A module of its own because importing zope.sqlalchemy imports every database
driver it knows how to retry (psycopg, psycopg2, cx_Oracle, pymysql) that is
installed: psycopg alone is 10 MB of a process (bench.scaling).  Podium
imports it when the app first opens a session, not at start-up, so an app
on SQLite carries it only once a request used the database.
"""

from __future__ import annotations

from typing import Any

import transaction
from sqlalchemy.orm import ORMExecuteState, Session
from zope.sqlalchemy.datamanager import (
    ZopeStatus,
    ZopeTransactionEvents,
    join_transaction,
    mark_changed,
)


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

    One deliberate difference: any statement that is not a SELECT marks the
    session changed.  zope.sqlalchemy only notices ORM writes, so a ``text()``
    or Core INSERT through ``session.execute`` would be rolled back silently.
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

    def do_orm_execute(self, execute_state: ORMExecuteState) -> None:
        if not execute_state.is_select:
            session = execute_state.session
            mark_changed(session, manager_of(session), self.keep_session)


#: The session events the listeners handle.
EVENTS = ("after_begin", "after_attach", "after_flush", "after_bulk_update",
          "after_bulk_delete", "before_commit", "do_orm_execute")
