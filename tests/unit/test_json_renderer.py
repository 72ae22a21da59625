import datetime
import decimal
import json
import uuid

from pyramid import testing

from podium.rendering.json import make_json_renderer


def test_json_renderer_serializes_model_types():
    render = make_json_renderer()(None)
    value = {
        "at": datetime.datetime(2026, 11, 21, 9, 30, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 11, 21),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "price": decimal.Decimal("10.10"),
    }
    request = testing.DummyRequest()
    body = render(value, {"request": request})
    assert json.loads(body) == {
        "at": "2026-11-21T09:30:00+00:00",
        "day": "2026-11-21",
        "id": "12345678-1234-5678-1234-567812345678",
        "price": "10.10",
    }
    assert request.response.content_type == "application/json"
