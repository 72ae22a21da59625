"""The prefix-indexed mapper answers exactly as Pyramid's own mapper does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pyramid.request import Request
from pyramid.urldispatch import RoutesMapper

from podium.routing import PrefixIndexedRoutesMapper, literal_segments

LITERALS = ["notes", "api", "a", "b", "static", "x1", "", "notes2", "caf\u00e9"]
PLACEHOLDERS = ["{}", r"{:\d+}", "pre{}", "{}.json"]
#: Patterns the index must treat conservatively: regexes that cross a slash or
#: hold braces, old-style ``:name`` markers (literal text next to ``{}``
#: markers), and stars that are literal or a remainder depending on place.
TRICKY = [r"{:\d{2}}", "{:[^/]+/[^/]+}", "{:.*}", "{:a/b}", ":", "pre:", ":.json", "a*b", "*"]
PATH_PARTS = ["notes", "api", "a", "b", "static", "x1", "", "12", "pre7", "k.json", "notes2",
              "caf\u00e9", "n%2Fx", ":v1", "a*b", "123"]
#: Few names: routes and paths then share first and second segments all the time.
FEW_LITERALS = ["a", "b", ""]
FEW_PATH_PARTS = ["a", "b", "", "1", "pre1", "1.json"]


@st.composite
def patterns(draw: st.DrawFn, literals: list[str], placeholders: list[str] = PLACEHOLDERS,
             max_parts: int = 4) -> str:
    # Half literal, half placeholders.
    segment = st.one_of(st.sampled_from(literals), st.sampled_from(placeholders))
    parts = draw(st.lists(segment, min_size=0, max_size=max_parts))
    # Each placeholder gets a name of its own: Pyramid forbids repeats.
    named = [_named(part, i) for i, part in enumerate(parts)]
    pattern = "/" + "/".join(named)
    if draw(st.booleans()) and not pattern.endswith("/"):
        pattern += "/"
    if draw(st.integers(0, 5)) == 0:
        pattern = pattern.rstrip("/") + "/*rest"
    if draw(st.integers(0, 6)) == 0:
        pattern = pattern.lstrip("/")  # Pyramid adds the slash
    return pattern


def _named(part: str, i: int) -> str:
    if "{" in part:
        return part.replace("{", f"{{v{i}", 1)
    if ":" in part:
        return part.replace(":", f":v{i}", 1)
    if part.endswith("*"):
        return part + f"v{i}"  # a remainder when it ends the pattern, literal otherwise
    return part


def paths(parts: list[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda chosen, tail: "/" + "/".join(chosen) + tail,
                     st.lists(st.sampled_from(parts), max_size=5),
                     st.sampled_from(["", "/", "\n"]))


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


def literal_prefix(pattern: str) -> str:
    """The text of a route pattern before its first placeholder or remainder."""
    pattern = "/" + pattern.lstrip("/")
    return pattern.split("{", 1)[0].split("*", 1)[0]


def same_answers(routes, data, parts: list[str]) -> None:
    pyramid_mapper = build(RoutesMapper(), routes)
    ours = build(PrefixIndexedRoutesMapper(), routes)
    # Random paths, and paths that start like one of the routes (so that they
    # share its first and second segments) and go on at random.
    tails = st.one_of(st.just(""), st.sampled_from(parts), paths(parts))
    derived = (st.builds(lambda route, trim, tail: (literal_prefix(route[0]).rstrip("/")
                                                    if trim else literal_prefix(route[0])) + tail,
                         st.sampled_from(routes), st.booleans(), tails)
               if routes else paths(parts))
    requests = data.draw(st.lists(st.tuples(st.one_of(paths(parts), derived), methods),
                                  min_size=1, max_size=12))
    for path, method in requests:
        request = Request.blank("/", method=method)
        request.path_info = path
        expected = pyramid_mapper(request)
        got = ours(request)
        assert (got["route"] and got["route"].name) == (
            expected["route"] and expected["route"].name), (path, method)
        assert got["match"] == expected["match"]


route_methods = st.sampled_from([None, "GET", "POST"])


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(patterns(LITERALS), route_methods), max_size=25), st.data())
def test_same_answer_as_pyramid(routes, data):
    same_answers(routes, data, PATH_PARTS)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(patterns(LITERALS, PLACEHOLDERS + TRICKY), route_methods), max_size=25),
       st.data())
def test_same_answer_as_pyramid_with_patterns_read_conservatively(routes, data):
    same_answers(routes, data, PATH_PARTS)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.tuples(patterns(FEW_LITERALS, ["{}", "pre{}"], max_parts=3), route_methods),
                max_size=12), st.data())
def test_same_answer_as_pyramid_with_few_names(routes, data):
    same_answers(routes, data, FEW_PATH_PARTS)


def test_routes_replaced_by_name_keep_pyramids_order():
    ours = PrefixIndexedRoutesMapper()
    ours.connect("a", "/x/{id}")
    ours.connect("b", "/x/1")
    ours.connect("a", "/y/{id}")  # replaces a: b now comes first for /x/1
    request = Request.blank("/x/1")
    assert ours(request)["route"].name == "b"
    assert [r.name for r in ours.get_routes()] == ["b", "a"]
    assert ours.generate("a", {"id": "7"}) == "/y/7"


def test_a_path_without_its_leading_slash_is_answered_as_pyramid_does():
    """Pyramid puts a slash before every pattern, so such a path matches no
    route; the index must say so too, not fail on a path it cannot split."""
    routes = [("/x/{id}", None), ("/x", None), ("*rest", None), ("/{a}/y", None)]
    pyramid_mapper, ours = build(RoutesMapper(), routes), build(PrefixIndexedRoutesMapper(), routes)
    for path in ("x/1", "x", "y", "x/y", "/x\n", ""):
        request = Request.blank("/")
        request.path_info = path
        expected, got = pyramid_mapper(request), ours(request)
        assert (got["route"] and got["route"].name) == (
            expected["route"] and expected["route"].name), path
        assert got["match"] == expected["match"], path
    assert ours(Request.blank("/x\n"))["route"].name == "r1"


def test_literal_segments():
    assert literal_segments("/notes/api/{id}") == ("notes", "api")
    assert literal_segments("/notes/api") == ("notes", "api")
    assert literal_segments("/notes/api{ext}") == ("notes",)  # "api..." is not a whole segment
    assert literal_segments("/notes/") == ("notes", "")
    assert literal_segments("/notes/static/*subpath") == ("notes", "static")
    assert literal_segments("/notes/static*rest") == ("notes",)
    assert literal_segments("/a/b/c/{x}") == ("a", "b", "c")
    assert literal_segments("notes/api") == ("notes", "api")  # Pyramid adds the slash
    assert literal_segments("/") == ("",)
    assert literal_segments("") == ("",)
    assert literal_segments("/{slug}/x") == ()
    assert literal_segments("/no{x}") == ()
    assert literal_segments("/*traverse") == ()


def test_literal_segments_stop_before_any_marker_whatever_its_regex():
    assert literal_segments(r"/notes/{x:\d{2}}/y") == ("notes",)
    assert literal_segments(r"/notes/api/{x:\d{2}}") == ("notes", "api")
    assert literal_segments("/notes/{p:[^/]+/[^/]+}/api") == ("notes",)
    assert literal_segments("/notes{p:/api/.*}") == ()  # the regex supplies the slash
    assert literal_segments("/notes/{p:.*}") == ("notes",)


def test_literal_segments_read_old_style_markers_and_stars_conservatively():
    assert literal_segments("/:old/style") == ()
    assert literal_segments("/notes/:id") == ("notes",)
    assert literal_segments("/notes/api/:id.json") == ("notes", "api")
    # With {} markers a colon is literal: stopping there is shorter, not wrong.
    assert literal_segments("/notes/a:b/{x}") == ("notes",)
    # A star is literal unless it ends the pattern; either way the prefix stops.
    assert literal_segments("/notes/a*b/c") == ("notes",)
    assert literal_segments("/notes/api/*") == ("notes", "api")


def test_patterns_that_are_not_plain_text_are_not_indexed():
    assert literal_segments(b"/notes/api") == ()
    assert literal_segments("/notes/api\n") == ()  # may match "/notes/api\n" as well


def test_conservative_patterns_answer_as_pyramid_does():
    routes = [(r"/n/{x:\d{2}}", None), ("/n/{p:[^/]+/[^/]+}", None), ("/m{p:/a/.*}", None),
              ("/o/:id", None), ("/o/:id.json", "POST"), ("/c/a:b/{x}", None), ("/s/a*b/c", None),
              ("/s/x*rest", None), ("/e/*", None), ("/l/a\n", None), (b"/b/y", None)]
    pyramid_mapper, ours = build(RoutesMapper(), routes), build(PrefixIndexedRoutesMapper(), routes)
    for path in ("/n/12", "/n/123", "/n/a/b", "/n/a/b/c", "/m/a/", "/m/a/x/y", "/m", "/o/7",
                 "/o/7.json", "/c/a:b/1", "/c/a/1", "/s/a*b/c", "/s/x", "/s/x/y/z", "/s/a",
                 "/e/", "/e", "/e/x", "/l/a\n", "/l/a", "/l/a\n\n", "/b/y"):
        for method in ("GET", "POST"):
            request = Request.blank("/", method=method)
            request.path_info = path
            expected, got = pyramid_mapper(request), ours(request)
            assert (got["route"] and got["route"].name) == (
                expected["route"] and expected["route"].name), (path, method)
            assert got["match"] == expected["match"], (path, method)


def test_it_wraps_a_mapper_made_before_it_and_keeps_its_routes():
    """Routes an embedding app connected, static ones included, and those its
    pending add_route calls connect at commit, all stay in the wrapped mapper."""
    from pyramid.config import Configurator
    from pyramid.interfaces import IRoutesMapper

    from podium.routing import includeme

    config = Configurator()
    config.add_route("host.page", "/host/{id}")
    config.add_route("host.cdn", "https://cdn.example/{file}", static=True)
    config.include(includeme)
    config.add_route("later", "/later")
    config.commit()
    mapper = config.registry.getUtility(IRoutesMapper)
    assert isinstance(mapper, PrefixIndexedRoutesMapper)
    assert [r.name for r in mapper.get_routes()] == ["host.page", "later"]
    assert mapper.get_route("host.cdn") is not None
    assert mapper(Request.blank("/host/3"))["match"] == {"id": "3"}
    assert mapper(Request.blank("/later"))["route"].name == "later"
    request = Request.blank("/")
    request.registry = config.registry
    assert request.route_url("host.cdn", file="a.css") == "https://cdn.example/a.css"


def test_the_last_route_of_a_plugin_is_tried_first_when_its_segments_say_so():
    ours = PrefixIndexedRoutesMapper()
    for name in ("list", "new", "search"):
        ours.connect(f"p.{name}", f"/p/{name}")
    ours.connect("p.item", "/p/{id}")
    ours.connect("p.api", "/p/api/items/{id}")
    index = ours._build_index()
    assert [r.name for r in index.by_prefix[("p", "api")]] == ["p.item", "p.api"]
    assert ours(Request.blank("/p/api/items/3"))["route"].name == "p.api"
    assert ours(Request.blank("/p/api"))["route"].name == "p.item"


def test_the_platform_uses_it(testapp):
    from pyramid.interfaces import IRoutesMapper

    mapper = testapp.app.registry.getUtility(IRoutesMapper)
    assert isinstance(mapper, PrefixIndexedRoutesMapper)
    assert "notes.list" in [r.name for r in mapper.get_routes()]
