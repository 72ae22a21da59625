"""Request extensions are baked into one class: no class per request."""

from pyramid.interfaces import IRequestExtensions, IRequestFactory


def test_one_request_class_serves_every_request(testapp):
    registry = testapp.app.registry
    factory = registry.getUtility(IRequestFactory)
    assert registry.queryUtility(IRequestExtensions) is None
    classes = set()
    for _ in range(3):
        request = factory.blank("/")
        request.registry = registry
        classes.add(type(request))
        assert callable(request.dbsession.execute)  # the reified property works
        assert request.tm is request.tm
    assert classes == {factory}


def test_requests_through_the_app_still_have_their_extensions(testapp):
    res = testapp.post_json("/notes/api/notes", {"title": "baked", "body": ""}, status=201)
    assert testapp.get(res.headers["Location"]).json["title"] == "baked"
