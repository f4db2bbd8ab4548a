"""The engine imports without the web stack (checked in a fresh interpreter)."""
import json
import subprocess
import sys

SCRIPT = """
import importlib, json, pkgutil, sys
import playground.engine as engine
names = []
for info in pkgutil.walk_packages(engine.__path__, engine.__name__ + "."):
    importlib.import_module(info.name)
    names.append(info.name)
web = sorted(m for m in ("fastapi", "starlette", "pydantic", "PIL", "uvicorn") if m in sys.modules)
print(json.dumps({"modules": names, "web": web}))
"""


def test_engine_imports_without_web_stack():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    for core in ("tensor", "ops", "losses", "init", "optim", "forward_mode", "numeric", "perceptron"):
        assert f"playground.engine.{core}" in report["modules"]
    assert report["web"] == [], f"engine pulled in {report['web']}"
