"""The two TechEmpower tables, on Podium's shared declarative base.

They have no migrations on purpose: they exist only in the throw-away
databases the harness creates and seeds (``bench/data.py``), never in a real
Podium database.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from podium.api import Base


class World(Base):
    __tablename__ = "world"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    randomnumber: Mapped[int]


class Fortune(Base):
    __tablename__ = "fortune"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    message: Mapped[str] = mapped_column(String(2048))
