"""A schemathesis pass over the OpenAPI schema: no generated request may get a 5xx.

Few examples per operation so the pass stays well under a minute; the
hand-written bad-input tests cover each endpoint's known mistakes. The app is
built at import (schemathesis reads its schema while collecting); its run
manager is started for the module by the `running` fixture.
"""

import shutil
import tempfile

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("playground.runs.manager")

from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from api_helpers import make_settings  # noqa: E402
from playground.api.app import create_app  # noqa: E402

HOME = tempfile.mkdtemp(prefix="playground-fuzz-")
APP = create_app(make_settings(HOME, max_runs=1, max_queue=1))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running():
    with TestClient(APP):  # the lifespan starts and stops the run manager
        yield
    shutil.rmtree(HOME, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
