"""The request's transaction manager, whose transaction starts when used.

Made on first access to ``request.tm`` (see :mod:`podium.store.tween`), it
is an explicit manager already begun, as pyramid_tm's would be inside its
tween; the ``Transaction`` itself is created when something uses it
(``get()``, which zope.sqlalchemy calls when a session joins, ``doom()``, a
savepoint).  Creating, annotating and committing an empty transaction for a
request that never used one cost about 28 us (bench: json, in-process).
"""

from __future__ import annotations

from typing import Any

from pyramid.request import Request
from transaction import Transaction, TransactionManager
from transaction.interfaces import AlreadyInTransaction


class _PendingTransaction:
    """What ``begin()`` hands back before the transaction exists: pyramid_tm
    annotates it (``note``, ``user``); the annotations reach the real one."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.user: str | None = None
        self.description = ""

    def note(self, text: str) -> None:
        self.notes.append(text)


class LazyTransactionManager(TransactionManager):
    def __init__(self) -> None:
        super().__init__(explicit=True)
        self._pending: _PendingTransaction | None = None

    def begin(self) -> Any:
        if self._txn is not None or self._pending is not None:
            raise AlreadyInTransaction()
        self._pending = _PendingTransaction()
        return self._pending

    def _start(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        txn: Transaction = super().begin()
        for text in pending.notes:
            txn.note(text)
        if pending.user:
            txn.user = pending.user

    def get(self) -> Transaction:
        if self._txn is None:
            self._start()
        return super().get()

    def isDoomed(self) -> bool:
        return self._txn is not None and self._txn.isDoomed()

    def commit(self) -> None:
        if self._txn is None and self._pending is not None:
            self._pending = None  # never used: nothing to commit
            return
        super().commit()

    def abort(self) -> None:
        if self._txn is None and self._pending is not None:
            self._pending = None
            return
        super().abort()

    def free(self, txn: Transaction) -> None:
        super().free(txn)
        self._pending = None


def lazy_manager(request: Request) -> LazyTransactionManager:
    """``tm.manager_hook``: one manager per request, as pyramid_tm's
    ``explicit_manager``, already begun (see :mod:`podium.store.tween`), whose
    transaction starts on first use."""
    manager = LazyTransactionManager()
    pending = manager.begin()
    try:
        pending.note(request.path_info)
    except UnicodeDecodeError:
        pending.note("Unable to decode path as unicode")
    request.environ["tm.manager"] = manager
    return manager
