"""Which tables a plugin's autogenerate may touch, and what its revisions depend on.

Two real plugin distributions (``make_plugin``): ``bookmarks`` (one model,
``bookmarks_item``, and its first revision) and ``bookmarks_tags``, written
from the samples of docs/plugins.md ("A plugin that builds on another's
tables"): it requires bookmarks and its ``bookmarks_tags_tag`` has a foreign
key to ``bookmarks_item``.  Its name starts with ``bookmarks_``: ownership by
name prefix gave its table to bookmarks, whose autogenerate then dropped it.
``podium db`` runs in process through click's runner on an ini file with only
``[app:main]``, on a real SQLite file and on PostgreSQL when
PODIUM_TEST_DATABASE_URL is set (where a foreign key to a table not created
yet is refused, so the order alembic applies the branches in matters).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import BACKENDS
from counter_plugin import counter_installed
from sqlalchemy import Engine, create_engine, inspect, text

from podium.api import Base
from podium.cli import cli
from podium.store.migrations import alembic_config, owned_tables
from podium.testing import temporary_database

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
FENCE = re.compile(r"^```(\S+)([^\n]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def guide_sample(sample_id: str) -> str:
    """The text of the fenced sample of docs/plugins.md tagged ``id=<sample_id>``."""
    for match in FENCE.finditer(GUIDE.read_text()):
        if f"id={sample_id}" in match.group(2).split():
            return match.group(3)
    raise LookupError(f"docs/plugins.md has no sample id={sample_id}")


BOOKMARKS = """
from podium.api import Plugin


def includeme(config):
    pass


plugin = Plugin(includeme=includeme, migrations="PKG:migrations/versions")
"""

#: The scaffold's model; URL=True adds a column its migrations do not create yet.
BOOKMARKS_MODELS = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from podium.api import Base


class Item(Base):
    __tablename__ = "bookmarks_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    if URL:
        url: Mapped[str | None] = mapped_column(String(500))
"""

BOOKMARKS_0001 = '''
import sqlalchemy as sa
from alembic import op

revision = "bookmarks_0001"
down_revision = None
branch_labels = ("bookmarks",)
depends_on = "podium_0001"


def upgrade():
    op.create_table(
        "bookmarks_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookmarks_item")),
    )


def downgrade():
    op.drop_table("bookmarks_item")
'''

EMPTY_MIGRATIONS = {"migrations/__init__.py": "", "migrations/versions/__init__.py": ""}
BOTH = "bookmarks bookmarks_tags"


@dataclass
class Site:
    ini: str
    url: str
    engine: Engine
    root: Path
    packages: dict[str, str]

    def podium(self, *args: str, plugins: str = BOTH) -> Result:
        """``podium db ARGS[0] INI ARGS[1:]``."""
        result = CliRunner().invoke(cli, ["db", args[0], self.ini, *args[1:]],
                                    env={"PODIUM_PLUGINS": plugins, "PODIUM_DATABASE_URL": None})
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def versions(self, plugin: str) -> Path:
        return self.root / self.packages[plugin] / "migrations" / "versions"

    def written(self, plugin: str, revision: str) -> str:
        (path,) = self.versions(plugin).glob(f"{revision}_*.py")
        return path.read_text()

    def tables(self) -> set[str]:
        """The plugins' tables (not the core's, nor alembic's)."""
        return set(inspect(self.engine).get_table_names()) - {"alembic_version"} - core_tables()


def core_tables() -> set[str]:
    """The tables of the core's models (podium.models gathers them)."""
    import podium.models  # noqa: F401

    return {m.local_table.name for m in Base.registry.mappers
            if m.class_.__module__.startswith("podium.")}


@pytest.fixture
def forget_models(make_plugin) -> Iterator[None]:
    """The plugins' models join ``podium.api.Base``'s metadata, which outlives
    the test: take their tables out again, so that the next test (the other
    backend) can declare them anew."""
    before = set(Base.metadata.tables)
    yield
    for name in set(Base.metadata.tables) - before:
        Base.metadata.remove(Base.metadata.tables[name])


@pytest.fixture
def write_site(tmp_path: Path, make_plugin,
               forget_models) -> Iterator[Callable[..., Site]]:
    """``write_site(url, tags_code=..., url_column=False)``: both plugins
    installed, and a site ini with nothing but ``[app:main]``."""
    engines: list[Engine] = []

    def write(url: str, *, tags_code: str | None = None, url_column: bool = False) -> Site:
        packages = {
            "bookmarks": make_plugin("bookmarks", BOOKMARKS, files={
                **EMPTY_MIGRATIONS,
                "models.py": BOOKMARKS_MODELS.replace("if URL:", f"if {url_column}:"),
                "migrations/versions/bookmarks_0001_create_item.py": BOOKMARKS_0001,
            }, target="PKG:plugin", distribution="podium-bookmarks"),
            "bookmarks_tags": make_plugin(
                "bookmarks_tags",
                (tags_code or guide_sample("fk-declaration")).replace(
                    "podium_bookmarks_tags", "PKG"),
                target="PKG:plugin", distribution="podium-bookmarks-tags",
                files={**EMPTY_MIGRATIONS, "models.py": guide_sample("fk-model")}),
        }
        ini = tmp_path / "site.ini"
        ini.write_text(f"[app:main]\nuse = egg:podium\nsqlalchemy.url = {url}\n")
        engine = create_engine(url)
        engines.append(engine)
        return Site(str(ini), url, engine, tmp_path / "site", packages)

    yield write
    for engine in engines:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with temporary_database(request.param, tmp_path) as url:
        yield url


def fk_revision_args() -> list[str]:
    """The guide's command, for this site's ini file."""
    program, db, command, ini, *rest = shlex.split(guide_sample("fk-revision"))
    assert (program, db, command, ini) == ("podium", "db", "revision", "development.ini")
    return [command, *rest]


def test_a_foreign_key_to_another_plugin_depends_on_its_branch(write_site, database_url):
    site = write_site(database_url)
    # A fresh database: the revision command upgrades it first, as its --help says.
    result = site.podium(*fk_revision_args())
    assert result.exit_code == 0, result.output
    source = site.written("bookmarks_tags", "bookmarks_tags_0001")
    assert guide_sample("fk-migration") in source
    assert "op.create_table('bookmarks_tags_tag'" in source
    assert "['bookmarks_item.id']" in source and "ondelete='CASCADE'" in source
    assert "create_table('bookmarks_item'" not in source  # bookmarks' own, not compared
    assert site.tables() == {"bookmarks_item"}  # upgraded first; the new one is pending

    # From an empty database, migrating the tags alone migrates bookmarks first:
    # PostgreSQL would refuse the foreign key otherwise.
    assert site.podium("downgrade", "base", "--plugin", "bookmarks").exit_code == 0
    assert site.tables() == set()
    upgraded = site.podium("upgrade", "--plugin", "bookmarks_tags")
    assert upgraded.exit_code == 0, upgraded.output
    assert site.tables() == {"bookmarks_item", "bookmarks_tags_tag"}
    (fk,) = inspect(site.engine).get_foreign_keys("bookmarks_tags_tag")
    assert fk["referred_table"] == "bookmarks_item"
    assert site.podium("check").exit_code == 0

    # Taking bookmarks away takes the tags first (they depend on it).
    assert site.podium("downgrade", "base", "--plugin", "bookmarks").exit_code == 0
    assert site.tables() == set()


def test_autogenerate_never_touches_a_table_of_a_plugin_named_like_its_prefix(
    write_site, database_url
):
    """The bug of the issue: bookmarks' autogenerate dropped bookmarks_tags_tag."""
    site = write_site(database_url, url_column=True)
    assert site.podium(*fk_revision_args()).exit_code == 0
    assert site.podium("upgrade").exit_code == 0
    assert site.tables() == {"bookmarks_item", "bookmarks_tags_tag"}

    result = site.podium("revision", "--plugin", "bookmarks", "-m", "add a url column",
                         "--autogenerate")
    assert result.exit_code == 0, result.output
    source = site.written("bookmarks", "bookmarks_0002")
    # SQLite's is a batch operation: batch_op.add_column(sa.Column('url', ...
    assert re.search(r"add_column\((?:'bookmarks_item', )?sa\.Column\('url'", source), source
    assert "bookmarks_tags" not in source and "drop_table" not in source
    assert "depends_on = None" in source  # its own tables only: nothing else to wait for
    assert site.podium("upgrade").exit_code == 0
    assert site.tables() == {"bookmarks_item", "bookmarks_tags_tag"}
    assert "url" in {c["name"] for c in inspect(site.engine).get_columns("bookmarks_item")}
    assert site.podium("check").exit_code == 0


def test_ownership_is_what_the_code_declares_never_the_name(write_site, tmp_path):
    site = write_site(f"sqlite:///{tmp_path / 'owners.sqlite'}")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PODIUM_PLUGINS", BOTH)
        env.delenv("PODIUM_DATABASE_URL", raising=False)
        cfg = alembic_config(site.ini)
    branches = cfg.attributes["podium.branches"]
    by_name = {b.name: b for b in branches}
    assert set(owned_tables(by_name["bookmarks"], branches)) == {"bookmarks_item"}
    assert set(owned_tables(by_name["bookmarks_tags"], branches)) == {"bookmarks_tags_tag"}
    assert "bookmarks_item" not in owned_tables(by_name["podium"], branches)


UNDECLARED = guide_sample("fk-declaration").replace(
    'requires=["bookmarks"],  # its tag table refers to bookmarks_item\n', "")


def test_a_foreign_key_to_a_plugin_not_required_is_refused_naming_it(write_site, tmp_path):
    assert "requires" not in UNDECLARED
    site = write_site(f"sqlite:///{tmp_path / 'refused.sqlite'}", tags_code=UNDECLARED)
    result = site.podium(*fk_revision_args())
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    for words in ("bookmarks_tags_tag", "bookmarks_item", "plugin 'bookmarks'",
                  "does not require", "requires=[...]", "no revision was written"):
        assert words in result.output, result.output
    assert not list(site.versions("bookmarks_tags").glob("bookmarks_tags_0001_*.py"))


# -- a disabled plugin stands in nobody's way -------------------------------------


GADGET = """
migrations = __name__ + ":migrations/versions"


def includeme(config):
    pass
"""

GADGET_MODELS = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from podium.api import Base


class Gadget(Base):
    __tablename__ = "gadget_thing"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
"""


@pytest.fixture
def counter_site(tmp_path: Path, make_plugin, forget_models, database_url):
    """The counter plugin (with migrations) installed beside a gadget plugin
    that has a model and no revision yet; an ini with only [app:main]."""
    package = make_plugin("gadget", GADGET, files={**EMPTY_MIGRATIONS,
                                                   "models.py": GADGET_MODELS})
    ini = tmp_path / "site.ini"
    ini.write_text(f"[app:main]\nuse = egg:podium\nsqlalchemy.url = {database_url}\n")
    engine = create_engine(database_url)
    with counter_installed(tmp_path / "counter"):
        yield Site(str(ini), database_url, engine, tmp_path / "site", {"gadget": package})
    engine.dispose()


def test_a_disabled_plugins_revisions_do_not_block_autogenerate(counter_site):
    site = counter_site
    plugins = "notes gadget"  # counter is installed, not enabled, never migrated
    result = site.podium("revision", "--plugin", "gadget", "-m", "things", "--autogenerate",
                         plugins=plugins)
    assert result.exit_code == 0, result.output
    source = site.written("gadget", "gadget_0001")
    assert "op.create_table('gadget_thing'" in source and "counter" not in source
    assert "notes_note" in site.tables() and "counter_counter" not in site.tables()
    assert site.podium("upgrade", plugins=plugins).exit_code == 0
    check = site.podium("check", plugins=plugins)
    assert check.exit_code == 0, check.output
    assert "counter_counter" not in site.tables()


def test_autogenerate_of_a_disabled_plugin_is_refused(counter_site):
    result = counter_site.podium("revision", "--plugin", "gadget", "-m", "x", "--autogenerate",
                                 plugins="notes")
    assert result.exit_code == 1
    assert "not enabled" in result.output and "podium.plugins" in result.output


NEEDS_COUNTER = '''
import sqlalchemy as sa
from alembic import op

revision = "gadget_0001"
down_revision = None
branch_labels = ("gadget",)
depends_on = "counter_0001"  # by hand, and gadget does not require counter


def upgrade():
    op.create_table("gadget_thing", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("name", sa.String(50)))


def downgrade():
    op.drop_table("gadget_thing")
'''


def test_an_enabled_revision_needing_a_disabled_plugins_is_blocked_not_pending(counter_site):
    """podium db upgrade would have to create the disabled plugin's tables:
    it refuses, and every check names the plugin to enable instead of
    calling the disabled plugin's revision pending."""
    site = counter_site
    (site.versions("gadget") / "gadget_0001_things.py").write_text(NEEDS_COUNTER)
    plugins = "notes gadget"
    check = site.podium("check", plugins=plugins)
    assert check.exit_code == 1
    assert "gadget_0001 (gadget) needs counter_0001 of plugin counter" in check.output
    assert "enable counter" in check.output
    assert "counter_0001" not in check.output.partition("pending revisions:")[2]
    upgrade = site.podium("upgrade", plugins=plugins)
    assert upgrade.exit_code == 1 and "enable counter" in upgrade.output
    assert site.tables() == set()
    current = site.podium("current", plugins=plugins).output.splitlines()
    counter_line = next(line for line in current if line.startswith("counter "))
    assert "pending" not in counter_line and "not created" in counter_line
    gadget_line = next(line for line in current if line.startswith("gadget "))
    assert "blocked: gadget_0001 needs counter_0001" in gadget_line
    # Enabled, counter is migrated with it.
    assert site.podium("upgrade", plugins="notes gadget counter").exit_code == 0
    assert {"gadget_thing", "counter_counter"} <= site.tables()
    assert site.podium("check", plugins="notes gadget counter").exit_code == 0


def test_a_revision_named_like_a_longer_plugin_is_not_said_to_be_ahead(counter_site):
    """bookmarks_tags_0001 in a database is not a newer bookmarks' revision:
    with no bookmarks_tags installed, it is an orphaned branch's (a plugin since uninstalled)."""
    site = counter_site
    assert site.podium("upgrade", plugins="notes").exit_code == 0
    with site.engine.begin() as connection:
        connection.execute(text("INSERT INTO alembic_version VALUES ('counter_extra_0001')"))
    check = site.podium("check", plugins="notes")
    assert check.exit_code == 1
    assert ("revisions (counter_extra_0001) of plugin 'counter_extra', which is not "
            "installed") in check.output
    assert "ahead" not in check.output


REVIEWS = """
from podium.api import Plugin


def includeme(config):
    pass


plugin = Plugin(includeme=includeme, migrations="PKG:migrations/versions")
"""

REVIEWS_MODELS = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from podium.api import Base


class Review(Base):
    __tablename__ = "reviews_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("podium_user.id"))
"""


def test_a_foreign_key_to_a_core_table_depends_on_the_cores_head(
    tmp_path, make_plugin, forget_models, database_url
):
    """The core's tables need no requires, but its head goes into depends_on:
    the base revision alone would not create the table referred to."""
    package = make_plugin("reviews", REVIEWS, target="PKG:plugin",
                          files={**EMPTY_MIGRATIONS, "models.py": REVIEWS_MODELS})
    ini = tmp_path / "site.ini"
    ini.write_text(f"[app:main]\nuse = egg:podium\nsqlalchemy.url = {database_url}\n")
    engine = create_engine(database_url)
    site = Site(str(ini), database_url, engine, tmp_path / "site", {"reviews": package})
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("PODIUM_PLUGINS", "reviews")
            env.delenv("PODIUM_DATABASE_URL", raising=False)
            core_heads = alembic_config_heads(site.ini, "podium")
        assert core_heads != ("podium_0001",), "the core has tables after its base revision"
        result = site.podium("revision", "--plugin", "reviews", "-m", "reviews",
                             "--autogenerate", plugins="reviews")
        assert result.exit_code == 0, result.output
        source = site.written("reviews", "reviews_0001")
        assert f"depends_on = {['podium_0001', *core_heads]!r}" in source, source
        assert site.podium("downgrade", "podium@base", plugins="reviews").exit_code == 0
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgraded = site.podium("upgrade", "--plugin", "reviews", plugins="reviews")
        assert upgraded.exit_code == 0, upgraded.output
        assert {"reviews_review", "podium_user"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def alembic_config_heads(ini: str, branch: str) -> tuple[str, ...]:
    from podium.store.migrations import revisions_for

    return revisions_for(alembic_config(ini)).heads_of(branch)
