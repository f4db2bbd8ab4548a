"""benchmarks.hostile against a real uvicorn server: every hostile case of
issue 13 answered as expected, never a 5xx, and the server still up."""

from __future__ import annotations

import pytest

pytest.importorskip("websockets")

from test_server import Server  # noqa: E402  (a real uvicorn process on 127.0.0.1)

pytestmark = pytest.mark.timeout(300)


def test_the_hostile_client_finds_nothing(tmp_path):
    from benchmarks.hostile import print_table, replay

    server = Server(tmp_path / "home").start()
    try:
        rows = replay(server.base)
    finally:
        server.stop()
    print_table(rows)
    failed = [row for row in rows if row["ok"] is False]
    assert not failed, failed
    assert len(rows) >= 13 and rows[-1]["case"].startswith("the server still answers")
    assert not any(s >= 500 for row in rows for s in row["statuses"])
