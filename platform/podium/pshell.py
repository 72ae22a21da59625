"""``pshell``'s setup for Podium: ``[pshell] setup = podium.pshell.setup``.

In a served request the transaction manager is pyramid_tm's, one explicit
manager per request (``tm.manager_hook = pyramid_tm.explicit_manager``,
Podium's default), begun and committed by pyramid_tm's tween.  pshell runs no
tween: its ``request.tm`` was never begun, so ``request.dbsession`` refused
to write (``NoTransaction``), and ``transaction.commit()``, which commits the
thread's default manager ``transaction.manager``, committed a manager no
session had joined: the writes were dropped without a word.

So the shell's request gets the thread's default manager instead, through
Pyramid's public ``request.set_property``: ``request.tm``, ``tm`` and
``transaction.manager`` are then one manager, and ``tm.commit()`` and
``transaction.commit()`` both commit what ``dbsession`` (which is
``request.dbsession``) wrote.  That manager is not explicit: after a commit
or an abort the next statement begins a new transaction by itself, as a
Pyramid user expects at a prompt.  Leaving the shell aborts what was not
committed.  Served requests are unchanged; only the shell's request is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import transaction

from .plugins.plugin_set import PluginSet, plugin_set
from .store.model import Base


class Models:
    """The app's mapped classes, by name (models.Note)."""

    def __init__(self, plugins: PluginSet) -> None:
        # A class name two packages share is models.<plugin>_<Name> for each.
        owners = {p.installed.entry_point.module.split(".")[0]: p.name for p in plugins.enabled}
        classes: dict[str, list[tuple[str, type]]] = {}
        for mapper in Base.registry.mappers:
            cls = mapper.class_
            owner = owners.get(cls.__module__.split(".")[0], "podium")
            classes.setdefault(cls.__name__, []).append((owner, cls))
        for name, found in sorted(classes.items()):
            if len(found) == 1:
                setattr(self, name, found[0][1])
            else:
                for owner, cls in found:
                    setattr(self, f"{owner}_{name}", cls)

    def __repr__(self) -> str:
        return f"<models: {', '.join(sorted(vars(self))) or '(none)'}>"


def setup(env: dict[str, Any]) -> Iterator[None]:
    """Give the shell ``dbsession``, ``tm``, ``transaction``, ``plugins`` and
    ``models``, in one transaction manager that ``tm.commit()`` and
    ``transaction.commit()`` both commit; abort the rest when the shell ends."""
    request, registry = env["request"], env["registry"]
    manager = transaction.manager
    request.set_property(lambda _request: manager, "tm", reify=True)
    if request.tm is not manager:  # something read request.tm before this setup
        raise RuntimeError("podium.pshell.setup must run before request.tm is read")
    manager.begin()
    env["tm"] = manager
    env["transaction"] = transaction
    env["dbsession"] = request.dbsession
    env["plugins"] = plugin_set(registry)
    env["models"] = Models(env["plugins"])
    try:
        yield
    finally:
        manager.abort()
