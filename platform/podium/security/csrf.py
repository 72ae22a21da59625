"""CSRF: a token on every request another site could make a browser send.

A page on another site can make a browser send a GET or a POST whose body
is a form (urlencoded, multipart or text/plain), with the user's cookies,
without asking anyone.  It cannot send a PUT, PATCH or DELETE, nor a POST
whose ``Content-Type`` is ``application/json``, without a CORS preflight,
which Podium never approves.  So Podium's view deriver, which replaces
Pyramid's default CSRF options, applies these rules to every view:

- a request authenticated by the session cookie (``request.identity`` from
  the session, or any identity a security policy gives that does not say it
  came from a bearer token) needs the session's token (``csrf_token`` field
  or ``X-CSRF-Token`` header) on every unsafe method, JSON, PUT, PATCH and
  DELETE included: the cookie is the credential a forged request would use;
- a request authenticated by an ``Authorization: Bearer`` token needs no
  token: a browser never adds that header by itself, and such a request is
  not identified by its cookies (see :mod:`podium.security.policy`);
- a request nobody is identified by keeps the rules that predate identities,
  since it carries no authority a forgery could borrow: a POST needs the
  token, unless the view is declared a JSON API view (``json_api=True``)
  and the body is sent as exactly ``application/json`` (parameters such as
  ``charset`` allowed); HTML form views are never exempt, whatever the body;
  PUT, PATCH, DELETE and other unsafe methods need no token;
- over HTTPS, every unsafe request's ``Origin`` (or ``Referer``) must be this
  site or one of ``pyramid.csrf_trusted_origins`` (Pyramid's public
  :func:`pyramid.csrf.check_csrf_origin`); a request exempt from the token
  may send neither, as scripts do, because browsers always send ``Origin``
  on the requests that are exempt;
- a view's explicit ``require_csrf=True`` or ``False`` keeps Pyramid's own
  meaning (Pyramid then checks, or nobody does), and exception views are not
  checked.

``json_api=True`` rather than ``require_csrf=False`` on API views: the
latter switches every check off, so a form-shaped cross-site POST would
reach the view and the origin check would be skipped; ``json_api`` exempts
only the one request shape a browser cannot forge.
"""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.csrf import check_csrf_origin, check_csrf_token
from pyramid.exceptions import BadCSRFToken, ConfigurationError
from pyramid.interfaces import IViewDeriverInfo
from pyramid.request import Request
from pyramid.settings import aslist

TOKEN_FIELD = "csrf_token"
TOKEN_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

HTTPS_REQUIRED_MESSAGE = (
    "This site must be opened over HTTPS: in production the session cookie is sent "
    "only over HTTPS, so a form sent over plain HTTP cannot be checked. Use an https:// "
    "address; if a proxy terminates TLS, make the server trust its forwarded headers "
    "(trusted_proxy and trusted_proxy_headers in [server:main], see docs/deploy.md)."
)


class CSRFNeedsHTTPS(BadCSRFToken):
    """The token check failed because a production site was reached over plain
    HTTP, where the browser withholds the Secure session cookie; its
    ``detail`` says so, for the error page to show instead of "expired"."""

    def __init__(self) -> None:
        super().__init__(HTTPS_REQUIRED_MESSAGE)


def is_json_body(request: Request) -> bool:
    """Whether the body is JSON of any flavour (``...+json`` too): what error
    pages negotiate on.  Not what exempts a request from the token
    (:func:`is_exact_json`)."""
    content_type = request.content_type
    return content_type == "application/json" or content_type.endswith("+json")


def is_exact_json(request: Request) -> bool:
    """``application/json``, parameters aside: a type no cross-site form or
    preflight-free ``fetch`` can send (WebOb strips the parameters)."""
    return request.content_type.lower() == "application/json"


def authenticated_by(request: Request) -> str | None:
    """``"bearer"`` for a request identified by an API token, ``"session"``
    for one identified otherwise (Podium's session, or another policy's
    identity, which is assumed to ride on a cookie), None for nobody."""
    identity = request.identity
    if identity is None:
        return None
    return "bearer" if getattr(identity, "authenticated_by", None) == "bearer" else "session"


def csrf_view(view: Any, info: IViewDeriverInfo) -> Any:
    """The view deriver that applies the rules of this module to one view."""
    options = info.options
    json_api = options.get("json_api")
    if json_api not in (None, True, False):
        raise ConfigurationError(f"json_api={json_api!r}: give True or False")
    explicit = options.get("require_csrf")
    if json_api and explicit is True:
        raise ConfigurationError(
            "json_api=True and require_csrf=True contradict each other: require_csrf=True "
            "asks Pyramid for the token on every unsafe request, JSON ones included")
    if explicit is not None or info.exception_only:
        return view
    settings = info.registry.settings
    trusted = tuple(aslist(settings.get("pyramid.csrf_trusted_origins", [])))
    production = settings.get("podium.environment") == "production"

    def csrf_checked_view(context: Any, request: Request) -> Any:
        method = request.method
        if method not in SAFE_METHODS:
            source = authenticated_by(request)
            if source is None:
                exempt = method != "POST" or bool(json_api and is_exact_json(request))
            else:
                exempt = source == "bearer"
            # A copy: check_csrf_origin appends this host to the list it gets.
            check_csrf_origin(request, trusted_origins=list(trusted),
                              allow_no_origin=bool(exempt), raises=True)
            if not exempt and not check_csrf_token(request, TOKEN_FIELD, TOKEN_HEADER,
                                                   raises=False):
                if production and request.scheme != "https":
                    raise CSRFNeedsHTTPS()
                raise BadCSRFToken(f"check_csrf_token(): missing or invalid {TOKEN_FIELD}")
        return view(context, request)

    return csrf_checked_view


csrf_view.options = ("json_api",)  # type: ignore[attr-defined]


def includeme(config: Configurator) -> None:
    # Where Pyramid puts its own CSRF deriver: after the permission check.
    config.add_view_deriver(csrf_view, "podium_csrf", under="secured_view",
                            over="owrapped_view")
