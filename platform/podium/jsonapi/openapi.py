"""The OpenAPI 3.1 document of every JSON API view, built once per application.

It is read from what the configuration registered, through Pyramid's
introspector: each route, its views declared ``json_api=True`` (one
operation per request method), their permission, their docstring and the
schema options of :mod:`podium.jsonapi.schemas`.  The components are the
models' JSON Schemas as pydantic writes them (``models_json_schema``:
validation mode for what clients send, serialization mode for what they
get, ``examples`` from a model's ``json_schema_extra``), plus the one
``Error`` shape; the security schemes are the two ways Podium identifies a
client: a bearer token, or the session cookie with the CSRF token in
``X-CSRF-Token`` on unsafe methods.

The document is built when the configuration is committed, after every
other action (:func:`build_when_committed`), and kept in the registry with
its JSON bytes: serving it costs a lookup, never a rebuild.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import (
    GenerateJsonSchema,
    JsonSchemaMode,
    JsonSchemaValue,
    models_json_schema,
)
from pydantic_core import core_schema
from pyramid.config import Configurator
from pyramid.interfaces import IDefaultPermission, IRoutesMapper
from pyramid.registry import Registry
from pyramid.security import NO_PERMISSION_REQUIRED

from ..accounts.models import EVERYONE
from ..plugins.permissions import catalog_of
from ..security.csrf import SAFE_METHODS, TOKEN_HEADER
from ..security.sessions import SESSION_COOKIE
from .errors import ErrorBody
from .schemas import SCHEMA_OPTIONS, is_paginated, page_settings, resolve_schema

OPENAPI_VERSION = "3.1.0"
DOCUMENT_KEY = "podium.openapi.document"
_lock = threading.Lock()
REF = "#/components/schemas/{model}"
ERROR_REF = {"$ref": "#/components/responses/Error"}
METHOD_ORDER = ("GET", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "TRACE")

SECURITY_SCHEMES = {
    "bearerToken": {
        "type": "http", "scheme": "bearer",
        "description": "An API token (made on your /account page, or by an administrator with "
                       "podium tokens create): Authorization: Bearer <token>. "
                       "Needs no CSRF token.",
    },
    "sessionCookie": {
        "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
        "description": "The session of a user logged in through /login (pages of this site).",
    },
    "csrfToken": {
        "type": "apiKey", "in": "header", "name": TOKEN_HEADER,
        "description": "The session's CSRF token, required with the session cookie on "
                       "POST, PUT, PATCH and DELETE (a page's script reads it from the page).",
    },
}

#: What each error status means on an operation, for the responses listed.
ERROR_STATUSES = {
    "400": "Invalid input: `error.fields` names each field and what is wrong with it.",
    "401": "Nobody is identified (no, or a wrong, token or session).",
    "403": "The user lacks the permission, or the CSRF token is missing.",
    "404": "No such item.",
    "413": "The body is larger than this address accepts.",
    "415": "The body is not sent as application/json.",
    "503": "The database is busy or unreachable; try again (Retry-After).",
}


@dataclass
class Operation:
    """One method of one route, as the document describes it."""

    path: str
    method: str
    route_name: str
    view: Any
    permission: Any
    options: dict[str, Any] = field(default_factory=dict)
    path_parameters: list[dict[str, Any]] = field(default_factory=list)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def openapi_path(pattern: str) -> tuple[str, list[dict[str, Any]]]:
    """A Pyramid route pattern as an OpenAPI path and its path parameters:
    ``/items/{id:\\d+}`` is ``/items/{id}`` with ``id`` matching ``^(?:\\d+)$``."""
    out: list[str] = []
    parameters: list[dict[str, Any]] = []
    i = 0
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    while i < len(pattern):
        char = pattern[i]
        if char == "{":
            depth, j = 1, i + 1
            while j < len(pattern) and depth:
                depth += {"{": 1, "}": -1}.get(pattern[j], 0)
                j += 1
            marker = pattern[i + 1:j - 1]
            name, _, regex = marker.partition(":")
            schema: dict[str, Any] = {"type": "string"}
            if regex:
                schema["pattern"] = f"^(?:{regex})$"
            else:
                schema["pattern"] = "^[^/]+$"  # Pyramid's default: one non-empty segment
            parameters.append({"name": name.strip(), "in": "path", "required": True,
                               "schema": schema})
            out.append("{" + name.strip() + "}")
            i = j
        elif char == "*" and (i == 0 or pattern[i - 1] == "/"):
            match = _NAME.match(pattern, i + 1)
            name = match.group(0) if match else "remainder"
            parameters.append({"name": name, "in": "path", "required": True,
                               "schema": {"type": "string"}})
            out.append("{" + name + "}")
            i = match.end() if match else i + 1
        else:
            out.append(char)
            i += 1
    return "".join(out), parameters


def _permission_of(registry: Registry, related: list[Any]) -> Any:
    for intr in related:
        if intr.category_name == "permissions":
            return intr["value"]
    return registry.queryUtility(IDefaultPermission)


def _method_rank(method: str) -> int:
    return METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER)


def operations(registry: Registry) -> Iterator[Operation]:
    """Every JSON API operation, in route order, then method order."""
    introspector = registry.introspector
    by_route: dict[str, dict[str, Operation]] = {}
    for entry in introspector.get_category("views"):
        intr = entry["introspectable"]
        route_name = intr["route_name"]
        methods = intr["request_methods"]
        if not intr.get("json_api") or route_name is None or intr["exception_only"]:
            continue
        if methods is None:
            continue  # a view for any method is a catch-all, not an operation
        for method in ([methods] if isinstance(methods, str) else list(methods)):
            if method == "HEAD":
                continue  # a GET answers HEAD too; OpenAPI lists the GET
            route_ops = by_route.setdefault(route_name, {})
            route_ops.setdefault(method, Operation(
                path="", method=method, route_name=route_name, view=intr["callable"],
                permission=_permission_of(registry, entry["related"]),
                options={**{k: resolve_schema(registry, intr.get(k)) for k in SCHEMA_OPTIONS},
                         **{k: intr.get(k) for k in ("response_status",
                                                     "per_page_settings")}}))
    mapper = registry.queryUtility(IRoutesMapper)
    for route in mapper.get_routes() if mapper is not None else ():
        found = by_route.get(route.name)
        if not found:
            continue
        path, parameters = openapi_path(route.pattern)
        for method in sorted(found, key=_method_rank):
            operation = found[method]
            operation.path = path
            operation.path_parameters = parameters
            yield operation


class PodiumJsonSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, saying what :class:`~podium.jsonapi.base.ApiSchema`
    also refuses in what clients send: text with a NUL character."""

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        json_schema = super().str_schema(schema)
        if self.mode == "validation":
            json_schema["not"] = {"pattern": "\\x00"}
        return json_schema


class _Components:
    """The models of every operation, turned into JSON Schemas in one go so
    that a model used twice is one component."""

    def __init__(self, ops: list[Operation]):
        wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
        for op in ops:
            modes: tuple[tuple[str, JsonSchemaMode], ...] = (
                ("request_schema", "validation"),
                ("query_schema", "validation"), ("response_schema", "serialization"))
            for option, mode in modes:
                model: type[BaseModel] | None = op.options.get(option)
                if model is not None and (model, mode) not in wanted:
                    wanted.append((model, mode))
        self.refs, top = models_json_schema(wanted, ref_template=REF,
                                            schema_generator=PodiumJsonSchema)
        self.schemas: dict[str, Any] = top.get("$defs", {})

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return dict(self.refs[(model, mode)])

    def definition(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        ref = self.refs[(model, mode)]
        if "$ref" in ref:
            found: dict[str, Any] = self.schemas[ref["$ref"].rsplit("/", 1)[1]]
            return found
        return dict(ref)


def _docstring(view: Any) -> tuple[str | None, str]:
    # Docstrings are reStructuredText; the document's descriptions are Markdown.
    doc = (inspect.getdoc(view) or "").replace("``", "`")
    if not doc:
        return None, ""
    first, _, rest = doc.partition("\n\n")
    return " ".join(first.split()), rest.strip()


def _permission_text(registry: Registry, permission: Any) -> str:
    if permission is None or permission == NO_PERMISSION_REQUIRED:
        return "**Permission:** none (public)."
    text = f"**Permission:** `{permission}`"
    catalog = catalog_of(registry)
    if catalog is not None and catalog.is_declared(permission):
        declared = catalog.declared[permission].permission
        if declared.title:
            text += f" ({declared.title})"
        given = sorted(role for role, names in catalog.defaults().items()
                       if permission in names)
        if given:
            text += "; given by default to: " + ", ".join(given)
    return text + "."


def _media(schema: dict[str, Any], definition: dict[str, Any]) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    examples = definition.get("examples")
    if isinstance(examples, list) and examples:
        media["examples"] = {f"example{i}": {"value": value}
                             for i, value in enumerate(examples, start=1)}
    return {"application/json": media}


def _query_parameters(components: _Components, model: type[BaseModel]) -> list[dict[str, Any]]:
    definition = components.definition(model, "validation")
    required = set(definition.get("required", ()))
    parameters = []
    for name, schema in definition.get("properties", {}).items():
        parameter = {"name": name, "in": "query", "required": name in required,
                     "schema": schema}
        if "description" in schema:
            parameter["description"] = schema["description"]
        parameters.append(parameter)
    return parameters


def _page_parameters(registry: Registry, op: Operation) -> list[dict[str, Any]]:
    default_name, most_name = page_settings(registry, op.options.get("per_page_settings"))
    settings = registry.settings
    return [
        {"name": "page", "in": "query", "required": False,
         "description": "The page wanted, from 1; a page past the end has no items.",
         "schema": {"type": "integer", "minimum": 1, "default": 1}},
        {"name": "per_page", "in": "query", "required": False,
         "description": f"Items per page (setting {most_name} bounds it).",
         "schema": {"type": "integer", "minimum": 1, "maximum": settings[most_name],
                    "default": settings[default_name]}},
    ]


def _open_to_everyone(registry: Registry, permission: Any) -> bool:
    """Whether the role ``everyone`` has ``permission`` by default (a
    plugin's proposal, or the operator's ``podium.roles.everyone``): then
    a client needs no credentials, which the document says with an empty
    security requirement.  Grants stored later with ``podium roles`` are
    not known when the document is built."""
    catalog = catalog_of(registry)
    return catalog is not None and permission in catalog.defaults().get(EVERYONE, ())


def _security(registry: Registry, op: Operation) -> list[dict[str, list[str]]]:
    if op.permission is None or op.permission == NO_PERMISSION_REQUIRED:
        return []
    session: dict[str, list[str]] = {"sessionCookie": []}
    if op.method not in SAFE_METHODS:
        session["csrfToken"] = []
    required: list[dict[str, list[str]]] = [{"bearerToken": []}, session]
    if _open_to_everyone(registry, op.permission):
        required.append({})
    return required


def _operation(registry: Registry, components: _Components, op: Operation) -> dict[str, Any]:
    summary, details = _docstring(op.view)
    description = "\n\n".join(part for part in (details, _permission_text(
        registry, op.permission)) if part)
    request_schema = op.options.get("request_schema")
    query_schema = op.options.get("query_schema")
    response_schema = op.options.get("response_schema")
    status = str(op.options.get("response_status") or 200)
    parameters = list(op.path_parameters)
    if is_paginated(response_schema):
        parameters.extend(_page_parameters(registry, op))
    if query_schema is not None:
        parameters.extend(_query_parameters(components, query_schema))
    success: dict[str, Any] = {"description": "Success."}
    if status == "204":
        success["description"] = "Done; nothing is sent back."
    elif response_schema is not None:
        success["content"] = _media(components.ref(response_schema, "serialization"),
                                    components.definition(response_schema, "serialization"))
    else:
        success["content"] = {"application/json": {"schema": {}}}
    responses: dict[str, Any] = {status: success}
    errors = []
    if request_schema is not None or query_schema is not None or is_paginated(response_schema):
        errors.append("400")
    security = _security(registry, op)
    if security:
        errors.extend(("401", "403"))
    if op.path_parameters:
        errors.append("404")
    if request_schema is not None:
        errors.extend(("413", "415"))
    errors.append("503")
    for code in errors:
        responses[code] = {**ERROR_REF, "description": ERROR_STATUSES[code]}
    responses["default"] = ERROR_REF
    operation: dict[str, Any] = {
        "operationId": f"{op.route_name}.{op.method.lower()}",
        "tags": [op.route_name.split(".", 1)[0]],
        "summary": summary or f"{op.method} {op.path}",
        "description": description,
        "responses": responses,
        "security": security,
    }
    if parameters:
        operation["parameters"] = parameters
    if request_schema is not None:
        operation["requestBody"] = {
            "required": True,
            "content": _media(components.ref(request_schema, "validation"),
                              components.definition(request_schema, "validation")),
        }
    return operation


def _version() -> str:
    try:
        return metadata.version("podium")
    except metadata.PackageNotFoundError:
        return "0"


def build_document(registry: Registry) -> dict[str, Any]:
    """The document, from the registry as it is now (see :func:`openapi_document`)."""
    ops = list(operations(registry))
    components = _Components(ops)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(registry, components, op)
    schemas = copy.deepcopy(components.schemas)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Podium JSON API",
            "version": _version(),
            "description": (
                "Every JSON API operation of this site's enabled plugins. Errors share "
                "one shape, the ErrorBody schema; lists are paginated with page and "
                "per_page; reads send an ETag and updates may send If-Match."),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {"Error": {
                "description": "An error, in the one shape of every JSON endpoint.",
                "content": {"application/json": {"schema": components.ref(
                    ErrorBody, "serialization")}},
            }},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def openapi_document(registry: Registry) -> dict[str, Any]:
    """The application's document, built on first use and kept: the same
    object every time (do not change it)."""
    return _cached(registry)[0]


def openapi_json(registry: Registry) -> bytes:
    """The document as the JSON bytes ``GET /api/openapi.json`` sends."""
    return _cached(registry)[1]


def _cached(registry: Registry) -> tuple[dict[str, Any], bytes]:
    found: tuple[dict[str, Any], bytes] | None = registry.get(DOCUMENT_KEY)
    if found is None:
        with _lock:
            found = registry.get(DOCUMENT_KEY)
            if found is None:
                document = build_document(registry)
                found = (document, json.dumps(document, ensure_ascii=False).encode())
                registry[DOCUMENT_KEY] = found
    return found


#: After every view, route and navigation action of the commit (order 0 and 1).
BUILD_ORDER = 100_000


def build_when_committed(config: Configurator) -> None:
    """Build the document as the configuration is committed, after everything
    else: a model pydantic cannot describe stops start-up instead of failing
    the first reader.  An action rather than an ``ApplicationCreated``
    subscriber, because any subscriber makes Pyramid send its per-request
    events.  Included after the plugins, so a plugin committing its own
    configuration midway runs it no sooner than the whole commit."""
    config.action(None, _cached, args=(config.registry,), order=BUILD_ORDER)
