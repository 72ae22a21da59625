"""examples/acme_site: a downstream site that restyles Podium and the notes
plugin from its own package, checked through its own ini file."""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyramid.paster import get_appsettings
from sqlalchemy import insert

from podium.testing import PodiumTestApp
from podium.testing.accounts import make_user
from podium.testing.apps import base_settings, build_app, delete_all_rows
from podium.testing.servers import fetch, running_pserve
from podium_notes.models import Note

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "examples" / "acme_site"
INI = SITE / "development.ini"
BIN = Path(sys.executable).parent
STATIC = SITE / "acme_site" / "static" / "podium"
CORE_STATIC = ROOT / "platform" / "podium" / "static"

acme_site = pytest.importorskip("acme_site", reason="pip install -e examples/acme_site")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def editor(router, login: str) -> PodiumTestApp:
    """A browser logged in as an editor: the pages compared show every action
    (New note, Export CSV), which the notes plugin gives users and editors."""
    client = PodiumTestApp(router, extra_environ={"HTTP_HOST": "localhost"})
    client.login(make_user(router.registry, login, roles=["editor"]).login)
    return client


@pytest.fixture
def app(podium_database_url):
    settings = dict(get_appsettings(str(INI)))
    settings["sqlalchemy.url"] = podium_database_url
    router = acme_site.main({}, **settings)
    try:
        yield editor(router, "acme-editor")
    finally:
        # The database is the session's: leave it empty for the tests that follow.
        delete_all_rows(router.registry["podium.engine"])
        router.registry["podium.engine"].dispose()


@pytest.fixture
def plain(podium_database_url):
    """The platform with the notes plugin and no Acme at all, on the same database:
    what the plugin's own template renders."""
    router = build_app(base_settings(podium_database_url, "notes"))
    try:
        yield editor(router, "plain-editor")
    finally:
        router.registry["podium.engine"].dispose()


def add_notes(app, how_many: int) -> None:
    """Notes written one minute apart, ``Note 0`` the oldest."""
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    table = Note.__table__
    values = [{"title": f"Note {i}", "body": f"Body {i}",
               "created_at": start + datetime.timedelta(minutes=i),
               "updated_at": start + datetime.timedelta(minutes=i)} for i in range(how_many)]
    with app.app.registry["podium.engine"].begin() as conn:
        conn.execute(insert(table), values)


def test_the_layout_carries_acme_brand_logo_and_colours(app):
    res = app.get("/")
    assert res.html.select_one(".podium-site-name").text == "Acme"
    assert "Acme Corporation" in res.html.select_one(".podium-footer").text
    logo = res.html.select_one("img.podium-logo")["src"]
    assert logo == f"http://localhost/static/logo.svg?v={digest(STATIC / 'logo.svg')}"
    assert app.get(logo).body == (STATIC / "logo.svg").read_bytes()
    theme = res.html.select_one('link[href*="theme.css"]')["href"]
    assert theme.endswith(f"?v={digest(STATIC / 'theme.css')}")
    served = app.get(theme)
    assert "#c2410c" in served.text and served.content_type == "text/css"
    assert "immutable" in served.headers["Cache-Control"]
    # The directory override falls back: Acme has no podium.css, the core's is served.
    core = res.html.select_one('link[href*="podium.css"]')["href"]
    assert core.endswith(f"?v={digest(CORE_STATIC / 'podium.css')}")
    assert app.get(core).body == (CORE_STATIC / "podium.css").read_bytes()
    assert ("acme.handbook", "Handbook") in [(a["data-plugin"], a.text)
                                             for a in res.html.select("nav a")]


def test_the_notes_list_is_reworded_and_otherwise_the_plugins(app, plain):
    add_notes(app, 21)  # one more than a page: the pager shows
    res = app.get("/notes/")
    # Acme's heading block...
    heading = res.html.select_one(".notes-heading")
    assert [h1.text for h1 in res.html.select("h1")] == ["Memos"]
    assert "Short notes for everyone at Acme" in heading.select_one(".acme-memos-intro").text
    assert res.html.select_one(".podium-site-name").text == "Acme"  # in the Acme layout
    # ...and nothing else: every other block is the plugin's template's.
    assert res.html.title.text == "Notes · Podium"
    original = plain.get("/notes/")
    assert original.html.select_one("h1").text == "Notes"
    for part in (".notes-list", ".notes-pager"):
        assert str(res.html.select_one(part)) == str(original.html.select_one(part)), part
    actions = [(a.text, a["href"]) for a in heading.select("a")]
    assert actions == [(a.text, a["href"]) for a in original.html.select(".notes-heading a")]
    assert actions == [("New note", "http://localhost/notes/new"),
                       ("Export CSV", "http://localhost/notes/export.csv")]
    titles = [a.text for a in res.html.select(".notes-item-title")]
    assert titles == [f"Note {i}" for i in range(20, 0, -1)]
    assert "Page 1 of 2" in res.html.select_one(".notes-pager").text
    # The links work through Acme's page: the pager keeps Acme's heading.
    older = res.click("Older")
    assert older.html.select_one("h1").text == "Memos"
    assert [a.text for a in older.html.select(".notes-item-title")] == ["Note 0"]
    assert res.click("New note").forms["note-form"]
    other = app.get("/notes/new")  # pages Acme did not override keep their words
    assert "Acme" not in other.html.title.text
    assert other.html.select_one(".podium-site-name").text == "Acme"


def test_the_reworded_empty_list_keeps_the_plugins_empty_state(app):
    res = app.get("/notes/")
    assert res.html.select_one("h1").text == "Memos"
    assert "No notes yet" in res.html.select_one(".notes-empty").text
    assert res.html.select_one("a.button")["href"] == "http://localhost/notes/new"


def test_podium_assets_shows_the_code_override_first(app, capsys, monkeypatch):
    from podium.cli import main

    monkeypatch.setenv("PODIUM_DATABASE_URL", app.app.registry.settings["sqlalchemy.url"])
    main(["assets", str(INI)])
    out = capsys.readouterr().out.splitlines()
    ranked = [line for line in out if line.strip()[:1].isdigit()]
    assert "[application] podium_notes:templates/list.jinja2" in ranked[0]
    assert "[setting]" in ranked[1] and "[setting]" in ranked[2]
    main(["assets", str(INI), "podium_notes:templates/list.jinja2"])
    out = capsys.readouterr().out
    assert "notes_list.jinja2" in out.split("served: ")[1].splitlines()[0]
    assert "podium_notes/templates/list.jinja2" in out  # the original, next in the chain


def test_pserve_serves_the_acme_site(tmp_path, free_port):
    environ = {**os.environ, "PODIUM_DATABASE_URL": f"sqlite:///{tmp_path / 'acme.sqlite'}"}
    subprocess.run([str(BIN / "podium"), "db", "upgrade", str(INI)], env=environ, check=True,
                   capture_output=True, timeout=120)
    ini = tmp_path / "development.ini"  # the shipped file, on a free port
    ini.write_text(INI.read_text().replace("listen = 127.0.0.1:6544",
                                           f"listen = 127.0.0.1:{free_port}"))
    with running_pserve(ini, free_port, env=environ, ready_path="/notes/") as base:
        status, body = fetch(base + "/notes/")
        assert status == 200 and "<h1>Memos</h1>" in body
        status, css = fetch(base + "/static/theme.css")
        assert status == 200 and "#c2410c" in css
