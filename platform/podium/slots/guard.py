"""A Jinja2 extension that lets a template skip the ``slot()`` calls of
slots nobody contributes to (issue 17).

Every ``{{ slot(...) }}`` compiles to Jinja's ``Context.call``, which costs
1-3 µs whatever the function does, and most pages offer many slots and fill
few.  The extension rewrites, while a template is lexed, every output
statement that is exactly ``{{ slot("a.name", ...) }}`` (a constant string
first) into

    {% if "a.name" in podium_filled_slots or slot != podium_slot %}
    {{ slot("a.name", ...) }}{% endif %}

``podium_filled_slots`` is a frozenset global of the slots that have
contributions (see :mod:`.rendering`), so an empty slot costs a set lookup
and a comparison, no call.  The second test keeps a ``slot`` the template
defines itself (a loop variable, a macro argument) called as written.  The
decision is taken at render time, never at compile time: a bytecode cache
cannot hold a stale one, and a template compiled with the guard but rendered
without those globals (Undefined: not ``in``, and ``!=``) calls ``slot()``.

Anything else (a computed name, a filter, ``slot()`` inside a larger
expression, a ``{% set %}``) is left as written: its value may be used.
"""

from __future__ import annotations

from collections.abc import Iterator

from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

#: The globals the guard reads; :mod:`.rendering` sets them.
FILLED = "podium_filled_slots"
SLOT = "slot"
REAL_SLOT = "podium_slot"

_OPENING = {"lparen", "lbracket", "lbrace"}
_CLOSING = {"rparen", "rbracket", "rbrace"}


def guarded_name(expression: list[Token]) -> str | None:
    """The slot's name when ``expression`` (the tokens between ``{{`` and
    ``}}``) is exactly ``slot("constant", ...)``, else None."""
    if len(expression) < 4 or not expression[0].test(f"name:{SLOT}"):
        return None
    if expression[1].type != "lparen" or expression[2].type != "string":
        return None
    if expression[3].type not in ("comma", "rparen"):
        return None  # "a" "b" (concatenated) or "a" ~ x: not a constant name
    depth = 0
    for index, token in enumerate(expression[1:], start=1):
        if token.type in _OPENING:
            depth += 1
        elif token.type in _CLOSING:
            depth -= 1
            if depth == 0:
                # The call's closing parenthesis must end the expression.
                return str(expression[2].value) if index == len(expression) - 1 else None
    return None


def guard(name: str, lineno: int) -> list[Token]:
    """``{% if "name" in podium_filled_slots or slot != podium_slot %}``."""
    return [Token(lineno, "block_begin", "{%"), Token(lineno, "name", "if"),
            Token(lineno, "string", name), Token(lineno, "name", "in"),
            Token(lineno, "name", FILLED), Token(lineno, "name", "or"),
            Token(lineno, "name", SLOT), Token(lineno, "ne", "!="),
            Token(lineno, "name", REAL_SLOT), Token(lineno, "block_end", "%}")]


def end_guard(lineno: int) -> list[Token]:
    return [Token(lineno, "block_begin", "{%"), Token(lineno, "name", "endif"),
            Token(lineno, "block_end", "%}")]


class SlotGuard(Extension):
    """Wraps each ``{{ slot("constant", ...) }}`` in a guard needing no call
    when the slot has no contribution."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        for token in stream:
            if token.type != "variable_begin":
                yield token
                continue
            expression: list[Token] = []
            end: Token | None = None
            for inner in stream:
                if inner.type == "variable_end":
                    end = inner
                    break
                expression.append(inner)
            if end is None:  # an unclosed {{: the parser reports it as written
                yield token
                yield from expression
                continue
            name = guarded_name(expression)
            if name is not None:
                yield from guard(name, token.lineno)
            yield token
            yield from expression
            yield end
            if name is not None:
                yield from end_guard(end.lineno)
