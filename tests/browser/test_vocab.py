"""The page's lists come from its bootstrap data (api/vocabularies.py), and the
run statuses it acts on are the server's: an interrupted run counts as ended,
offers Resume and is not followed over a websocket."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

pytestmark = pytest.mark.browser

SELECTS = {"cfg-optimizer": "optimizers", "cfg-schedule": "lr_schedules", "cfg-init": "initializers",
           "act-name": "lab_activations", "gd-opt": "optimizers", "cv-padding": "paddings",
           "pl-padding": "paddings", "pl-mode": "lab_pool_modes",
           "perc-data": "lab_perceptron_datasets", "vec-op": "lab_vector_operations"}


def _names(vocab: dict, key: str) -> list[str]:
    return [e if isinstance(e, str) else e["name"] for e in vocab[key]]


def test_selects_are_filled_from_the_bootstrap(page, server, shot):
    page.goto(f"{server}/#dataset=xor")
    page.wait_for_selector("#layer-list .layer")
    vocab = page.evaluate("JSON.parse(document.getElementById('bootstrap').textContent).vocabularies")
    assert vocab == httpx.get(f"{server}/api/vocabularies").json()
    for select, key in SELECTS.items():
        values = page.eval_on_selector_all(f"#{select} option", "els => els.map(e => e.value)")
        made = [v for v in values if v in _names(vocab, key)]
        assert made == _names(vocab, key), select
    # the static options stay where the template put them
    assert page.eval_on_selector("#cfg-init", "e => e.options[0].value") == ""
    assert page.eval_on_selector_all("#cv-padding option", "els => els.map(e => e.value)")[-3:] == ["1", "2", "3"]
    assert page.eval_on_selector("#cv-padding", "e => e.value") == "valid"
    assert page.eval_on_selector("#cfg-optimizer option[value=sgd]", "e => e.textContent") == "SGD"
    shot(page, "vocab-build")


def test_a_vocabulary_the_server_grows_reaches_the_page(page, server):
    """Another optimizer in the bootstrap appears in both optimizer selects: no
    list in the page's code decides what is offered."""

    def grow(route):
        html = route.fetch().text()
        found = re.search(r'(<script type="application/json" id="bootstrap">)(.*?)(</script>)', html, re.S)
        boot = json.loads(found.group(2))
        boot["vocabularies"]["optimizers"].append({"name": "lion", "label": "Lion", "settings": {"lr": 1e-4}})
        html = html[:found.start(2)] + json.dumps(boot) + html[found.end(2):]
        route.fulfill(body=html, content_type="text/html")

    page.route(re.compile(r".*/(#.*)?$"), grow)
    page.goto(f"{server}/#dataset=xor")
    page.wait_for_selector("#layer-list .layer")
    for select in ("cfg-optimizer", "gd-opt"):
        assert page.eval_on_selector(f"#{select} option[value=lion]", "e => e.textContent") == "Lion"


def test_an_interrupted_run_offers_resume_and_is_not_followed(page, server, shot):
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 4, "activation": "relu"},
                                            {"type": "dense", "units": 2}]}
    run = httpx.post(f"{server}/api/runs", json={"spec": spec, "dataset": "xor", "steps": 20}).json()
    deadline = time.monotonic() + 60
    while httpx.get(f"{server}/api/runs/{run['id']}").json()["status"] != "finished":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    record = httpx.get(f"{server}/api/runs/{run['id']}").json()
    # What the server answers after a restart cut the run short before its first checkpoint.
    interrupted = {**record, "status": "interrupted", "checkpoint": None, "resumable": True,
                   "message": "the server shut down during this run"}
    page.route(f"{server}/api/runs/{run['id']}", lambda route: route.fulfill(json=interrupted))
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{server}/?run={run['id']}#dataset=xor")
    page.wait_for_function("document.querySelector('#status-text').textContent.startsWith('Interrupted')")
    page.wait_for_timeout(1000)
    assert page.text_content("#btn-pause").strip().endswith("Resume")
    assert not page.is_disabled("#btn-pause") and not page.is_disabled("#btn-start")
    assert page.is_disabled("#btn-stop") and page.is_disabled("#btn-step")
    assert not [url for url in sockets if run["id"] in url]  # an ended run is not followed
    page.click("[role=tab][data-tab=eval]")
    page.wait_for_timeout(500)
    # no checkpoint: no weights to evaluate, so the page does not ask for an evaluation
    assert "appears when a run finishes" in page.text_content("#eval-hint")
    shot(page, "vocab-interrupted")
