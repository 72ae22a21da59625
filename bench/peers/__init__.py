"""The contenders: each a module with ``make_app(db_url, **options)`` (a WSGI
app factory), ``PREFIX`` (where its scenario URLs start) and ``SCENARIOS``
(the scenario names it implements)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Contender:
    name: str
    module: str

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)

    @property
    def factory(self) -> str:
        """``module:function`` for ``python -m bench.serve``."""
        return f"{self.module}:make_app"

    @property
    def prefix(self) -> str:
        return self.load().PREFIX

    @property
    def scenarios(self) -> frozenset[str]:
        return self.load().SCENARIOS


CONTENDERS: dict[str, Contender] = {
    c.name: c for c in (
        Contender("raw_wsgi", "bench.peers.raw_wsgi"),
        Contender("bare_pyramid", "bench.peers.bare_pyramid"),
        Contender("cookiecutter", "bench.peers.cookiecutter"),
        Contender("flask", "bench.peers.flask_app"),
        Contender("podium", "bench.peers.podium_app"),
    )
}
