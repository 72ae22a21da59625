"""docs/api-layer.md's shortest endpoint, run as the plugin it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from podium.testing import base_settings

ROOT = Path(__file__).resolve().parents[2]
#: The sample's own model module, in the plugin: a table of its own metadata (the
#: tests create the plugin more than once, which podium.api.Base would refuse).
MODEL = '''
from sqlalchemy import Column, Integer, MetaData, String
from sqlalchemy.orm import declarative_base

Base = declarative_base(metadata=MetaData())


class ThingRow(Base):
    __tablename__ = "things_thing"
    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
'''
things = Table("things_thing", MetaData(), Column("id", Integer, primary_key=True),
               Column("name", String(100), nullable=False))


def sample() -> str:
    text = (ROOT / "docs" / "api-layer.md").read_text()
    return re.search(r"## The shortest endpoint\n\n```python\n(.*?)```", text, re.S).group(1)


@pytest.fixture
def podium_settings(make_plugin, podium_database_url):
    make_plugin("things", sample(), files={"models.py": MODEL})
    return base_settings(podium_database_url, "things")


@pytest.fixture
def app(testapp, podium_engine):
    things.create(podium_engine, checkfirst=True)
    yield testapp
    things.drop(podium_engine)


def test_the_shortest_endpoint_works_as_the_guide_says(app, podium_user, api_token):
    podium_user("maker", permissions=["things.create"])
    auth = {"Authorization": f"Bearer {api_token('maker')}"}
    res = app.post_json("/things/api/things", {"name": "Kettle"}, headers=auth, status=201)
    assert res.json == {"id": res.json["id"], "name": "Kettle"}
    res = app.post_json("/things/api/things", {"name": ""}, headers=auth, status=400)
    assert set(res.json["error"]["fields"]) == {"name"}
    operation = app.get("/api/openapi.json").json["paths"]["/things/api/things"]["post"]
    assert operation["summary"] == "Create a thing."
    assert "`things.create`" in operation["description"]
