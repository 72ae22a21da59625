"""The CSV encoding behind ``renderer="csv"``."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from podium.rendering.csv import content_disposition, encode_rows


def decode(chunks) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8"), newline="")))


def test_header_then_rows_with_crlf_and_quoting():
    body = b"".join(encode_rows([(1, 'a "quoted", text'), (2, "two\nlines")], ["id", "title"]))
    assert body == b'id,title\r\n1,"a ""quoted"", text"\r\n2,"two\nlines"\r\n'


def test_cells_none_dates_and_mappings():
    when = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC)
    rows = [{"title": "x", "at": when, "n": None}, {"title": "é", "n": 3}]
    assert decode(encode_rows(rows, ["title", "at", "n"])) == [
        ["title", "at", "n"], ["x", "2024-05-01T12:30:00+00:00", ""], ["é", "", "3"]]


def test_formula_like_text_is_defused_numbers_are_not():
    rows = [("=HYPERLINK(\"http://evil\")", -5, "+1", "@SUM(A1)", "-x", "plain")]
    assert decode(encode_rows(rows)) == [
        ["'=HYPERLINK(\"http://evil\")", "-5", "'+1", "'@SUM(A1)", "'-x", "plain"]]
    assert decode(encode_rows(rows, escape_formulas=False))[0][0].startswith("=")


def test_rows_are_encoded_lazily_in_chunks():
    produced = []

    def rows():
        for n in range(1000):
            produced.append(n)
            yield (n, "x" * 100)

    chunks = encode_rows(rows(), chunk_size=4096)
    first = next(chunks)
    assert 4096 <= len(first) < 4096 + 200
    assert len(produced) < 1000  # not everything was read for the first chunk
    rest = list(chunks)
    assert len(produced) == 1000 and len(rest) > 10


def test_closing_the_body_closes_the_rows():
    closed = []

    def rows():
        try:
            for n in range(100000):
                yield (n, "x" * 100)
        finally:
            closed.append(True)

    chunks = encode_rows(rows(), chunk_size=1024)
    next(chunks)
    chunks.close()  # the client went away
    assert closed == [True]


def test_mapping_rows_need_a_header():
    with pytest.raises(ValueError, match="give a 'header'"):
        list(encode_rows([{"a": 1}]))
    with pytest.raises(ValueError, match="sequence of cells"):
        list(encode_rows(["not a row"]))


@pytest.mark.parametrize(("name", "expected"), [
    ("notes.csv", 'attachment; filename="notes.csv"'),
    ('we"ird/..\\name\r\n.csv', 'attachment; filename="we_ird_.._name_.csv"'),
    ("notes é.csv", "attachment; filename=\"notes _.csv\"; filename*=UTF-8''notes%20%C3%A9.csv"),
    ("", 'attachment; filename="export.csv"'),
])
def test_content_disposition_is_safe(name, expected):
    assert content_disposition(name) == expected
