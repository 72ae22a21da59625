"""The clients of these tests, from the test kit's fixtures.

The notes' defaults let a signed-in user write notes and change their own, and
nobody else write: ``testapp`` is the browser of such a user (``writer``), ``api``
a program with an API token of the same user (so both change the same notes),
``anonymous`` a visitor nobody is signed in as.
"""

from __future__ import annotations

from typing import Any

import pytest

from podium.testing import PodiumTestApp


@pytest.fixture
def writer(podium_user: Any) -> Any:
    return podium_user("writer")


@pytest.fixture
def testapp(podium_app: Any, writer: Any) -> PodiumTestApp:
    app = PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})
    app.login(writer.id)
    return app


@pytest.fixture
def api(podium_app: Any, writer: Any, api_token: Any) -> PodiumTestApp:
    token = api_token(writer.login)
    return PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost",
                                                    "HTTP_AUTHORIZATION": f"Bearer {token}"})


@pytest.fixture
def anonymous(podium_app: Any) -> PodiumTestApp:
    return PodiumTestApp(podium_app, extra_environ={"HTTP_HOST": "localhost"})
