VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test demo headless lint bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# TypeScript tools the live build-evidence tests run (pinned; without npm those tests skip)
NODE_TOOLS := tests/node_tools/node_modules/.package-lock.json
$(NODE_TOOLS): tests/node_tools/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/node_tools --no-audit --no-fund --loglevel=error; \
	else echo "npm missing: the live TypeScript evidence tests will skip"; fi

run: $(STAMP)
	$(VENV)/bin/workbench demo

test: $(STAMP) $(NODE_TOOLS)
	$(PY) -m pytest -n 2

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy workbench widgets agents analysis themes
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) -m pip install -q -e '.[dev,bench]'
	$(PY) -m pytest tests/benchmarks -q -s -p no:cacheprovider --override-ini addopts=

screenshots: $(STAMP)
	$(PY) -m workbench.screenshots

clean:
	rm -rf $(VENV)
