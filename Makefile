# Two commands do the whole set-up: `make run` and `make test`.
VENV    := .venv
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip
HOST    ?= 127.0.0.1
PORT    ?= 8000
# The shared MNIST copy beside the checkout, when there is one; otherwise the
# loader downloads from the public mirrors into its cache and checks sha256.
SHARED_DATA := $(abspath ../shared/data)
ifneq ($(wildcard $(SHARED_DATA)/mnist),)
export PLAYGROUND_DATA_DIR ?= $(SHARED_DATA)
endif

.PHONY: run test test-py test-js system-deps bench clean

$(VENV)/.runtime: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[export]'
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.runtime
	$(PIP) install -q -e '.[test,cluster]'
	touch $@

run: $(VENV)/.runtime
	$(VENV)/bin/playground serve --host $(HOST) --port $(PORT)

# Browser tests need Debian's Chromium (never a downloaded one) and the compose
# check needs docker-compose; install them when missing and we may.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v docker-compose >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium docker-compose >/dev/null; \
	  else \
	    echo "note: run 'sudo apt-get install -y chromium docker-compose' for the browser and compose tests"; \
	  fi; \
	fi

# axe-core (accessibility checks in tests/browser/test_axe.py) comes from npm into the
# git-ignored node_modules/, never committed; npm itself is installed when missing and we may.
AXE := node_modules/axe-core/axe.min.js
$(AXE):
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	fi
	@if command -v npm >/dev/null; then \
	  npm install --prefix . --no-save --no-package-lock --no-audit --no-fund axe-core@4; \
	else \
	  echo "note: npm is missing, so tests/browser/test_axe.py will skip; install npm to run it"; \
	fi

test: $(VENV)/.test system-deps $(AXE)
	$(PY) -m ruff check backend tests benchmarks
	$(PY) -m mypy
	node --test tests/frontend/
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(VENV)/.test
	$(PIP) install -q -e '.[bench]'
	$(PY) -m benchmarks.engine
	$(PY) -m benchmarks.server

clean:
	rm -rf $(VENV) .pytest_cache
