"""The ``tags`` field of a note, as models the notes compose into theirs
(hooks ``notes_extra_fields`` and ``notes_extra_keys``).

The input accepts what :func:`podium_tags.names.parse_value` accepts (a list
of strings, or one string read as the form's text) and makes the normalised
names; its errors are the field's messages in the notes' 400.  The document
states the shape; the rules of a name (normalisation, letters and digits of
any script) are the validator's, said in the description, since no regular
expression reads Unicode categories alike in ECMA-262, Rust and Python.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainValidator, create_model

from podium.api import ApiSchema

from .names import PUNCTUATION, SEPARATOR, Limits, TagError, parse_value

#: The field's name, in the form and in the API's JSON.
FIELD = "tags"


def _no_default(schema: dict[str, Any]) -> None:
    # Left out, the field changes nothing: its None is no value a client sends.
    schema.pop("default", None)


def input_model(limits: Limits) -> type[ApiSchema]:
    """The model of the ``tags`` input, for these limits."""

    def parse(value: Any) -> list[str]:
        try:
            return parse_value(value, limits)
        except TagError as exc:
            raise ValueError(str(exc)) from None

    tag = Annotated[str, Field(pattern=f"^[^{SEPARATOR}]*$")]
    tags: Any = Annotated[list[str], PlainValidator(
        parse, json_schema_input_type=list[tag] | str)]
    description = (
        f"The note's tags: a list of names, or one string of names separated by commas "
        f"(as the form's field). A name is normalised (NFKC, trimmed, lower case), then "
        f"has 1 to {limits.max_length} letters, digits, marks or {' '.join(PUNCTUATION)}, "
        f"starting with a letter or a digit; empty entries are skipped, repeats kept once, "
        f"at most {limits.max_per_note} per note. Left out of a PATCH, the tags stay; "
        f"left out of a POST or a PUT, the note has none.")
    model: type[ApiSchema] = create_model(
        "TagsInput", __base__=ApiSchema, __module__=__name__,
        tags=(tags, Field(None, description=description, examples=[["work", "ideas"]],
                          json_schema_extra=_no_default)))
    return model


class TagsOutput(BaseModel):
    """The ``tags`` key of a note's JSON."""

    tags: list[str] = Field(description="The note's tags, normalised, in the order given.",
                            examples=[["work", "ideas"]])
