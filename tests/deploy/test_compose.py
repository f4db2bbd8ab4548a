"""docker-compose.yml and Dockerfile: the compose file validates, and both say what a classroom needs."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

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


def test_dockerfile_is_slim_non_root_with_healthcheck():
    text = (ROOT / "Dockerfile").read_text()
    assert text.count("FROM python:3.11-slim") == 1
    assert "\nUSER playground" in text
    assert "HEALTHCHECK" in text and "/api/health" in text and "urllib.request" in text
    assert "PLAYGROUND_HOME=/data" in text
    assert 'CMD ["playground", "serve", "--host", "0.0.0.0", "--port", "8000"]' in text
