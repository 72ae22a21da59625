"""What pydantic refuses, as the layer's 400: one message per field path,
worded by the schema (:meth:`~podium.jsonapi.base.ApiSchema.error_message`)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from .base import ApiSchema
from .errors import INVALID_MESSAGE, InvalidInput


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "Required."
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])  # our own message, without pydantic's prefix
    return error["msg"] + "."


def _worded(schema: type[BaseModel] | None, path: str, error_type: str, message: str) -> str:
    """``message`` as ``schema`` words it, when it is an :class:`ApiSchema`."""
    if schema is not None and issubclass(schema, ApiSchema):
        return schema.error_message(path, error_type, message)
    return message


def invalid_input(exc: ValidationError, schema: type[BaseModel] | None = None,
                  what: str = "request body") -> InvalidInput:
    """A pydantic error as the 400 of the error shape: one message per field
    path, worded by ``schema`` when it is an :class:`ApiSchema`; an error of
    the whole (``what``: not JSON, not an object) is the message.  For a
    plugin that validates with a schema itself (a form)."""
    fields: dict[str, str] = {}
    whole: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in error["loc"])
        if error["type"] == "json_invalid":
            return InvalidInput(message=f"The {what} is not valid JSON: "
                                f"{error['ctx'].get('error', error['msg'])}.")
        if error["type"] in ("model_type", "model_attributes_type", "dict_type"):
            return InvalidInput(message=f"The {what} must be a JSON object.")
        message = _message(error)
        if not path:  # a model validator's: about the whole, not one field
            whole.append(message)
            continue
        message = _worded(schema, path, error["type"], message)
        fields[path] = f"{fields[path]} {message}" if path in fields else message
    invalid = getattr(schema, "invalid_message", None)
    summary = invalid if isinstance(invalid, str) else None
    if whole:
        summary = " ".join([summary or INVALID_MESSAGE, *whole] if fields else whole)
    return InvalidInput(fields, summary)


def refused_body(exc: ValidationError, body: bytes, adapter: TypeAdapter[Any],
                  schema: type[BaseModel] | None) -> InvalidInput:
    """The 400 of a body ``adapter`` refused.  pydantic's JSON parser refuses
    the escape of a lone surrogate (``"\\ud800"``) as invalid JSON, where
    Python's reads it: such a body is read again by Python's, so that the
    400 names the field (whose text :func:`check_storable` refuses); only
    on this error path."""
    if any(error["type"] == "json_invalid" for error in exc.errors(include_url=False)):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return invalid_input(exc, schema)
        # A name that is no text is no field's: unknown, and left out of the rest's check.
        unknown = {key for key in data if not _is_text(key)} if isinstance(data, dict) else set()
        if unknown:
            data = {key: value for key, value in data.items() if key not in unknown}
        try:
            adapter.validate_python(data)
        except ValidationError as second:
            refused = invalid_input(second, schema)
        else:
            if not unknown:
                return invalid_input(exc, schema)
            refused = InvalidInput({}, getattr(schema, "invalid_message", None))
        for key in sorted(unknown):
            refused.fields[key] = _worded(schema, key, "extra_forbidden", "Unknown field.")
        return refused
    return invalid_input(exc, schema)


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
