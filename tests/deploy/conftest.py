"""Helpers shared by the deploy tests live in deploy_helpers.py (this folder is
put on sys.path because pytest runs with --import-mode=importlib)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
