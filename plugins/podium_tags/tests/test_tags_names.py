"""What a tag is: normalisation, the allowed characters, the limits, and the
two inputs (the form's text, the API's JSON value)."""

from __future__ import annotations

import pytest

from podium_tags.names import Limits, TagError, check_name, joined, parse_text, parse_value

LIMITS = Limits(max_per_note=3, max_length=10)


@pytest.mark.parametrize(("raw", "stored"), [
    ("python", "python"),
    ("  Python ", "python"),
    ("\uff30\uff39\uff34\uff28\uff2f\uff2e", "python"),  # full-width: NFKC folds them
    ("\ufb01le", "file"),  # the ligature fi
    ("Café", "café"),
    ("C++", "c++"),
    ("web-dev_2", "web-dev_2"),
    ("日本語", "日本語"),
    ("\u216b", "xii"),  # the roman numeral twelve: NFKC gives the letters
])
def test_a_tag_is_stored_normalised(raw: str, stored: str) -> None:
    assert check_name(raw, LIMITS) == stored


@pytest.mark.parametrize(("raw", "message"), [
    ("", "cannot be empty"),
    ("   ", "cannot be empty"),
    ("web design", "contains a space: separate tags with commas"),
    ("<b>", "contains '<' '>'"),
    ("a&b", "contains '&'"),
    ("c#", "contains '#'"),
    ("a/b", "contains '/'"),
    ("tab\tbed", "contains a space"),
    ("nul\x00", "contains '\\x00'"),
    ("-dash", "must start with a letter or a digit"),
    (".hidden", "must start with a letter or a digit"),
    ("elevenchars", "too long: at most 10 characters (11 given)"),
])
def test_a_bad_tag_is_refused_saying_why(raw: str, message: str) -> None:
    with pytest.raises(TagError) as caught:
        check_name(raw, LIMITS)
    assert message in str(caught.value)


def test_the_length_counts_the_normalised_name() -> None:
    # Ten full-width characters are ten characters once folded, whatever their bytes.
    assert check_name("\uff41" * 10, LIMITS) == "a" * 10


def test_the_form_text_is_split_on_commas_skipping_empty_and_repeated_tags() -> None:
    assert parse_text("Python, web,, python ,", LIMITS) == ["python", "web"]
    assert parse_text("", LIMITS) == []
    assert parse_text(" , ", LIMITS) == []


def test_too_many_tags_are_refused_counting_each_tag_once() -> None:
    assert parse_text("a, b, c, A, B", LIMITS) == ["a", "b", "c"]
    with pytest.raises(TagError, match=r"Too many tags: at most 3 per note \(4 given\)"):
        parse_text("a, b, c, d", LIMITS)


def test_the_json_value_is_a_list_of_strings_or_the_forms_text() -> None:
    assert parse_value(["Python", "web", "python"], LIMITS) == ["python", "web"]
    assert parse_value([], LIMITS) == []
    assert parse_value("python, web", LIMITS) == ["python", "web"]


@pytest.mark.parametrize(("value", "message"), [
    (None, "not null"),
    (3, "not a number"),
    (True, "not a boolean"),
    ({"a": 1}, "not an object"),
    (["ok", 3], "it holds a number"),
    (["ok", ["nested"]], "it holds a list"),
    (["a,b"], "contains a comma: send each tag as its own string"),
])
def test_a_json_value_of_the_wrong_type_is_refused(value: object, message: str) -> None:
    with pytest.raises(TagError) as caught:
        parse_value(value, LIMITS)
    assert message in str(caught.value)


def test_tags_are_joined_as_the_form_shows_them() -> None:
    assert joined(["python", "web"]) == "python, web"
    assert parse_text(joined(["python", "web"]), LIMITS) == ["python", "web"]
