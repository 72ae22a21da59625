"""A site with two real plugin distributions, for the tests of a plugin's end.

``todo`` has one model, ``todo_item``, and its first revision; ``todo_tags``
requires it and its ``todo_tags_tag`` has a foreign key to ``todo_item``.
Both are written by ``make_plugin`` (a package and a ``.dist-info``);
:meth:`Site.uninstall` removes both, as ``pip uninstall`` does.  Commands run
in process through click's runner, on an ini file with only ``[app:main]``.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine, inspect, text

from podium.api import Base
from podium.cli import cli
from podium.testing import build_app, temporary_database
from podium.testing.apps import base_settings

TODO = """
from podium.api import Plugin, Setting


def includeme(config):
    pass


plugin = Plugin(includeme=includeme, migrations="PKG:migrations/versions",
                settings=[Setting("page_size", int, 20, "items per page")])
"""

TODO_MODELS = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from podium.api import Base


class Item(Base):
    __tablename__ = "todo_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
"""

TODO_0001 = '''
import sqlalchemy as sa
from alembic import op

revision = "todo_0001"
down_revision = None
branch_labels = ("todo",)
depends_on = "podium_0001"


def upgrade():
    op.create_table(
        "todo_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_todo_item")),
    )


def downgrade():
    op.drop_table("todo_item")
'''

TAGS = """
from podium.api import Plugin


def includeme(config):
    pass


plugin = Plugin(includeme=includeme, requires=["todo"],
                migrations="PKG:migrations/versions")
"""

TAGS_MODELS = """
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from podium.api import Base


class Tag(Base):
    __tablename__ = "todo_tags_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("todo_item.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(50))
"""

TAGS_0001 = '''
import sqlalchemy as sa
from alembic import op

revision = "todo_tags_0001"
down_revision = None
branch_labels = ("todo_tags",)
depends_on = ["podium_0001", "todo_0001"]


def upgrade():
    op.create_table(
        "todo_tags_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["todo_item.id"], ondelete="CASCADE",
                                name=op.f("fk_todo_tags_tag_item_id_todo_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_todo_tags_tag")),
    )


def downgrade():
    op.drop_table("todo_tags_tag")
'''

MIGRATIONS = {"migrations/__init__.py": "", "migrations/versions/__init__.py": ""}

#: What the distributions are called (``pip uninstall`` takes these).
DISTRIBUTIONS = {"todo": "podium-todo", "todo_tags": "podium-todo-tags"}


def install(make_plugin, which: str = "todo todo_tags") -> dict[str, str]:
    """Write the plugins; return their package names."""
    packages = {}
    if "todo" in which.split():
        packages["todo"] = make_plugin("todo", TODO, target="PKG:plugin",
                                       distribution=DISTRIBUTIONS["todo"], files={
            **MIGRATIONS, "models.py": TODO_MODELS,
            "migrations/versions/todo_0001_create_item.py": TODO_0001})
    if "todo_tags" in which.split():
        packages["todo_tags"] = make_plugin("todo_tags", TAGS, target="PKG:plugin",
                                            distribution=DISTRIBUTIONS["todo_tags"], files={
            **MIGRATIONS, "models.py": TAGS_MODELS,
            "migrations/versions/todo_tags_0001_create_tag.py": TAGS_0001})
    return packages


@dataclass
class Site:
    ini: str
    url: str
    engine: Engine
    root: Path
    packages: dict[str, str]
    #: What podium.plugins lists (PODIUM_PLUGINS).
    plugins: str = "todo todo_tags"
    uninstalled: list[str] = field(default_factory=list)

    def run(self, *args: str, plugins: str | None = None) -> Result:
        """``podium ARGS`` with CONFIG_URI wherever ``INI`` stands."""
        argv = [self.ini if a == "INI" else a for a in args]
        environ = {"PODIUM_PLUGINS": self.plugins if plugins is None else plugins,
                   "PODIUM_DATABASE_URL": None}
        result = CliRunner().invoke(cli, argv, env=environ)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def ok(self, *args: str, plugins: str | None = None) -> Result:
        result = self.run(*args, plugins=plugins)
        assert result.exit_code == 0, result.output
        return result

    def tables(self) -> set[str]:
        return set(inspect(self.engine).get_table_names())

    def rows(self, sql: str) -> list[tuple]:
        with self.engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql))]

    def execute(self, sql: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(sql))

    def versions(self) -> set[str]:
        return {r[0] for r in self.rows("SELECT version_num FROM alembic_version")}

    def records(self) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """``(branch, table)`` and ``(branch, revision)`` pairs recorded."""
        return (set(self.rows("SELECT branch, table_name FROM podium_branch_table")),
                set(self.rows("SELECT branch, revision FROM podium_branch_revision")))

    def uninstall(self, name: str) -> None:
        """What ``pip uninstall`` does: the distribution's metadata and its code go."""
        package = self.packages[name]
        (dist_info,) = self.root.glob(DISTRIBUTIONS[name].replace("-", "_") + "-*.dist-info")
        shutil.rmtree(dist_info)
        shutil.rmtree(self.root / package)
        for module in list(sys.modules):
            if module.split(".")[0] == package:
                del sys.modules[module]
        importlib.invalidate_caches()
        forget_models([name])
        self.uninstalled.append(name)

    def start(self, plugins: str) -> None:
        """Build the app as pserve would, with the start-up schema check on."""
        settings = {**base_settings(self.url, plugins), "podium.db.require_current": "true"}
        app = build_app(settings)
        app.registry["podium.engine"].dispose()


#: The ini's lines for the plugins, beside [app:main]'s own.
PLUGIN_LINES = "todo.page_size = 5\npodium.plugin.todo.route_prefix = /tasks\n"


#: The tables of each plugin's models.
TABLES = {"todo": "todo_item", "todo_tags": "todo_tags_tag"}


def forget_models(names: Iterable[str]) -> None:
    """Take the plugins' tables out of ``podium.api.Base``'s metadata, which
    outlives them (a process started after ``pip uninstall`` never had them)."""
    for name in names:
        table = Base.metadata.tables.get(TABLES.get(name, ""))
        if table is not None:
            Base.metadata.remove(table)


@contextmanager
def open_site(backend: str, tmp_path: Path, make_plugin: Callable[..., str]) -> Iterator[Site]:
    """Both plugins installed, a new database of ``backend``, and an ini file
    with only ``[app:main]``; the plugins' models leave ``Base`` afterwards, so
    that the next test can declare them again."""
    packages = install(make_plugin)
    with temporary_database(backend, tmp_path) as url:
        ini = tmp_path / "site.ini"
        ini.write_text(f"[app:main]\nuse = egg:podium\nsqlalchemy.url = {url}\n"
                       f"podium.plugins = todo todo_tags\n{PLUGIN_LINES}")
        engine = create_engine(url)
        try:
            yield Site(str(ini), url, engine, tmp_path / "site", packages)
        finally:
            engine.dispose()
            forget_models(packages)
