"""The container's entry command, run outside Docker the way the image runs it:
the compose `command` (fetch MNIST, then serve) as a subprocess on 127.0.0.1
with a temporary home; /api/health must answer."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_helpers import first_answer, free_port, stop_group

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = os.environ.get("PLAYGROUND_DATA_DIR") or str(ROOT.parent / "shared" / "data")


def compose_command() -> str:
    """The shell line of the compose service's command (the YAML folded block)."""
    text = (ROOT / "docker-compose.yml").read_text()
    block = text.split("- >-", 1)[1].split("restart:", 1)[0]
    return " ".join(line.strip() for line in block.strip().splitlines())


def test_entry_command_serves_health(tmp_path):
    pytest.importorskip("playground.cli")
    port = free_port()
    line = compose_command()
    assert "exec playground serve --host 0.0.0.0 --port 8000" in line
    line = re.sub(r"--host 0\.0\.0\.0 --port 8000", f"--host 127.0.0.1 --port {port}", line)
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(
        PLAYGROUND_HOME=str(tmp_path / "home"),
        PLAYGROUND_CACHE_DIR=str(tmp_path / "cache"),
        PLAYGROUND_DATA_DIR=SHARED_DATA,
        PLAYGROUND_MAX_RUNS="1",
    )
    proc = subprocess.Popen(["sh", "-c", line], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        body = first_answer(f"http://127.0.0.1:{port}/api/health", proc)
        assert body is not None, proc.stdout.read().decode() if proc.poll() is not None else "no answer"
        assert '"status":"ok"' in body
        assert (tmp_path / "home").is_dir()
    finally:
        stop_group(proc)
