"""The prefix-indexed mapper answers exactly as Pyramid's own mapper does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pyramid.request import Request
from pyramid.urldispatch import RoutesMapper

from podium.routing import PrefixIndexedRoutesMapper, first_literal_segment, path_segment

LITERALS = ["notes", "api", "a", "b", "static", "x1", "", "notes2", "caf\u00e9"]
segment = st.one_of(
    st.sampled_from(LITERALS),
    st.just("{}"),
    st.just(r"{:\d+}"),
    st.just("pre{}"),
    st.just("{}.json"),
)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(segment, min_size=0, max_size=4))
    # Each placeholder gets a name of its own: Pyramid forbids repeats.
    named = [part.replace("{", f"{{v{i}", 1) for i, part in enumerate(parts)]
    pattern = "/" + "/".join(named)
    if draw(st.booleans()) and not pattern.endswith("/"):
        pattern += "/"
    if draw(st.integers(0, 5)) == 0:
        pattern = pattern.rstrip("/") + "/*rest"
    if draw(st.integers(0, 6)) == 0:
        pattern = pattern.lstrip("/")  # Pyramid adds the slash
    return pattern


path_part = st.sampled_from(["notes", "api", "a", "b", "static", "x1", "", "12", "pre7",
                             "k.json", "notes2", "caf\u00e9", "n%2Fx"])
paths = st.builds(lambda parts, tail: "/" + "/".join(parts) + tail,
                  st.lists(path_part, max_size=5), st.sampled_from(["", "/", "\n"]))
methods = st.sampled_from(["GET", "POST"])


def only_method(method: str):
    def predicate(info, request):
        return request.method == method
    return predicate


def build(mapper, routes):
    for i, (pattern, method) in enumerate(routes):
        predicates = (only_method(method),) if method else ()
        mapper.connect(f"r{i % 7}", pattern, predicates=predicates)
    return mapper


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(patterns(), st.sampled_from([None, "GET", "POST"])), max_size=25),
       st.lists(st.tuples(paths, methods), min_size=1, max_size=12))
def test_same_answer_as_pyramid(routes, requests):
    pyramid_mapper = build(RoutesMapper(), routes)
    ours = build(PrefixIndexedRoutesMapper(), routes)
    for path, method in requests:
        request = Request.blank("/", method=method)
        request.path_info = path
        expected = pyramid_mapper(request)
        got = ours(request)
        assert (got["route"] and got["route"].name) == (
            expected["route"] and expected["route"].name), (path, method)
        assert got["match"] == expected["match"]


def test_routes_replaced_by_name_keep_pyramids_order():
    ours = PrefixIndexedRoutesMapper()
    ours.connect("a", "/x/{id}")
    ours.connect("b", "/x/1")
    ours.connect("a", "/y/{id}")  # replaces a: b now comes first for /x/1
    request = Request.blank("/x/1")
    assert ours(request)["route"].name == "b"
    assert [r.name for r in ours.get_routes()] == ["b", "a"]
    assert ours.generate("a", {"id": "7"}) == "/y/7"


def test_first_literal_segment():
    assert first_literal_segment("/notes/{id}") == "notes"
    assert first_literal_segment("notes/api") == "notes"
    assert first_literal_segment("/notes") == "notes"
    assert first_literal_segment("/") == ""
    assert first_literal_segment("/static/*subpath") == "static"
    assert first_literal_segment("/{slug}") is None
    assert first_literal_segment("/no{x}") is None
    assert first_literal_segment("/*traverse") is None
    assert first_literal_segment("/:old/style") is None


def test_path_segment():
    assert path_segment("/notes/1") == "notes"
    assert path_segment("/notes") == "notes"
    assert path_segment("/") == ""
    assert path_segment("/notes\n") == "notes"


def test_the_platform_uses_it(testapp):
    from pyramid.interfaces import IRoutesMapper

    mapper = testapp.app.registry.getUtility(IRoutesMapper)
    assert isinstance(mapper, PrefixIndexedRoutesMapper)
    assert "notes.list" in [r.name for r in mapper.get_routes()]
