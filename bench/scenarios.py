"""The scenarios and the rules their responses must follow.

The rules are TechEmpower's (response shapes, content types, Server and Date
headers); they are checked by ``bench/tests/test_scenarios.py`` on every
contender and, before measuring, by the harness on the live servers, so that
a contender answering errors fast is reported as broken, never as fast.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

from .data import EXTRA_FORTUNE, FORTUNES, WORLD_ROWS
from .peers.common import STATIC_DIR, STATIC_FILE

QUERIES = 20
FORM_MESSAGE = "Hello, World!"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    method: str = "GET"
    status: int = 200

    def url(self, prefix: str) -> str:
        return prefix + self.path


SCENARIOS: dict[str, Scenario] = {
    s.name: s for s in (
        Scenario("plaintext", "/plaintext"),
        Scenario("json", "/json"),
        Scenario("db", "/db"),
        Scenario("queries", f"/queries?queries={QUERIES}"),
        Scenario("fortunes", "/fortunes"),
        Scenario("updates", f"/updates?queries={QUERIES}"),
        Scenario("static", f"/static/{STATIC_FILE}"),
        Scenario("notfound", "/no-such-page", status=404),
        Scenario("form", "/form", method="POST"),
    )
}

#: The baseline each scenario's ratio is taken against (issue 6's targets):
#: bare Pyramid where Podium must add nothing, the cookiecutter wiring where
#: Podium's store must beat it.
DEFAULT_BASELINES = {
    "plaintext": "bare_pyramid", "json": "bare_pyramid", "static": "bare_pyramid",
    "notfound": "bare_pyramid", "form": "bare_pyramid",
    "db": "cookiecutter", "queries": "cookiecutter", "fortunes": "cookiecutter",
    "updates": "cookiecutter",
}

#: The request headers of TechEmpower's example requests, sent by wrk and the probes.
TFB_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20130501 Firefox/30.0 "
                  "AppleWebKit/600.00 Chrome/30.0.0000.0 Trident/10.0 Safari/600.00",
    "Cookie": "uid=12345678901234567890; __utma=1.1234567890.1234567890.1234567890."
              "1234567890.12; wd=2560x1600",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.5",
}


def expected_fortunes() -> list[tuple[int, str]]:
    return sorted([*FORTUNES, EXTRA_FORTUNE], key=lambda row: row[1])


class _TableParser(HTMLParser):
    """Cells of every ``<tr>`` of an HTML page, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _media_type(headers: Mapping[str, str]) -> tuple[str, str | None]:
    value = headers.get("Content-Type", "")
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.strip().partition("=")
        if key.lower() == "charset":
            charset = val.strip().strip('"').lower()
    return media.strip().lower(), charset


def _check_type(headers: Mapping[str, str], expected: str, problems: list[str],
                need_utf8: bool = False) -> None:
    media, charset = _media_type(headers)
    if media != expected:
        problems.append(f"Content-Type is {headers.get('Content-Type')!r}, expected {expected}")
    if charset not in (None, "utf-8") or (need_utf8 and charset != "utf-8"):
        problems.append(f"charset is {charset!r}, expected utf-8")


def _check_world(item: object, problems: list[str]) -> None:
    if not isinstance(item, dict) or set(item) != {"id", "randomNumber"}:
        problems.append(f"expected an object with keys id and randomNumber, got {item!r:.80}")
        return
    for key in ("id", "randomNumber"):
        value = item[key]
        if not isinstance(value, int) or not 1 <= value <= WORLD_ROWS:
            problems.append(f"{key} = {value!r} is not an integer in 1..{WORLD_ROWS}")


def check_response(scenario: str, status: int, headers: Mapping[str, str], body: bytes,
                   *, queries: int = QUERIES, from_server: bool = False) -> list[str]:
    """The problems of one response (empty when it follows the rules).

    ``headers`` must look names up case-insensitively (WebOb's and
    ``http.client``'s do).  ``from_server``: also require the Server and
    Date headers, which the server (waitress) adds, not the app.
    """
    spec = SCENARIOS[scenario]
    problems: list[str] = []
    if status != spec.status:
        return [f"status {status}, expected {spec.status}: {body[:200]!r}"]
    if from_server:
        for name in ("Server", "Date"):
            if not headers.get(name):
                problems.append(f"no {name} header")
    if not headers.get("Content-Length") and not headers.get("Transfer-Encoding"):
        problems.append("neither Content-Length nor Transfer-Encoding")
    if headers.get("Content-Encoding"):
        problems.append("compressed response")
    if scenario == "notfound":
        return problems
    if scenario == "plaintext":
        _check_type(headers, "text/plain", problems)
        if body != b"Hello, World!":
            problems.append(f"body is {body[:80]!r}")
    elif scenario == "form":
        _check_type(headers, "text/plain", problems)
        if body != f"received {len(FORM_MESSAGE)} characters".encode():
            problems.append(f"body is {body[:80]!r}")
    elif scenario == "static":
        _check_type(headers, "text/css", problems)
        if body != (STATIC_DIR / STATIC_FILE).read_bytes():
            problems.append("body differs from the static file")
    elif scenario == "fortunes":
        _check_fortunes(headers, body, problems)
    else:
        _check_type(headers, "application/json", problems)
        try:
            data = json.loads(body)
        except ValueError:
            return [*problems, f"body is not JSON: {body[:80]!r}"]
        if scenario == "json":
            if data != {"message": "Hello, World!"}:
                problems.append(f"body is {data!r:.80}")
        elif scenario == "db":
            _check_world(data, problems)
        elif not isinstance(data, list) or len(data) != queries:
            problems.append(f"expected a list of {queries} objects, got {str(data)[:80]}")
        else:
            for item in data:
                _check_world(item, problems)
    return problems


def _check_fortunes(headers: Mapping[str, str], body: bytes, problems: list[str]) -> None:
    _check_type(headers, "text/html", problems, need_utf8=True)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        problems.append("body is not UTF-8")
        return
    if "<script>" in text or "&lt;script&gt;" not in text:
        problems.append("the <script> fortune is not escaped")
    if not text.lstrip().lower().startswith("<!doctype html>"):
        problems.append("body does not start with <!DOCTYPE html>")
    parser = _TableParser()
    parser.feed(text)
    rows = [tuple(r) for r in parser.rows]
    expected = [("id", "message")] + [(str(i), m) for i, m in expected_fortunes()]
    if rows != expected:
        problems.append(f"table rows differ from the sorted fortunes: {rows[:3]!r}...")
