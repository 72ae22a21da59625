"""``podium openapi CONFIG_URI``: the site's OpenAPI document on stdout.

The application is built from the ini file exactly as ``pserve`` builds it,
so the document is the one ``GET /api/openapi.json`` serves; nothing is
read from or written to the database.
"""

from __future__ import annotations

import json
import os

import click
from pyramid.paster import get_app

from ..jsonapi.openapi import openapi_document


@click.command("openapi")
@click.argument("config_uri")
def openapi(config_uri: str) -> None:
    """Write the OpenAPI 3.1 document of CONFIG_URI's JSON API to stdout."""
    path = config_uri.split("#", 1)[0]
    if not os.path.exists(path):
        raise FileNotFoundError(f"configuration file {path} does not exist")
    app = get_app(config_uri)
    click.echo(json.dumps(openapi_document(app.registry), indent=2, ensure_ascii=False))
