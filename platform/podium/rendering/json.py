"""The ``json`` renderer, taught the types SQLAlchemy models hand back."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from pyramid.config import Configurator
from pyramid.renderers import JSON


def _isoformat(value: datetime.date | datetime.time, request: Any) -> str:
    return value.isoformat()


def _as_string(value: Any, request: Any) -> str:
    # Decimals become strings: a float would lose the precision they exist for.
    return str(value)


def make_json_renderer() -> JSON:
    renderer = JSON()
    for kind in (datetime.datetime, datetime.date, datetime.time):
        renderer.add_adapter(kind, _isoformat)
    renderer.add_adapter(uuid.UUID, _as_string)
    renderer.add_adapter(decimal.Decimal, _as_string)
    return renderer


def includeme(config: Configurator) -> None:
    config.add_renderer("json", make_json_renderer())
