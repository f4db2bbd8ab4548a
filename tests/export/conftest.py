"""The export tests check each export in its own runtime; without onnxruntime
or PyTorch (the test extra) they are skipped. export_helpers.py is put on
sys.path because pytest runs with --import-mode=importlib."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the API tests' helpers (start_run, wait_for, ...) and the CLI tests' expect_error
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
