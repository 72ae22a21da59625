"""``StoreSession.get()`` answers exactly as ``Session.get()`` does.

Every case runs twice on a real database, once with SQLAlchemy's own
``Session`` and once with Podium's, and compares what came back, what was
raised and how many statements reached the database.  The last tests show
that the plain call really takes the prepared statement (so the comparisons
above compare two different code paths), and that other calls do not.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, String, Table, delete, event, update
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    aliased,
    backref,
    load_only,
    mapped_column,
    relationship,
)

from podium.store.engine import make_engine
from podium.store.orm_session import StoreSession
from podium.testing.database import postgresql_admin_url, temporary_database


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "get_item"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int]
    label: Mapped[str] = mapped_column(String(20), default="")


class Pair(Base):
    __tablename__ = "get_pair"
    number: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[int]


class Token(Base):
    __tablename__ = "get_token"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    value: Mapped[int]


class Animal(Base):
    __tablename__ = "get_animal"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(20))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "animal"}


class Dog(Animal):
    __tablename__ = "get_dog"
    id: Mapped[int] = mapped_column(ForeignKey("get_animal.id"), primary_key=True)
    barks: Mapped[int] = mapped_column(default=0)
    __mapper_args__ = {"polymorphic_identity": "dog"}


class Cat(Animal):
    # single-table: no table of its own
    __mapper_args__ = {"polymorphic_identity": "cat"}


class Refreshed(Base):
    __tablename__ = "get_refreshed"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int]
    __mapper_args__ = {"always_refresh": True}


class Shelf(Base):
    __tablename__ = "get_shelf"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # joined eager: one row per book, which get() must fold into one shelf
    books: Mapped[list[Book]] = relationship(lazy="joined", order_by="Book.id")


class Book(Base):
    __tablename__ = "get_book"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("get_shelf.id"))


class Author(Base):
    __tablename__ = "get_author"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class Paper(Base):
    __tablename__ = "get_paper"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("get_author.id"))
    # Author's collection exists only once the mappers are configured.
    author: Mapped[Author] = relationship(
        backref=backref("papers", lazy="joined", order_by="Paper.id"))


class Tag(Base):
    # The mapper's key is not a key of the table: two rows share it.
    __table__ = Table("get_tag", Base.metadata, Column("id", Integer), Column("name", String(10)))
    __mapper_args__ = {"primary_key": [__table__.c.id]}


ITEM_ALIAS = aliased(Item)
TOKEN = uuid.UUID("12345678-1234-5678-1234-567812345678")
BACKENDS = ["sqlite"] + (["postgresql"] if postgresql_admin_url() else [])


@pytest.fixture(scope="module", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Any]:
    with temporary_database(request.param, tmp_path_factory.mktemp("get")) as url:
        engine = make_engine({"sqlalchemy.url": url})
        Base.metadata.create_all(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def database(engine: Any) -> Any:
    """The same rows for every case; each run of it rolls back what it did."""
    with Session(engine) as session, session.begin():
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
        session.add_all([
            Item(id=1, value=10, label="one"), Item(id=2, value=20, label="two"),
            Pair(number=1, code="a", value=100), Pair(number=1, code="b", value=200),
            Token(id=TOKEN, value=7),
            Dog(id=1, name="rex", barks=3), Cat(id=2, name="tom"),
            Refreshed(id=1, value=1),
            Shelf(id=1, books=[Book(id=1), Book(id=2), Book(id=3)]), Shelf(id=2),
            Author(id=1),
        ])
        session.flush()
        session.add_all([Paper(id=1, author_id=1), Paper(id=2, author_id=1)])
        session.execute(Tag.__table__.insert(), [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}])
    return engine


def describe(obj: Any) -> Any:
    """What a test can compare between two sessions."""
    if obj is None:
        return None
    mapper = obj.__mapper__
    return (type(obj).__name__, {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs})


def run(
    case: Callable[[Session], Any], session_class: type[Session], engine: Any,
) -> tuple[Any, int]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    session = session_class(bind=engine)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SAWarning)
            try:
                outcome = case(session)
            except Exception as exc:  # compared below, type and message
                outcome = ("raised", type(exc).__name__, str(exc).split("\n")[0])
        warned = sorted(str(w.message) for w in caught if issubclass(w.category, SAWarning))
    finally:
        session.rollback()
        session.close()
        event.remove(engine, "before_cursor_execute", count)
    return (outcome, warned), len(statements)


CASES: dict[str, Callable[[Session], Any]] = {}


def case(fn: Callable[[Session], Any]) -> Callable[[Session], Any]:
    CASES[fn.__name__] = fn
    return fn


@case
def found_and_missing(s: Session) -> Any:
    return [describe(s.get(Item, 1)), describe(s.get(Item, 2)), s.get(Item, 10**6)]


@case
def the_second_get_is_the_same_object_without_sql(s: Session) -> Any:
    first = s.get(Item, 1)
    return [describe(first), s.get(Item, 1) is first, s.get(Item, (1,)) is first]


@case
def an_expired_object_is_refreshed(s: Session) -> Any:
    item = s.get(Item, 1)
    s.execute(update(Item).where(Item.id == 1).values(value=11),
              execution_options={"synchronize_session": False})
    s.expire(item)
    again = s.get(Item, 1)
    return [again is item, describe(again)]


@case
def an_expired_object_whose_row_is_gone_is_none(s: Session) -> Any:
    item = s.get(Item, 2)
    s.execute(delete(Item).where(Item.id == 2), execution_options={"synchronize_session": False})
    s.expire(item)
    return [s.get(Item, 2)]


@case
def a_pending_object_is_flushed_and_found(s: Session) -> Any:
    added = Item(id=50, value=500)
    s.add(added)
    return [s.get(Item, 50) is added, describe(s.get(Item, 50))]


@case
def a_dirty_object_is_returned_as_it_is(s: Session) -> Any:
    item = s.get(Item, 1)
    item.value = 99
    return [describe(s.get(Item, 1)), item in s.dirty]


@case
def composite_keys_as_tuple_list_and_dict(s: Session) -> Any:
    return [describe(s.get(Pair, (1, "a"))), describe(s.get(Pair, [1, "b"])),
            describe(s.get(Pair, {"number": 1, "code": "a"})), s.get(Pair, (2, "a"))]


@case
def a_key_of_the_wrong_length_is_refused(s: Session) -> Any:
    return s.get(Pair, 1)


@case
def a_key_with_none_in_it(s: Session) -> Any:
    return [s.get(Pair, (1, None)), s.get(Item, None)]


@case
def a_uuid_key(s: Session) -> Any:
    return [describe(s.get(Token, TOKEN)), s.get(Token, uuid.uuid4())]


@case
def the_base_class_loads_the_subclass(s: Session) -> Any:
    return [describe(s.get(Animal, 1)), describe(s.get(Animal, 2))]


@case
def a_subclass_does_not_load_another_subclass_row(s: Session) -> Any:
    return [s.get(Cat, 1), describe(s.get(Dog, 1)), describe(s.get(Cat, 2))]


@case
def an_object_of_another_subclass_in_the_session_is_not_returned(s: Session) -> Any:
    dog = s.get(Dog, 1)
    return [describe(dog), s.get(Cat, 1), s.get(Animal, 1) is dog]


@case
def options_populate_existing_and_for_update(s: Session) -> Any:
    partial = s.get(Item, 2, options=[load_only(Item.value)])
    item = s.get(Item, 1)
    s.execute(update(Item).where(Item.id == 1).values(value=12),
              execution_options={"synchronize_session": False})
    stale = s.get(Item, 1).value
    fresh = s.get(Item, 1, populate_existing=True).value
    locked = s.get(Item, 2, with_for_update=True)
    return [partial.value, "label" in partial.__dict__, item.value, stale, fresh, describe(locked)]


@case
def an_always_refresh_mapper_queries_every_time(s: Session) -> Any:
    first = s.get(Refreshed, 1)
    s.execute(update(Refreshed).values(value=2), execution_options={"synchronize_session": False})
    return [s.get(Refreshed, 1) is first, first.value]


@case
def session_wide_execution_options(s: Session) -> Any:
    session = type(s)(bind=s.bind, execution_options={"populate_existing": True})
    try:
        item = session.get(Item, 1)
        session.execute(update(Item).where(Item.id == 1).values(value=13),
                        execution_options={"synchronize_session": False})
        return [session.get(Item, 1) is item, item.value]
    finally:
        session.rollback()
        session.close()


@case
def not_a_mapped_class(s: Session) -> Any:
    return s.get(int, 1)


@case
def a_key_two_rows_share_is_one_object(s: Session) -> Any:
    tag = s.get(Tag, 1)  # both rows have its identity; which one fills it is the database's choice
    return [type(tag).__name__, tag.id, tag.name in ("a", "b")]


@case
def an_alias_is_refused(s: Session) -> Any:
    return s.get(ITEM_ALIAS, 1)


@case
def a_joined_eager_collection_comes_with_its_object(s: Session) -> Any:
    shelf = s.get(Shelf, 1)
    return [describe(shelf), sorted(book.id for book in shelf.books), describe(s.get(Shelf, 2))]


@case
def a_joined_eager_collection_from_a_backref_comes_with_its_object(s: Session) -> Any:
    author = s.get(Author, 1)
    return [describe(author), [paper.id for paper in author.papers]]


@pytest.mark.parametrize("name", sorted(CASES))
def test_store_session_get_answers_as_session_get(name: str, database: Any) -> None:
    expected = run(CASES[name], Session, database)
    assert run(CASES[name], StoreSession, database) == expected


def statements_reaching_the_orm(session: Session, calls: Callable[[Session], Any]) -> list[Any]:
    seen: list[Any] = []
    event.listen(session, "do_orm_execute", lambda state: seen.append(state.statement))
    calls(session)
    return seen


def test_a_plain_get_runs_one_prepared_statement(database: Any) -> None:
    def gets(s: Session) -> None:
        assert s.get(Item, 1).value == 10
        assert s.get(Item, 2).value == 20
        assert s.get(Item, 3) is None

    with StoreSession(bind=database) as session:
        first, *rest = statements_reaching_the_orm(session, gets)
    assert all(statement is first for statement in rest) and len(rest) == 2
    # Session.get() builds a new one each time: the comparisons above are real.
    with Session(bind=database) as session:
        built = statements_reaching_the_orm(session, gets)
    assert len({id(statement) for statement in built}) == 3


def test_only_a_select_of_one_row_at_most_skips_uniquing() -> None:
    """Which mappers the fast path reads without ``unique()``: the cases
    above (Shelf, Author, Tag, Dog) compare the others with Session.get()."""
    from sqlalchemy import inspect

    from podium.store.orm_session import _primary_key_load

    def one_row(model: Any) -> bool:
        load = _primary_key_load(inspect(model))
        assert load is not None
        return load.one_row

    assert all(one_row(model) for model in (Item, Pair, Token, Animal, Cat, Book, Paper))
    # joined eager (declared, from a backref), a key that is not the table's,
    # two tables joined
    assert not any(one_row(model) for model in (Shelf, Author, Tag, Dog))


def test_calls_with_options_go_to_session_get(database: Any) -> None:
    def gets(s: Session) -> None:
        s.get(Item, 1, populate_existing=True)
        s.get(Item, 1, populate_existing=True)
        s.get(Pair, {"number": 1, "code": "a"})
        s.get(Pair, {"number": 1, "code": "b"})

    with StoreSession(bind=database) as session:
        seen = statements_reaching_the_orm(session, gets)
    assert len({id(statement) for statement in seen}) == 4


def test_the_request_session_is_a_store_session(tmp_path: Any) -> None:
    from podium.store.session import make_session_factory

    engine = make_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'f.sqlite'}"})
    try:
        assert isinstance(make_session_factory(engine)(), StoreSession)
    finally:
        engine.dispose()


def test_a_string_is_refused_as_session_execute_refuses_it(database: Any) -> None:
    from sqlalchemy.exc import ArgumentError

    from podium.store.zope_events import TransactionSession

    for method in ("execute", "scalars", "scalar"):
        messages = []
        for session_class in (Session, TransactionSession):
            with session_class(bind=database) as session, pytest.raises(ArgumentError) as raised:
                getattr(session, method)("SELECT 1")
            messages.append(str(raised.value))
        assert messages[0] == messages[1] and "text('SELECT 1')" in messages[0]
