"""The ORM session class behind ``request.dbsession``.

``Session.get()`` builds ``select(Model)`` and its primary-key criteria anew
on every call, and SQLAlchemy then walks that fresh statement to work out
its cache key before it can find the compiled SQL.  For a table with an
integer key on SQLite that is about a quarter of the call (bench: a
``get()`` 87 -> 61 us in isolation; the updates scenario, 20 of them, is
where Podium's requests spend most of their time).

:class:`StoreSession` builds that statement once per mapper and runs it
through the ordinary ``Session.execute()``: the same identity-map lookup
first, the same one SELECT per call, the same ORM loading, events and
autoflush.  Where that SELECT cannot return two rows it reads one scalar
instead of uniquing the result (:func:`_selects_one_row`).  Anything but
the plain call (options, ``populate_existing``, ``with_for_update``, an
identity token, a dict or composite identity, a ``None`` in the key, an
``always_refresh`` mapper) goes to ``Session.get()`` unchanged.
Session-wide execution options apply either way: ``Session.execute()``
adds them.
"""

from __future__ import annotations

import uuid
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, and_, bindparam, inspect, select
from sqlalchemy.orm import Mapper, Session

#: Key values the fast path takes as they are; anything else (a dict, a
#: dataclass of a composite key, an object with ``__composite_values__``)
#: is for ``Session.get()`` to interpret.
_SCALAR_KEY_TYPES = (int, str, uuid.UUID, bytes)


@dataclass(frozen=True)
class _PrimaryKeyLoad:
    statement: Select[Any]
    param_names: tuple[str, ...]
    #: The SELECT returns at most one row: its result needs no uniquing.
    one_row: bool


# Keyed by mapper, weakly: a mapper disposed of (tests do) takes its entry along.
_loads: weakref.WeakKeyDictionary[Mapper[Any], _PrimaryKeyLoad | None] = (
    weakref.WeakKeyDictionary()
)


def _selects_one_row(mapper: Mapper[Any]) -> bool:
    """Whether ``mapper``'s primary-key SELECT returns at most one row.

    ``Session.get()`` reads its result through ``unique().scalars()``, which
    costs about 6% of a ``get()`` on PostgreSQL (30,000 of 476,000
    instructions, callgrind) and only matters when rows can repeat an
    object: joined eager loading (SQLAlchemy then requires it), or a mapper
    key that is not a key of the table.  So the fast path reads one scalar
    only when the mapper is one table, its key is that table's own primary
    key (the database keeps it unique), nothing is loaded polymorphically
    and no relationship of the mapper or its subclasses is joined eager.
    ``mapper.relationships`` configures the mappers first, so backrefs are
    seen.
    """
    table = mapper.persist_selectable
    if not isinstance(table, Table) or mapper.with_polymorphic:
        return False
    if set(mapper.primary_key) != set(table.primary_key.columns):
        return False
    return not any(relationship.lazy in ("joined", False)
                   for each in mapper.self_and_descendants
                   for relationship in each.relationships)


def _primary_key_load(mapper: Mapper[Any]) -> _PrimaryKeyLoad | None:
    try:
        return _loads[mapper]
    except KeyError:
        pass
    load: _PrimaryKeyLoad | None = None
    if not mapper.always_refresh:
        names = tuple(f"podium_pk_{i}" for i in range(len(mapper.primary_key)))
        criteria = and_(*(
            column == bindparam(name, type_=column.type)
            for column, name in zip(mapper.primary_key, names, strict=True)
        ))
        load = _PrimaryKeyLoad(select(mapper).where(criteria), names,
                               _selects_one_row(mapper))
    # Two threads may both get here first; they build equal entries.
    _loads[mapper] = load
    return load


def _key_values(ident: Any) -> tuple[Any, ...] | None:
    if isinstance(ident, _SCALAR_KEY_TYPES):
        return (ident,)
    if isinstance(ident, (tuple, list)) and all(
        isinstance(value, _SCALAR_KEY_TYPES) for value in ident
    ):
        return tuple(ident)
    return None


class StoreSession(Session):
    """A ``Session`` whose plain ``get(Model, key)`` skips rebuilding its
    statement; see the module's docstring for what counts as plain."""

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        if kwargs:
            return super().get(entity, ident, **kwargs)
        mapper = inspect(entity, raiseerr=False)
        if not isinstance(mapper, Mapper):
            return super().get(entity, ident)
        load = _primary_key_load(mapper)
        values = _key_values(ident)
        if load is None or values is None or len(values) != len(load.param_names):
            return super().get(entity, ident)
        # As Session.get(): an object already in the session is returned
        # without SQL (refreshed first if it was expired), and one of
        # another class under the same key means there is none of this one.
        instance = self._identity_lookup(mapper, values)
        if instance is not None:
            return instance if isinstance(instance, mapper.class_) else None
        params = dict(zip(load.param_names, values, strict=True))
        result = self.execute(load.statement, params)
        if load.one_row:
            return result.scalar_one_or_none()
        return result.unique().scalars().one_or_none()
