"""docker-compose.yml and Dockerfile: the compose file validates and says what a
classroom needs; the Dockerfile's command, environment and healthcheck work when
run the way the image runs them (outside Docker, against a temporary /data)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_helpers import first_answer, free_port, stop_group

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_compose_config_validates():
    out = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    text = re.sub(r"\s+", " ", out.stdout)  # YAML may fold the long command line
    assert "8000:8000" in text
    assert "playground-data:/data" in text
    assert "PLAYGROUND_HOME: /data" in text
    assert "playground.engine.data.download mnist" in text
    assert "playground serve --host 0.0.0.0 --port 8000" in text
    # Issue 13: one request must not take the teacher's machine down with the room.
    assert re.search(r"mem_limit: ['\"]?6g", text) and re.search(r"memswap_limit: ['\"]?6g", text), text
    assert "PLAYGROUND_AUTH: tokens" in text  # a LAN-facing server is in classroom mode


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_compose_reads_the_teacher_token_from_dot_env(tmp_path):
    """Compose substitutes PLAYGROUND_TEACHER_TOKEN from a .env file beside the compose file."""
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text("PLAYGROUND_TEACHER_TOKEN=from-dot-env-1234\n")
    out = subprocess.run(["docker-compose", "config"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "PLAYGROUND_TEACHER_TOKEN: from-dot-env-1234" in out.stdout


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def image_env(tmp_path: Path) -> dict[str, str]:
    """The image's ENV with its folders moved under tmp_path (/data -> data,
    /app -> app): what the server finds at those paths inside the image."""
    env = {}
    for word, rest in dockerfile():
        if word == "ENV":
            env.update(pair.split("=", 1) for pair in rest.split())
    moved = {}
    for key, value in env.items():
        if value.startswith("/data"):
            value = str(tmp_path / "data") + value[len("/data"):]
        elif value.startswith("/app"):
            value = str(tmp_path / "app") + value[len("/app"):]
        moved[key] = value
    return moved


def test_dockerfile_image_runs_its_command_and_passes_its_healthcheck(tmp_path):
    """The image's CMD, run outside Docker as the image runs it (its ENV, its
    folders under a temporary /data), on 127.0.0.1 and a free port instead of
    0.0.0.0:8000: the server answers, serves the page from the frontend folder
    the ENV names, keeps its database in the home the ENV names, and the
    HEALTHCHECK command passes against it."""
    pytest.importorskip("playground.cli")
    steps = dockerfile()
    (base,) = [rest for word, rest in steps if word == "FROM"]
    assert base == "python:3.11-slim"
    users = [rest for word, rest in steps if word == "USER"]
    assert users == ["playground"]  # the server never runs as root
    (cmd,) = [json.loads(rest) for word, rest in steps if word == "CMD"]
    (check,) = [rest for word, rest in steps if word == "HEALTHCHECK"]
    check = check.split(" CMD ", 1)[1]
    port = free_port()
    assert cmd[-4:] == ["--host", "0.0.0.0", "--port", "8000"] and "127.0.0.1:8000" in check
    cmd = cmd[:-4] + ["--host", "127.0.0.1", "--port", str(port)]
    check = check.replace("127.0.0.1:8000", f"127.0.0.1:{port}")

    env = dict(os.environ)
    env.update(image_env(tmp_path))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PLAYGROUND_MAX_RUNS"] = "1"
    home = Path(env["PLAYGROUND_HOME"])
    home.mkdir(parents=True)  # the image makes /data (owned by its user) before it starts
    # The image copies frontend/ to /app/frontend; a marked copy shows the server reads that one.
    shutil.copytree(ROOT / "frontend", tmp_path / "app" / "frontend")
    head = tmp_path / "app" / "frontend" / "templates" / "base.html"  # index.html's head
    head.write_text(head.read_text().replace("<head>", "<head><!-- the image's copy -->", 1))
    log = tmp_path / "server.log"
    with log.open("wb") as out:  # a file, not a pipe: nobody reads it while the server runs
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        page = first_answer(f"http://127.0.0.1:{port}/", proc)
        assert page is not None, log.read_text()[-2000:]
        assert "<!-- the image's copy -->" in page and 'id="bootstrap"' in page
        healthy = subprocess.run(["sh", "-c", check], env=env, capture_output=True, text=True, timeout=30)
        assert healthy.returncode == 0, healthy.stderr
        assert (home / "playground.db").is_file()
    finally:
        stop_group(proc)
    # the healthcheck fails when nothing answers (it is a check, not a formality)
    assert subprocess.run(["sh", "-c", check], env=env, capture_output=True, timeout=30).returncode != 0
