"""Side effects after a successful commit: mail, HTTP calls, cache purges.

A view must not send a mail itself: its transaction may still abort (an
error later in the request, a commit veto) or fail to commit and be retried
by pyramid_retry, which would send it twice.  ``request.after_commit(fn,
*args, **kwargs)`` runs ``fn`` once the request's transaction has committed,
and only then.  Each attempt of a retried request has a transaction of its
own, and only the one that commits runs its hooks, so ``fn`` runs once.

``fn`` runs after the commit, outside any transaction: it cannot change the
response any more, and what it raises is logged and swallowed (the data is
committed; the client gets its answer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import transaction
from pyramid.request import Request
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def _run_if_committed(committed: bool, fn: Callable[..., Any], args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> None:
    if not committed:
        log.info("transaction did not commit: %s is not run", _name(fn))
        return
    try:
        fn(*args, **kwargs)
    except Exception:
        log.exception("after-commit hook %s failed (the transaction is committed)", _name(fn))


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


def _manager_of(target: Request | Session | transaction.TransactionManager) -> Any:
    if isinstance(target, Session):
        manager = target.info.get("transaction_manager")
        if manager is None:
            raise RuntimeError("this session is not joined to a transaction manager "
                               "(use request.dbsession or podium.api.tm_session)")
        return manager
    if isinstance(target, Request):
        return target.tm
    return target


def after_commit(target: Request | Session | transaction.TransactionManager,
                 fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``fn(*args, **kwargs)`` after the current transaction of ``target``
    (a request, a session from ``tm_session``, or a transaction manager)
    commits; never if it aborts or fails to commit."""
    try:
        current = _manager_of(target).get()
    except transaction.interfaces.NoTransaction:
        raise RuntimeError("after_commit() needs an active transaction: call it from a "
                           "view (pyramid_tm) or inside podium.api.tm_session()") from None
    current.addAfterCommitHook(_run_if_committed, args=(fn, args, kwargs))


def request_after_commit(request: Request, fn: Callable[..., Any], *args: Any,
                         **kwargs: Any) -> None:
    """``request.after_commit(fn, *args, **kwargs)``: see :func:`after_commit`."""
    after_commit(request, fn, *args, **kwargs)
