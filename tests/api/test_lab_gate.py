"""The heavier labs (up to about a second of a core each) take one of
settings.max_labs slots: a few run, a few wait, the rest get 429 with
Retry-After naming the limit; the light labs never wait for them."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from playground.api.inspection_gate import InspectionGate
from playground.api.routers import labs


def test_heavy_labs_beyond_their_slots_are_429_and_light_ones_still_answer(client, monkeypatch):
    monkeypatch.setitem(vars(client.app.state)["_state"], "labs",
                        InspectionGate(slots=1, queue=1, what="lab computations", setting="max_labs"))
    plain = labs.linear_stack_lab

    def slow(**kwargs):
        time.sleep(0.5)
        return plain(**kwargs)

    monkeypatch.setattr(labs, "linear_stack_lab", slow)
    body = {"hidden": 2, "steps": 5, "n_samples": 20}
    with ThreadPoolExecutor(4) as pool:
        heavy = [pool.submit(client.post, "/api/labs/linear-stack", json=body) for _ in range(4)]
        time.sleep(0.2)
        t0 = time.monotonic()
        light = client.post("/api/labs/softmax", json={})
        light_s = time.monotonic() - t0
        answers = [f.result() for f in heavy]
    assert light.status_code == 200 and light_s < 0.4, light_s
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 200, 429, 429], codes
    refused = next(r for r in answers if r.status_code == 429)
    assert refused.headers["retry-after"] == "2" and "max_labs" in refused.json()["detail"]


def test_the_lab_slots_are_a_limit_shown_in_health(client):
    assert client.get("/api/health").json()["limits"]["max_labs"] == 2
