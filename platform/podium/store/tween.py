"""The request's transaction, begun only when the request uses it.

pyramid_tm's tween begins a transaction for every request and finishes it
after the view, even when nothing touched the database (a JSON status, a
static file, a 404); measured, that was the largest part of what the
platform added to a plain Pyramid JSON hello (bench: json).  This tween is
pyramid_tm's, step for step (same settings, same ``request.tm``, commit
veto, doom, ``AbortWithResponse``, retryable tagging, errors at commit
rendered by the exception views), with one difference: the manager is made
when something asks for ``request.tm`` (``request.dbsession`` does), with
its transaction already begun, and the tween finishes only a manager that
exists.  A request that never asked has no transaction to commit.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from pyramid.config import Configurator
from pyramid.exceptions import NotFound
from pyramid.path import DottedNameResolver
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.tweens import EXCVIEW
from pyramid_tm import AbortWithResponse, TMActivePredicate, create_tm, maybe_tag_retryable

_resolve = DottedNameResolver().maybe_resolve


def _finish(request: Request, finisher: Callable[[], Any],
            response: Response | None = None) -> Response | None:
    """Commit or abort; an error doing so is rendered by the exception views."""
    environ = request.environ
    environ.pop("tm.active", None)
    environ.pop("tm.manager", None)
    try:
        finisher()
    except Exception:
        exc_info = sys.exc_info()
        try:
            response = request.invoke_exception_view(exc_info)
        except NotFound:
            maybe_tag_retryable(request, exc_info)
            raise exc_info[1] from None
        finally:
            del exc_info
    return response


def lazy_tm_tween_factory(handler: Callable[[Request], Response],
                          registry: Registry) -> Callable[[Request], Response]:
    commit_veto = registry.settings.get("tm.commit_veto")
    commit_veto = _resolve(commit_veto) if commit_veto else None

    def lazy_tm_tween(request: Request) -> Response:
        environ = request.environ
        if "tm.active" in environ or "repoze.tm.active" in environ:
            return handler(request)
        environ["tm.active"] = True  # pyramid_tm.is_tm_active(request) holds
        try:
            response = handler(request)
        except AbortWithResponse as e:
            manager = request.__dict__.get("tm")
            if manager is None:
                environ.pop("tm.active", None)
                return e.response
            return _finish(request, manager.abort, e.response)
        except Exception as exc:
            manager = request.__dict__.get("tm")
            if manager is None:
                environ.pop("tm.active", None)
                raise
            maybe_tag_retryable(request, sys.exc_info())
            exc_response = _finish(request, manager.abort)
            if exc_response is not None:
                return exc_response
            raise exc from None

        manager = request.__dict__.get("tm")
        if manager is None:  # the request never asked for a transaction
            environ.pop("tm.active", None)
            return response
        if manager.isDoomed() or (commit_veto is not None and commit_veto(request, response)):
            return _finish(request, manager.abort, response)
        exc_info = getattr(request, "exc_info", None)
        if exc_info is not None:
            maybe_tag_retryable(request, exc_info)
            if commit_veto is None:
                return _finish(request, manager.abort, response)
        return _finish(request, manager.commit, response)

    return lazy_tm_tween


def includeme(config: Configurator) -> None:
    """pyramid_tm's ``includeme`` with this tween in place of its own."""
    config.add_tween("podium.store.tween.lazy_tm_tween_factory", over=EXCVIEW)
    config.add_request_method(create_tm, name="tm", reify=True)
    config.add_view_predicate("tm_active", TMActivePredicate)
