# Two entry points (README Quick start): `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test stress clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# The main job on the shipped demo agency: validate it, print the office's worklist and the
# bulletin of the last complete quarter (not committed), then build the public site.
# `check` exits 1 when it finds problems (the demo has some on purpose).
demo: $(STAMP)
	@$(BIN)/shouwen --repo . check; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@echo
	@$(BIN)/shouwen --repo . todo --all
	@echo
	@$(BIN)/shouwen --repo . bulletin last
	@echo
	@$(BIN)/shouwen --repo . site build

test: $(STAMP)
	$(BIN)/python -m pytest

# Heavy trials at their full counts (bad inputs, killed writers, desks on one remote); each prints its counts.
# One seed drives every random choice: printed first, replayed with SHOUWEN_TEST_SEED=N make stress.
stress: $(STAMP)
	@seed=$${SHOUWEN_TEST_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "stress seed: $$seed (replay: SHOUWEN_TEST_SEED=$$seed make stress)"; \
	SHOUWEN_TEST_SEED=$$seed $(BIN)/python -m pytest -m stress -s --durations=10

clean:
	rm -rf $(VENV) .shouwen
