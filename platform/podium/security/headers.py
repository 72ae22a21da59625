"""Security headers on every response: CSP, nosniff, framing, referrer, HSTS.

One tween, outermost, adds them, so HTML and JSON pages, error pages
(rendered by the exception view underneath it, or by pyramid_tm when the
commit fails), static files and CSV downloads all carry them; a header the
response already has is left as the view set it.  The policy forbids inline
script, and the core's and the notes plugin's templates have none.

Plugins and the application widen the policy with one directive::

    config.add_content_security_policy_source("img-src", "https://images.example.com")

The header is worked out once, when the tween is built after the
configuration is committed, never per request.  ``Strict-Transport-Security``
is sent only in production and only on HTTPS (``request.scheme``, which
waitress sets from a trusted proxy's ``X-Forwarded-Proto``): sent over plain
HTTP it would be ignored, and in development it would pin ``localhost`` to
HTTPS in the developer's browser.
"""

from __future__ import annotations

from collections.abc import Callable

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.tweens import INGRESS

#: The core's policy, directive by directive, in the order the header lists them.
BASE_POLICY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("default-src", ("'self'",)),
    ("script-src", ("'self'",)),
    ("object-src", ("'none'",)),
    ("base-uri", ("'self'",)),
    ("frame-ancestors", ("'none'",)),
    ("form-action", ("'self'",)),
)

#: Directives that take sources, each with the directives a browser falls back
#: to when it is absent: one a plugin adds starts from what it replaces.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "default-src": (),
    "script-src": ("default-src",),
    "script-src-elem": ("script-src", "default-src"),
    "script-src-attr": ("script-src", "default-src"),
    "style-src": ("default-src",),
    "style-src-elem": ("style-src", "default-src"),
    "style-src-attr": ("style-src", "default-src"),
    "img-src": ("default-src",),
    "font-src": ("default-src",),
    "connect-src": ("default-src",),
    "media-src": ("default-src",),
    "object-src": ("default-src",),
    "manifest-src": ("default-src",),
    "child-src": ("default-src",),
    "frame-src": ("child-src", "default-src"),
    "worker-src": ("child-src", "script-src", "default-src"),
    "base-uri": (),
    "form-action": (),
    "frame-ancestors": (),
}

#: Keywords that only mean something quoted; unquoted they are host names.
_KEYWORDS = frozenset({
    "self", "none", "unsafe-inline", "unsafe-eval", "unsafe-hashes", "strict-dynamic",
    "report-sample", "wasm-unsafe-eval",
})

#: A year; ``includeSubDomains`` is left out, as it would bind the operator's other hosts.
HSTS_VALUE = "max-age=31536000"

#: Sent on every response whatever the policy says.
FIXED_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)

CSP_CATEGORY = "podium content security policy"
_SOURCES_KEY = "podium.csp_sources"


def add_content_security_policy_source(config: Configurator, directive: str,
                                       source: str) -> None:
    """Allow ``source`` (``https://cdn.example.com``, ``data:``, ``'sha256-…'``)
    in ``directive`` (``img-src``, ``script-src``…) of the Content-Security-Policy.

    A directive the core's policy does not list starts from the sources of
    the one it falls back to (``img-src`` from ``default-src``, so ``'self'``
    stays allowed); ``'none'`` is dropped from a directive that gains a
    source.  Adding the same source twice is harmless, so calls never conflict."""
    name = directive.strip().lower()
    if name not in FALLBACKS:
        raise ConfigurationError(
            f"add_content_security_policy_source: directive {directive!r} is not one that "
            f"takes sources; use one of {', '.join(sorted(FALLBACKS))}")
    value = source.strip()
    if not value or any(c.isspace() or c in ";," for c in value):
        raise ConfigurationError(
            f"add_content_security_policy_source({directive!r}, {source!r}): give one "
            "source, without spaces, ';' or ','; call the directive once per source")
    if value.lower() in _KEYWORDS:
        raise ConfigurationError(
            f"add_content_security_policy_source({directive!r}, {source!r}): keywords are "
            f"quoted in a policy: write \"'{value.lower()}'\"")
    registry = config.registry
    intr = config.introspectable(CSP_CATEGORY, (name, value), f"{name} {value}",
                                 "content security policy source")
    intr.update(directive=name, source=value)

    def register() -> None:
        registry.setdefault(_SOURCES_KEY, []).append((name, value))

    config.action(None, register, introspectables=(intr,))


def content_security_policy(registry: Registry) -> dict[str, list[str]]:
    """The policy: the core's, plus every source added through the directive."""
    policy = {name: list(sources) for name, sources in BASE_POLICY}
    added: dict[str, list[str]] = {}
    for name, source in registry.get(_SOURCES_KEY, ()):
        added.setdefault(name, []).append(source)
    # Fewer fallbacks first: a directive's seed is then already complete.
    for name in sorted(added, key=lambda n: len(FALLBACKS[n])):
        if name not in policy:
            seed = next((policy[f] for f in FALLBACKS[name] if f in policy), [])
            policy[name] = list(seed)
        sources = policy[name] + added[name]
        if any(s != "'none'" for s in sources):
            sources = [s for s in sources if s != "'none'"]
        policy[name] = list(dict.fromkeys(sources))
    return policy


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def frame_options(policy: dict[str, list[str]]) -> str | None:
    """``X-Frame-Options`` for browsers without ``frame-ancestors``: it can say
    only DENY or SAMEORIGIN, so a wider list of ancestors sends none."""
    ancestors = policy.get("frame-ancestors")
    if ancestors == ["'none'"]:
        return "DENY"
    if ancestors == ["'self'"]:
        return "SAMEORIGIN"
    return None


def response_headers(registry: Registry) -> tuple[tuple[str, str], ...]:
    """The headers every response gets, HSTS aside."""
    policy = content_security_policy(registry)
    headers = [("Content-Security-Policy", policy_header(policy)), *FIXED_HEADERS]
    framing = frame_options(policy)
    if framing is not None:
        headers.append(("X-Frame-Options", framing))
    return tuple(headers)


def security_headers_tween_factory(handler: Callable[[Request], Response],
                                   registry: Registry) -> Callable[[Request], Response]:
    fixed = response_headers(registry)
    fixed_names = frozenset(name.lower() for name, _ in fixed)
    production = registry.settings.get("podium.environment") == "production"
    hsts = ("Strict-Transport-Security", HSTS_VALUE)
    hsts_name = hsts[0].lower()

    def security_headers_tween(request: Request) -> Response:
        response = handler(request)
        # One pass over the header list, where a setdefault per header would
        # scan it once each; a header the view set itself is kept.  The names
        # are lowered once here, and most responses set none of them.
        headerlist = response.headerlist
        present = {name.lower() for name, _ in headerlist}
        if present.isdisjoint(fixed_names):
            headerlist.extend(fixed)
        else:
            headerlist.extend(item for item in fixed if item[0].lower() not in present)
        if production and hsts_name not in present and request.scheme == "https":
            headerlist.append(hsts)
        return response

    return security_headers_tween


def includeme(config: Configurator) -> None:
    config.add_directive("add_content_security_policy_source",
                         add_content_security_policy_source)
    # Outermost: error pages pyramid_tm renders after a failed commit get them too.
    config.add_tween("podium.security.headers.security_headers_tween_factory", under=INGRESS)
