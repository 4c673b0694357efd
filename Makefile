# make run          - set up .venv (if missing or stale) and launch Backprop Studio
# make test         - set up the same way, lint, and run the whole test suite (GUI tests offscreen)
# make lint         - ruff (style and bug-prone patterns) and lint-imports (core never imports Qt)
# make package-test - build the wheel, install it into a fresh venv outside the checkout, use it
# make bench        - run the benchmarks
# make fuzz         - hostile-input fuzzing of the command line (tools/fuzz.py; prints a table)
# Another Python: `make test PYTHON=$(pyenv root)/versions/3.13.0/bin/python3.13` sets up its own
# .venv-3.13 beside .venv, so each Python keeps its own PySide6 (see README: supported Pythons).
PYTHON ?= python3
ifneq ($(filter command line environment,$(origin PYTHON)),)
VENV   := .venv-$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
else
VENV   := .venv
endif
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST := QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

.PHONY: run test lint package-test bench fuzz clean

$(STAMP): pyproject.toml setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py

lint: $(STAMP)
	$(BIN)/ruff check bpstudio tests benchmarks tools main.py setup.py
	$(BIN)/lint-imports

test: lint
	$(PYTEST) -q

package-test: $(STAMP)
	$(PYTEST) -q -p no:cacheprovider -m package tests/package

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

fuzz: $(STAMP)
	$(BIN)/python -m tools.fuzz

clean:
	rm -rf .venv .venv-* build *.egg-info
