"""Requests made at random from a seed, for ``test_fuzz.py``.

Every request is described by a :class:`FuzzRequest` of plain values (the
method, the raw path and query string as WSGI hands them over, the headers,
the body), so that a failure can be printed and replayed exactly: the same
seed gives the same requests in the same order.

Paths are built from the app's own routes (``IRoutesMapper.get_routes()``),
their placeholders filled with values that match and values that do not;
the rest mixes what browsers and programs send with what only a broken or
hostile client sends.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

import webtest

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
#: How often each method is drawn: the writing ones reach the most code.
METHOD_WEIGHTS = (5, 6, 3, 3, 2, 1, 1)
ODD_METHODS = ("get", "TRACE", "PROPFIND", "CONNECT", "BREW", "M" * 300)

#: podium.max_body_size's default; bodies around it are drawn now and then.
BODY_LIMIT = 2**20

_PLACEHOLDER = re.compile(r"\{(\w+)(?::[^}]*)?\}")

ACCEPTS = (
    None, "text/html", "application/json", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8",
    "application/json;q=0", "text/*;q=0.5, application/json;q=0.9", "image/png",
    "application/json;q=abc", "*/*;q=2", ",,,,", ";", "text/html;level=1;q=0.5",
    "application/vnd.api+json", "text/csv", "x" * 5000, "text/html\u00e9", "*/*; q=-1",
    "application/json, text/html;q=1.0000001", "\t", "application/*",
)
CONTENT_TYPES = (
    None, "", "application/json", "application/json; charset=utf-8",
    "application/json; charset=latin-1", "application/json; charset=utf-16",
    "application/json; charset=bogus", "APPLICATION/JSON", "application/merge-patch+json",
    "application/json;", "application/json; charset", "application/json; charset=\"",
    "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=utf-8; charset=ascii",
    "multipart/form-data", "multipart/form-data; boundary=",
    "multipart/form-data; boundary=\"\"", "multipart/form-data; boundary=" + "b" * 200,
    "multipart/form-data; boundary=\u00e9\u00e9", "multipart/form-data; boundary=;",
    "multipart/form-data; boundary=x; charset=latin-1", "multipart/mixed; boundary=x",
    "text/plain", "text/plain; charset=utf-8", "text/csv", "application/octet-stream",
    ";;;", "/", "application/", "text/html; charset=\u00ff", "x" * 3000,
)
ORIGINS = (
    None, "https://localhost", "http://localhost", "https://evil.example", "null", "",
    "https://localhost:443", "https://LOCALHOST", "localhost", "https://", "://",
    "https://\u00e9xample.org", "https://localhost.evil.example", "https://[::1", "\x00",
)
HOSTS = (
    "localhost", "localhost", "localhost", "localhost:6543", "127.0.0.1", "[::1]",
    "www.example.com", "evil.test", "", "local host", "localhost:99999", "[::1",
    "\u00e9xample.org", "localhost.", "LOCALHOST", "a" * 300, "localhost:abc",
)
NAMES = ("title", "body", "csrf_token", "id", "url", "created_at", "page", "per_page", "",
         "\u00e9", "title[]", "x" * 100)


def _text(rng: random.Random, longest: int = 40) -> str:
    """A string from odd corners of Unicode: controls, NUL, RTL marks, astral
    characters, a lone surrogate now and then."""
    alphabet = ("a", "Z", " ", "\t", "\n", "\r\n", "\x00", "\x1b", "é", "\u202e", "\ufeff",
                "\U0001f600", "<", "\"", "'", "\\", "&", "=", "%", "+", "\u2028", "0")
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))
    if rng.random() < 0.05:
        text += "\ud800"
    return text


def _value(rng: random.Random) -> str:
    """A field's value: half the time one a person would type, which the
    views accept, so that the fuzzer gets past validation into the writes."""
    if rng.random() < 0.5:
        return rng.choice(("Note", "Café", "Groceries \U0001f600", "a", "x" * 200,
                           "Ünïcödé title")) + rng.choice(("", " 2", "  "))
    return _text(rng)


def _id(rng: random.Random, ids: list[int]) -> str:
    """A value for a route's ``{id}``: an existing note, or one no note has."""
    choice = rng.randrange(12)
    if choice < 4 and ids:
        return str(rng.choice(ids))
    return rng.choice((
        "0", "1", "00000001", "-1", "2147483647", "2147483648", "9" * 19, "9" * 5000,
        "1e3", "abc", "\u0661\u0662", "%ff", "1.0", "",
    ))


def _segment(rng: random.Random) -> str:
    """One segment of a ``*subpath``."""
    return rng.choice((
        "podium.css", "theme.css", "logo.svg", "notes.css", "..", ".", "%2e%2e", "x" * 300,
        "..%2f..%2fetc%2fpasswd", "\u00e9", "a;b", "\x00", "nope.css", "",
    ))


def fill_route(rng: random.Random, pattern: str, ids: list[int]) -> str:
    """A path for ``pattern`` (a route of the app), placeholders filled."""
    path = "/" + pattern.lstrip("/")
    path = _PLACEHOLDER.sub(lambda _: _id(rng, ids), path)
    if "*" in path:
        head, _, _ = path.partition("*")
        path = head + "/".join(_segment(rng) for _ in range(rng.randint(0, 3)))
    return path


def _mutate_path(rng: random.Random, path: str) -> bytes:
    """The path as bytes, sometimes broken the way clients break paths."""
    raw = path.encode("utf-8", "surrogatepass")
    choice = rng.randrange(20)
    if choice == 0:
        raw += b"/"
    elif choice == 1:
        raw = raw.replace(b"/", b"//", 1)
    elif choice == 2:
        raw += rng.choice((b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe9", b"\xf4\x90\x80\x80"))
    elif choice == 3:
        raw += b"/" + b"a" * rng.choice((300, 5000))
    elif choice == 4:
        raw += rng.choice((b"\x00", b"\r\n", b"\x1b[31m", b";jsessionid=1", b"/../..", b"\t"))
    elif choice == 5:
        raw = raw.upper()
    return raw


def _query(rng: random.Random) -> str:
    """A raw QUERY_STRING (still percent-encoded, one latin-1 character per byte)."""
    if rng.random() < 0.6:
        return ""
    values = ("1", "2", "0", "-1", "+5", "1_000", "1e10", "99999999999999999999", "9" * 5000,
              "", "%ff", "%C0%AF", "%", "%zz", "caf%C3%A9", "\u0663", " 3 ", "1.5",
              "%ED%A0%80", "nan", "[]", "a" * 3000)
    parts = []
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(("page", "per_page", "page", "q", "x", "", "%ff", "page[]"))
        value = rng.choice(values)
        parts.append(rng.choice((f"{name}={value}", name, f"={value}", f"{name}=={value}")))
    query = rng.choice(("&", ";", "&&")).join(parts)
    return query.encode("utf-8", "surrogatepass").decode("latin-1")


def _json_value(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randrange(10 if depth < 3 else 6)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice((True, False))
    if choice == 2:
        return rng.choice((0, -1, 2**31, 2**64, 10**300, 1.5, -0.0, 1e308))
    if choice < 6:
        return _text(rng)
    if choice < 8:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(NAMES): _json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def _json_body(rng: random.Random) -> bytes:
    choice = rng.randrange(18)
    if choice >= 16:  # a note as a client writes it
        note = {"title": _value(rng)}
        if rng.random() < 0.5:
            note["body"] = _value(rng)
        return json.dumps(note, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    if choice < 6:  # a note, with fields of the right or the wrong type
        note: dict[str, Any] = {}
        for name in rng.sample(("title", "body", "id", "url", "created_at", "extra"),
                               rng.randint(0, 3)):
            note[name] = _value(rng) if rng.random() < 0.6 else _json_value(rng)
        if rng.random() < 0.7:
            note.setdefault("title", _value(rng))
        return json.dumps(note, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    if choice == 6:
        return json.dumps(_json_value(rng)).encode("utf-8", "surrogatepass")
    if choice == 7:  # deep nesting
        depth = rng.choice((100, 1000, 100_000))
        return b'{"title": ' + b"[" * depth + b"]" * depth * rng.randint(0, 1) + b"}"
    if choice == 8:  # huge numbers
        return rng.choice((b'{"title": 1' + b"0" * 5000 + b"}", b'{"title": 1e999}',
                           b'{"title": NaN}', b'{"title": -Infinity}', b"1" * 10000,
                           b'{"title": 0.' + b"1" * 5000 + b"}"))
    if choice == 9:  # lone surrogates, escaped, in names and values
        return rng.choice((b'{"title": "\\ud800"}', b'{"\\udfff": "x"}', b'{"title": "x",'
                           b' "body": "\\udbff\\u0041"}', b'{"title": "\\u0000"}'))
    if choice == 10:  # invalid UTF-8, other encodings
        return rng.choice((b'{"title": "\xff"}', b'{"title": "\xed\xa0\x80"}',
                           '{"title": "é"}'.encode("utf-16"), '{"title": "é"}'.encode("latin-1"),
                           b"\xef\xbb\xbf" + b'{"title": "bom"}', b"\x00" * 10))
    if choice == 11:  # duplicate keys, trailing garbage
        return rng.choice((b'{"title": "a", "title": 5}', b'{"title": "a"} {}', b'{"title": "a",}',
                           b"{'title': 'a'}", b"", b" ", b"null", b"[]", b'"x"'))
    if choice == 12:  # a long title or body
        size = rng.choice((201, 100_001, 500_000))
        return json.dumps({"title": "t", rng.choice(("title", "body")): "x" * size}).encode()
    return _text(rng, 200).encode("utf-8", "surrogatepass")


def _form_fields(rng: random.Random, token: str | None) -> list[tuple[str, str]]:
    fields = []
    for name in rng.sample(("title", "body", "extra", "id", "title"), rng.randint(0, 4)):
        value = _value(rng) if rng.random() < 0.8 else "x" * rng.choice((201, 100_001))
        fields.append((name, value))
    if token is not None:
        fields.append(("csrf_token", token))
    rng.shuffle(fields)
    return fields


def _urlencoded(rng: random.Random, token: str | None) -> bytes:
    from urllib.parse import quote

    parts = []
    for name, value in _form_fields(rng, token):
        encoded = quote(value.encode("utf-8", "surrogatepass"))
        if rng.random() < 0.1 and name != "csrf_token":
            encoded += rng.choice(("%ff", "%", "%zz", "%ED%A0%80", "+"))
        parts.append(f"{quote(name)}={encoded}")
    if rng.random() < 0.1:
        parts.append(rng.choice(("", "=", "&", "novalue", "a=b=c", "%ff=1")))
    return "&".join(parts).encode("latin-1", "replace")


def _multipart(rng: random.Random, token: str | None) -> tuple[bytes, str]:
    """A multipart body and its Content-Type, sometimes malformed."""
    boundary = rng.choice(("fuzzboundary", "----x", "b" * 70, "a b", "é"))
    out = []
    for name, value in _form_fields(rng, token):
        head = f'Content-Disposition: form-data; name="{name}"'
        if rng.random() < 0.15:
            head += f'; filename="{rng.choice(("a.txt", "", "é.txt", "../x"))}"'
        extra = ""
        if rng.random() < 0.15:
            extra = "Content-Type: " + rng.choice((
                "text/plain; charset=latin-1", "text/plain; charset=bogus",
                "application/octet-stream", "text/plain; charset=utf-16")) + "\r\n"
        data = value.encode("utf-8", "surrogatepass")
        if rng.random() < 0.1:
            data += b"\xff\xfe"
        out.append(f"--{boundary}\r\n{head}\r\n{extra}\r\n".encode("utf-8", "surrogatepass")
                   + data + b"\r\n")
    ending = rng.choice((f"--{boundary}--\r\n", f"--{boundary}--\r\n", "", f"--{boundary}",
                         "--other--\r\n"))
    body = b"".join(out) + ending.encode()
    if rng.random() < 0.1:
        body = body[: rng.randint(0, len(body))]
    return body, f"multipart/form-data; boundary={boundary}"


@dataclass
class FuzzRequest:
    """One request, as plain values: what ``test_fuzz`` prints when it fails."""

    method: str
    path: bytes
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    https: bool = False

    def environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.method,
            "PATH_INFO": self.path.decode("latin-1"),
            "QUERY_STRING": self.query,
            "wsgi.url_scheme": "https" if self.https else "http",
            "SERVER_PORT": "443" if self.https else "80",
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            environ[key] = value
        return environ

    def to_webtest(self) -> webtest.TestRequest:
        request = webtest.TestRequest.blank("/")
        request.environ.update(self.environ())
        request.body = self.body  # sets CONTENT_LENGTH
        if "Content-Length" in self.headers:
            request.environ["CONTENT_LENGTH"] = self.headers["Content-Length"]
        if "Content-Type" not in self.headers:
            request.environ.pop("CONTENT_TYPE", None)
        return request

    def __str__(self) -> str:
        body = self.body if len(self.body) <= 300 else (
            self.body[:300] + f"... ({len(self.body)} bytes)".encode())
        headers = "\n".join(f"  {k}: {v[:300]!r}" for k, v in self.headers.items())
        path = self.path if len(self.path) <= 300 else self.path[:300] + b"..."
        return (f"{self.method[:40]} {path!r} query={self.query[:300]!r}"
                f" {'https' if self.https else 'http'}\n{headers}\n  body={body!r}")


def _header_value(value: str) -> str:
    """A header as WSGI carries it: one latin-1 character per byte."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1")


def make_request(rng: random.Random, patterns: list[str], ids: list[int],
                 session: tuple[str, str]) -> FuzzRequest:
    """One request at random.  ``session`` is a (Cookie header, CSRF token)
    pair of a real session, used by some form posts so that they get past the
    token check into the views."""
    cookie, token = session
    if rng.random() < 0.03:
        method = rng.choice(ODD_METHODS)
    else:
        method = rng.choices(METHODS, METHOD_WEIGHTS)[0]
    pattern = rng.choice(patterns)
    if method == "POST" and rng.random() < 0.4:  # the writing routes, more often
        pattern = rng.choice([p for p in patterns if p.endswith(("new", "edit", "api/notes"))]
                             or patterns)
    if rng.random() < 0.05:
        pattern = rng.choice(("/nowhere", "/notes/api", "/api/", "/notes/1/nothing", "*", ""))
    path = _mutate_path(rng, fill_route(rng, pattern, ids))
    if not path.startswith(b"/") and rng.random() < 0.8:
        path = b"/" + path
    request = FuzzRequest(method, path, _query(rng), https=rng.random() < 0.6)
    headers = request.headers
    headers["Host"] = rng.choice(HOSTS) if rng.random() < 0.2 else "localhost"
    for name, choices, chance in (("Accept", ACCEPTS, 0.8), ("Origin", ORIGINS, 0.3)):
        value = rng.choice(choices)
        if value is not None and rng.random() < chance:
            headers[name] = _header_value(value)
    good_session = rng.random() < 0.7
    if good_session:  # a browser of this site: its cookie, its origin
        headers["Cookie"] = cookie
        if rng.random() < 0.8:
            headers["Origin"] = ("https://" if request.https else "http://") + "localhost"
    elif rng.random() < 0.1:
        headers["Cookie"] = rng.choice(("session=garbage", "session=", "=;;=", "session=\u00e9",
                                        cookie[:-5] + "AAAAA", "a" * 5000))
    if rng.random() < 0.05:
        headers["X-CSRF-Token"] = token if good_session else _header_value(_text(rng))
    if rng.random() < 0.05:
        headers[rng.choice(("Referer", "User-Agent", "X-Forwarded-For", "Accept-Language",
                            "If-None-Match", "Range", "Accept-Encoding"))] = _header_value(
            rng.choice(("https://localhost/notes/", "\u00e9" * 10, "x" * 8000, "", "bytes=5-1",
                        "*", "W/\"x\"", "gzip;q=abc")))
    _add_body(rng, request, token if good_session and rng.random() < 0.9 else None)
    return request


def _add_body(rng: random.Random, request: FuzzRequest, token: str | None) -> None:
    headers = request.headers
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE") and rng.random() < 0.8:
        if rng.random() < 0.2:
            headers["Content-Type"] = rng.choice([t for t in CONTENT_TYPES if t is not None])
        return
    kind = rng.randrange(10)
    if b"/api/" in request.path:  # mostly JSON for the API, mostly forms for the pages
        kind = kind // 3
    elif kind < 4 and rng.random() < 0.5:
        kind += 4
    if kind < 4:
        request.body = _json_body(rng)
        content_type = rng.choice(CONTENT_TYPES[:12]) if rng.random() < 0.3 else "application/json"
    elif kind < 7:
        request.body = _urlencoded(rng, token)
        content_type = ("application/x-www-form-urlencoded" if rng.random() < 0.7
                        else rng.choice(CONTENT_TYPES))
    elif kind < 9:
        request.body, content_type = _multipart(rng, token)
        if rng.random() < 0.2:
            content_type = rng.choice(CONTENT_TYPES)
    else:
        request.body = rng.choice((b"", b"\xff" * 100, _text(rng, 500).encode("utf-8",
                                   "surrogatepass")))
        content_type = rng.choice(CONTENT_TYPES)
    if rng.random() < 0.015:  # around podium.max_body_size
        size = rng.choice((BODY_LIMIT - 100, BODY_LIMIT, BODY_LIMIT + 1, BODY_LIMIT + 4096))
        pad = b" " * max(0, size - len(request.body) - 1)
        request.body = request.body[:1] + pad + request.body[1:] if request.body else pad
    if content_type is not None:
        headers["Content-Type"] = _header_value(content_type)
    if rng.random() < 0.02 and request.body:  # a Content-Length shorter than the body
        headers["Content-Length"] = str(rng.randint(0, len(request.body) - 1))
