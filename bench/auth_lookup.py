"""``python -m bench.auth_lookup``: where an identity's instructions go.

For measurement only: the app factories here swap the security policy's
``_look_up`` inside the benchmark's own server process (the platform's code is
not edited), so that a proposed lookup, or a part of the shipped one, can be
counted against the shipped one on the same requests.

- ``bench.auth_lookup:make_app``: Podium with :func:`core_look_up`, a sketch
  of the proposed fix: one Core query for the user and their roles (by token
  digest or by session user id), one for the store's grants, plain rows
  through ``dbsession.connection()``.  It leaves out the token's expiry check
  and ``last_used_at`` write, so it is a lower bound, not a replacement.
  ``python -m bench.auth --factory bench.auth_lookup:make_app``.
- ``bench.auth_lookup:make_one_query_app``: the same in one statement (a
  UNION ALL of the user, their roles and the grants), the same lower bound.
- ``bench.auth_lookup:make_breakdown_app``: the lookup chosen per request by
  an ``X-Lookup`` header (:data:`VARIANTS`), which ``main`` counts under
  callgrind, pair by pair, on one server.

Since the identity became one statement on the connection (``shipped``, with
the token's expiry check and last-use write the sketches leave out) and the
transaction's user is recorded only when a request reads its identity, the
``json`` pair's ``PUBLIC`` view looks nothing up unless ``--option
tm.annotate_user=true`` makes pyramid_tm ask every request, as it did before.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import selectinload

from podium.accounts.grants import RoleGrant
from podium.accounts.models import ApiToken, Membership, Role, User
from podium.accounts.service import TOKEN_PREFIX, token_digest, user_for_token
from podium.plugins.permissions import AUTHENTICATED, EVERYONE
from podium.security import policy as P

from . import auth
from .peers import podium_app
from .runner import log, names

SHIPPED = P.PodiumSecurityPolicy._look_up

_BY_TOKEN = (select(User.id, User.login, User.display_name, User.active, Role.name)
             .select_from(ApiToken).join(User, User.id == ApiToken.user_id)
             .outerjoin(Membership, Membership.user_id == User.id)
             .outerjoin(Role, Role.id == Membership.role_id)
             .where(ApiToken.token_hash == bindparam("digest")))
_BY_ID = (select(User.id, User.login, User.display_name, User.active, User.session_epoch,
                 Role.name)
          .select_from(User).outerjoin(Membership, Membership.user_id == User.id)
          .outerjoin(Role, Role.id == Membership.role_id).where(User.id == bindparam("uid")))
_GRANTS = select(RoleGrant.permission).where(
    RoleGrant.role.in_(bindparam("roles", expanding=True)))


def _has_session(request: Any) -> bool:
    return P.SESSION_COOKIE + "=" in request.environ.get("HTTP_COOKIE", "")


def _identity(policy: Any, connection: Any, row: Any, role_names: list[str | None],
              source: str, grants: bool = True) -> P.Identity:
    roles = frozenset(r for r in role_names if r)
    granted = roles | {AUTHENTICATED, EVERYONE}
    stored = (frozenset(connection.execute(_GRANTS, {"roles": sorted(granted)}).scalars())
              if grants else frozenset())
    return P.Identity(row.id, row.login, row.display_name, roles,
                      frozenset().union(*(policy.roles.get(r, ()) for r in granted), stored),
                      source)


def core_look_up(policy: Any, request: Any) -> P.Identity | None:
    """The proposed lookup: two Core queries, no ORM entities, no lazy loads."""
    token = P.bearer_token(request)
    if token is not None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        connection = request.dbsession.connection()
        rows = connection.execute(_BY_TOKEN, {"digest": token_digest(token)}).all()
        if not rows or not rows[0].active:
            return None
        return _identity(policy, connection, rows[0], [r.name for r in rows], P.BEARER)
    if not _has_session(request):
        return None
    session = request.session
    user_id, epoch = session.get(P.USERID_KEY), session.get(P.EPOCH_KEY)
    if type(user_id) is not int or type(epoch) is not int:
        return None
    connection = request.dbsession.connection()
    rows = connection.execute(_BY_ID, {"uid": user_id}).all()
    if not rows or not rows[0].active or rows[0].session_epoch != epoch:
        return None
    return _identity(policy, connection, rows[0], [r.name for r in rows], P.SESSION)


_ONE = """
SELECT 'user' AS kind, u.id, u.login, u.display_name, u.active, u.session_epoch, NULL AS name
  FROM podium_user u WHERE u.id = {who}
UNION ALL
SELECT 'role', NULL, NULL, NULL, NULL, NULL, r.name
  FROM podium_membership m JOIN podium_role r ON r.id = m.role_id WHERE m.user_id = {who}
UNION ALL
SELECT 'grant', NULL, NULL, NULL, NULL, NULL, g.permission FROM podium_role_permission g
 WHERE g.role IN ('everyone', 'authenticated') OR g.role IN (
       SELECT r.name FROM podium_membership m JOIN podium_role r ON r.id = m.role_id
        WHERE m.user_id = {who})
"""
_ONE_BY_ID = text(_ONE.format(who=":uid"))
_ONE_BY_TOKEN = text(_ONE.format(
    who="(SELECT t.user_id FROM podium_api_token t WHERE t.token_hash = :digest)"))


def one_query_look_up(policy: Any, request: Any) -> P.Identity | None:
    """The proposed lookup in one statement: the user, their roles and the
    store's grants to those roles and the pseudo-roles, as rows of a UNION ALL."""
    token = P.bearer_token(request)
    if token is not None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        statement, params, source, epoch = (
            _ONE_BY_TOKEN, {"digest": token_digest(token)}, P.BEARER, None)
    else:
        if not _has_session(request):
            return None
        session = request.session
        user_id, epoch = session.get(P.USERID_KEY), session.get(P.EPOCH_KEY)
        if type(user_id) is not int or type(epoch) is not int:
            return None
        statement, params, source = _ONE_BY_ID, {"uid": user_id}, P.SESSION
    rows = request.dbsession.connection().execute(statement, params).all()
    user = next((r for r in rows if r.kind == "user"), None)
    if user is None or not user.active or (epoch is not None and user.session_epoch != epoch):
        return None
    roles = frozenset(r.name for r in rows if r.kind == "role")
    granted = roles | {AUTHENTICATED, EVERYONE}
    return P.Identity(user.id, user.login, user.display_name, roles, frozenset().union(
        *(policy.roles.get(r, ()) for r in granted), (r.name for r in rows if r.kind == "grant")),
        source)


# parts of the shipped lookup ---------------------------------------------------


def _nothing(policy: Any, request: Any) -> None:
    return None


def _select_one(policy: Any, request: Any) -> None:
    request.dbsession.execute(text("SELECT 1"))
    return None


def _token_only(policy: Any, request: Any) -> None:
    token = P.bearer_token(request)
    if token:
        user_for_token(request.dbsession, token)
    return None


def _defaults(policy: Any) -> frozenset[str]:
    return frozenset(policy.roles.get(EVERYONE, ())) | frozenset(
        policy.roles.get(AUTHENTICATED, ()))


def _token_without_grants(policy: Any, request: Any) -> P.Identity | None:
    token = P.bearer_token(request)
    user = user_for_token(request.dbsession, token) if token else None
    if user is None:
        return None
    return P.Identity(user.id, user.login, user.display_name, frozenset(user.role_names),
                      _defaults(policy), P.BEARER)


def _session_decoded(policy: Any, request: Any) -> None:
    if _has_session(request):
        request.session.get(P.USERID_KEY)
    return None


def _session_user(policy: Any, request: Any, identity: bool = False) -> P.Identity | None:
    if not _has_session(request):
        return None
    user = request.dbsession.scalars(
        select(User).where(User.id == request.session.get(P.USERID_KEY))
        .options(selectinload(User.memberships).selectinload(Membership.role))
    ).one_or_none()
    if not identity or user is None:
        return None
    return P.Identity(user.id, user.login, user.display_name, frozenset(user.role_names),
                      _defaults(policy), P.SESSION)


LookUp = Callable[[Any, Any], "P.Identity | None"]
#: X-Lookup -> the lookup that request gets.
VARIANTS: dict[str, LookUp] = {
    "none": _nothing,
    "select_1": _select_one,
    "token": _token_only,
    "token_no_grants": _token_without_grants,
    "session_decode": _session_decoded,
    "session_user": _session_user,
    "session_no_grants": lambda policy, request: _session_user(policy, request, True),
    "shipped": SHIPPED,
    "core": core_look_up,
    "one_query": one_query_look_up,
}
#: The variants counted for each pair (the others do not apply to its credential).
PLAN = {
    "json": ["none", "select_1", "token", "token_no_grants", "shipped", "core", "one_query"],
    "api": ["none", "token", "token_no_grants", "shipped", "core", "one_query"],
    "page": ["none", "select_1", "session_decode", "session_user", "session_no_grants",
             "shipped", "core", "one_query"],
}


def _dispatch(policy: Any, request: Any) -> P.Identity | None:
    return VARIANTS[request.environ.get("HTTP_X_LOOKUP", "shipped")](policy, request)


def make_app(db_url: str, **options: str) -> Any:
    P.PodiumSecurityPolicy._look_up = core_look_up  # type: ignore[method-assign]
    return podium_app.make_app(db_url, **options)


def make_one_query_app(db_url: str, **options: str) -> Any:
    P.PodiumSecurityPolicy._look_up = one_query_look_up  # type: ignore[method-assign]
    return podium_app.make_app(db_url, **options)


def make_breakdown_app(db_url: str, **options: str) -> Any:
    P.PodiumSecurityPolicy._look_up = _dispatch  # type: ignore[method-assign]
    return podium_app.make_app(db_url, **options)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from .instructions import START_TIMEOUT, count_requests, require_callgrind, wrapper

    parser = argparse.ArgumentParser(prog="python -m bench.auth_lookup",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", default=",".join(PLAN),
                        type=lambda v: names(v, list(PLAN), "pair"))
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="passed to the factory, as python -m bench.auth's: "
                             "tm.annotate_user=true makes every request look its identity "
                             "up, as pyramid_tm's default did (a PUBLIC view otherwise "
                             "never does)")
    args = parser.parse_args(argv)
    options = dict(item.split("=", 1) for item in args.option)
    require_callgrind()
    with tempfile.TemporaryDirectory(prefix="podium-auth-lookup-") as tmp, \
            auth.site(Path(tmp), "bench.auth_lookup:make_breakdown_app", options) as site_:
        out = Path(tmp) / "lookup.callgrind"
        log("podium under callgrind (slow: a minute or two)")
        server, cookie = auth.start_podium(site_, Path(tmp), "lookup", timeout=START_TIMEOUT,
                                           wrapper=wrapper(out, 0))
        dumps = 0
        try:
            print(f"{'pair':<5} {'request':<32} {'instr/request':>14} {'over anonymous':>15}")
            for name in args.pairs:
                pair = auth.PAIRS[name]
                sent = auth.shapes(pair, site_.account, cookie)
                dumps += 1
                anonymous = count_requests(server, out, dumps, f"{name}-anonymous",
                                           sent["anonymous"], pair.path, 200, args.requests,
                                           args.warmup) / args.requests
                print(f"{name:<5} {'anonymous':<32} {anonymous:14,.0f}", flush=True)
                for variant in PLAN[name]:
                    headers = {**sent["authenticated"]["headers"], "X-Lookup": variant}
                    dumps += 1
                    count = count_requests(server, out, dumps, f"{name}-{variant}",
                                           {**sent["authenticated"], "headers": headers},
                                           pair.path, 200, args.requests,
                                           args.warmup) / args.requests
                    print(f"{name:<5} {'authenticated, ' + variant:<32} {count:14,.0f} "
                          f"{count - anonymous:+14,.0f}  {count / anonymous:.3f}x", flush=True)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
