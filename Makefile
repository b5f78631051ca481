# Open Model Atlas: the front door. `make site` builds the site, `make test` runs the tests.
# Each target creates/uses a local virtual environment (.venv) with pinned dependencies.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: help install site serve test lint typecheck validate schema goldens bench bench-build bench-sync bench-pages mutation nightly-dry-run clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install pinned dependencies

site: $(STAMP) ## build the site into site/ (offline, from catalog.yaml and catalog.lock.yaml)
	$(PY) -m generator build

serve: $(STAMP) ## preview at http://127.0.0.1:8000/open-model-atlas/, re-rendered when the catalog changes
	$(PY) -m generator serve

test: $(STAMP) ## run the whole test suite
	$(PY) -m pytest

validate: $(STAMP) ## check catalog.yaml and print every problem as PATH:LINE:COL
	$(PY) -m generator validate

lint: $(STAMP) ## ruff check and ruff format --check
	$(PY) -m ruff check generator tests bench scripts
	$(PY) -m ruff format --check generator tests bench scripts

typecheck: $(STAMP) ## mypy --strict
	$(PY) -m mypy

schema: $(STAMP) ## regenerate catalog.schema.json from the typed models
	$(PY) -m generator schema

goldens: $(STAMP) ## regenerate the golden pages in tests/golden/ after an intended rendering change
	$(PY) -m pytest tests/test_golden.py --update-goldens

bench: bench-sync bench-build ## all benchmarks

bench-build: $(STAMP) ## build benchmark: synthetic catalogs at 1x, 10x, 50x (BENCH_ARGS=--help for options)
	$(PY) bench/bench_build.py $(BENCH_ARGS)

bench-sync: $(STAMP) ## sync benchmark: fake Hub, 50 ms latency, 1,000 models, concurrent vs sequential
	$(PY) bench/bench_sync.py

bench-pages: $(STAMP) ## page benchmark: layout shift and click-to-paint of the heavy pages, 4x slower CPU
	$(PY) bench/bench_pages.py

mutation: $(STAMP) ## mutation testing of scorecard/validate/rules with their fast tests (~20 min); prints the kill rate and survivors
	rm -rf mutants
	$(VENV)/bin/mutmut run > mutmut.log 2>&1 || (tail -c 3000 mutmut.log; exit 1)
	$(VENV)/bin/mutmut export-cicd-stats >/dev/null
	$(VENV)/bin/mutmut results
	$(PY) -c "import json; s = json.load(open('mutants/mutmut-cicd-stats.json')); \
	  k = s['killed'] + s['timeout']; n = s['total'] - s['skipped']; \
	  print(f'mutation score: {k}/{n} killed ({k / n:.1%}; target 90%), {s[\"survived\"]} survived, {s[\"no_tests\"]} without tests')"

nightly-dry-run: $(STAMP) ## the nightly workflow's steps against the fake Hub, in a temporary copy
	$(PY) scripts/nightly_dry_run.py

clean: ## remove built and generated output
	$(PY) -c "from pathlib import Path; from generator.site.writer import clean; clean(Path('docs'))" 2>/dev/null || true
	rm -rf site build
