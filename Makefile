# The project's only entry points. A fresh machine needs python3 (3.11), make, and node (20.19+ or 22.12+) with npm;
# `make test` also installs Debian's chromium (apt-get, as root) for the browser tests when it is missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# npm ci writes node_modules/.package-lock.json: it is redone when that is missing or older than the lock.
NODE_STAMP := node_modules/.package-lock.json
# The web console (console/) built by Vite; rebuilt when a source, the lock or the Vite config changes.
CONSOLE := build/console/index.html
CONSOLE_SOURCES := $(shell find console -type f 2>/dev/null) package-lock.json
# The browser tests drive Debian's Chromium (never a downloaded build).
CHROMIUM := /usr/bin/chromium
# Chinese text in the screenshots needs a CJK font; Debian's chromium does not pull one in.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

.PHONY: install run test unit lint package bench fuzz token schemas clean console browser

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q "pip>=24,<26.3"  # chalice 1.34 needs pip<26.3
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(CONSOLE): $(NODE_STAMP) $(CONSOLE_SOURCES)
	npm run -s build:console

console: $(CONSOLE)

browser:
	test -x $(CHROMIUM) -a -f $(CJK_FONT) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

install: $(STAMP) $(NODE_STAMP) $(CONSOLE) browser

run: $(STAMP) $(CONSOLE)
	$(BIN)/python -m infra.local.stack

token: $(STAMP)
	@$(BIN)/python -m infra.local.token $(user)

test: $(STAMP) lint package $(CONSOLE) browser
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

lint: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m scripts.export_schemas --check
	npm run --silent lint:openapi

schemas: $(STAMP)
	$(BIN)/python -m scripts.export_schemas

package: $(STAMP)
	$(BIN)/python -m infra.package

bench: $(STAMP)
	$(BIN)/python -m bench

fuzz: $(STAMP)
	$(BIN)/python -m infra.local.fuzz

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
