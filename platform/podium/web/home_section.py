"""A section plugins add to the home page (core hook ``podium_home_sections``).

Its own module: the core's hook specs name it without importing the page."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class HomeSection:
    """A section of the home page: a heading and a body, lighter ``weight`` first.

    ``body`` is text, escaped when shown; a ``markupsafe.Markup`` is shown as
    the HTML it is (the plugin answers for escaping what it puts in it)."""

    title: str
    body: str | Markup
    weight: int = 0
