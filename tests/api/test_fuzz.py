"""A schemathesis pass over the OpenAPI schema: no generated request may get a 5xx.

Few examples per operation so the pass stays well under a minute; the
hand-written bad-input tests cover each endpoint's known mistakes.

The app, its temporary home and the schema are made when the test runs, not
at import: collecting this file (or deselecting it) builds nothing. That is
why the operations are walked here rather than with ``@schema.parametrize()``,
which needs the schema at collection (and schemathesis' lazy
``pytest.from_fixture`` fails under this pytest: 'Function' has no '_nodeid').
A failure names every operation that answered 5xx.
"""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402

EXAMPLES = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck),
                    derandomize=True, database=None)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    """The app with its run manager started (by the lifespan) for this module."""
    pytest.importorskip("playground.runs.manager")
    from fastapi.testclient import TestClient

    from api_helpers import make_settings
    from playground.api.app import create_app

    app = create_app(make_settings(tmp_path_factory.mktemp("fuzz-home"), max_runs=1, max_queue=1))
    with TestClient(app):
        yield app


def _server_errors(operation) -> list[str]:
    found = []

    @EXAMPLES
    @given(case=operation.as_strategy())
    def call(case):
        response = case.call()
        if response.status_code >= 500:
            found.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}")

    call()
    return found


def test_no_server_errors(fuzz_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40  # the whole API, not an empty schema
    errors = [line for operation in operations for line in _server_errors(operation)]
    assert not errors, "\n".join(errors[:20])
