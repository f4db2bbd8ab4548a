"""Fixtures for the API tests: an app over a temporary home with the real run manager.

Helpers shared by the test modules live in api_helpers.py (this folder is put
on sys.path because pytest runs with --import-mode=importlib).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_helpers import make_settings  # noqa: E402


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def client(home):
    """One app and TestClient per test module (the run manager's workers are costly to start)."""
    pytest.importorskip("playground.runs.manager")
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    app = create_app(make_settings(home))
    with TestClient(app) as c:
        yield c
