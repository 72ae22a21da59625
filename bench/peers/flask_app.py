"""Flask 3 with SQLAlchemy, the way Flask's documentation pattern "SQLAlchemy
in Flask" wires it: a ``scoped_session`` removed at the end of each app
context, explicit commits in the view that writes.

Flask has no CSRF protection of its own (Flask-WTF adds it); the form check
here does what Flask-WTF does: a random token in the signed session cookie,
compared in constant time with the form field.
"""

from __future__ import annotations

import hmac
import secrets
from operator import attrgetter
from typing import Any

from flask import Flask, Response, abort, jsonify, render_template, request, session
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, scoped_session, sessionmaker

from .common import (
    EXTRA_FORTUNE,
    HELLO,
    STATIC_DIR,
    TEMPLATES_DIR,
    make_engine,
    new_number,
    parse_queries,
    random_id,
    valid_message,
)

PREFIX = ""
SCENARIOS = frozenset({
    "plaintext", "json", "db", "queries", "fortunes", "updates", "static", "notfound", "form",
})


class Base(DeclarativeBase):
    pass


class World(Base):
    __tablename__ = "world"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    randomnumber: Mapped[int]


class Fortune(Base):
    __tablename__ = "fortune"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    message: Mapped[str] = mapped_column(String(2048))


def make_app(db_url: str, **options: str) -> Flask:
    """The Flask app; ``secret`` signs the session cookie (random by default)."""
    db_session = scoped_session(sessionmaker(bind=make_engine(db_url)))
    app = Flask(
        __name__, static_folder=str(STATIC_DIR), static_url_path="/static",
        template_folder=str(TEMPLATES_DIR),
    )
    app.secret_key = options.get("secret") or secrets.token_urlsafe(48)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    # Flask autoescapes only .html/.htm/.xml templates: the shared templates are .jinja2.
    app.jinja_env.autoescape = True

    @app.teardown_appcontext
    def shutdown_session(exception: BaseException | None = None) -> None:
        db_session.remove()

    @app.get("/plaintext")
    def plaintext() -> Response:
        return Response(HELLO, mimetype="text/plain")

    @app.get("/json")
    def hello_json() -> Response:
        return jsonify(message=HELLO)

    @app.get("/db")
    def single_query() -> Response:
        world = db_session.get(World, random_id())
        return jsonify(id=world.id, randomNumber=world.randomnumber)

    @app.get("/queries")
    def queries() -> Response:
        count = parse_queries(request.args.get("queries"))
        worlds = [db_session.get(World, random_id()) for _ in range(count)]
        return jsonify([{"id": w.id, "randomNumber": w.randomnumber} for w in worlds])

    @app.get("/fortunes")
    def fortunes() -> str:
        rows = list(db_session.scalars(select(Fortune)))
        rows.append(Fortune(id=0, message=EXTRA_FORTUNE))
        rows.sort(key=attrgetter("message"))
        return render_template("fortunes.jinja2", fortunes=rows)

    @app.get("/updates")
    def updates() -> Response:
        count = parse_queries(request.args.get("queries"))
        worlds = [db_session.get(World, random_id()) for _ in range(count)]
        result = []
        for w in worlds:
            w.randomnumber = new_number(w.randomnumber)
            result.append({"id": w.id, "randomNumber": w.randomnumber})
        db_session.commit()
        return jsonify(result)

    @app.get("/form")
    def form_page() -> str:
        token = session.get("csrf_token")
        if token is None:
            token = session["csrf_token"] = secrets.token_hex(20)
        return render_template("form.jinja2", csrf_token=token, action="/form")

    @app.post("/form")
    def form_post() -> Any:
        expected = session.get("csrf_token", "")
        sent = request.form.get("csrf_token", "")
        if not expected or not hmac.compare_digest(expected, sent):
            abort(400, "bad CSRF token")
        message = request.form.get("message", "")
        if not valid_message(message):
            abort(400, "message must have 1 to 200 characters")
        return Response(f"received {len(message)} characters", mimetype="text/plain")

    return app
