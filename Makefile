# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench package install-desktop clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,package]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m lrdesk

lint: $(STAMP)
	$(VENV)/bin/ruff check lrdesk tests benchmarks packaging
	$(VENV)/bin/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run_all.py $(BENCH)

package: $(STAMP)
	$(PY) packaging/build.py

install-desktop: $(STAMP)
	$(PY) packaging/install_desktop.py

clean:
	rm -rf $(VENV) build dist packaging/build packaging/dist *.egg-info
