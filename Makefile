# Two entry points: `make demo` runs the product offline, `make test` runs every check.
# Both create .venv on first use and reinstall when pyproject.toml or constraints.txt change.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTHON ?= python3

.PHONY: demo test lint typecheck pytest services clean catalogs

$(STAMP): pyproject.toml constraints.txt sandboxes/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing meli-events with its development tools and the offline sandboxes into $(VENV) (first run: about a minute)"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev,demo]' -e ./sandboxes
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/meli demo

test: $(STAMP) services lint typecheck pytest

services:
	@bash .ci/services.sh
	@command -v chromium >/dev/null 2>&1 || { echo "installing Debian chromium for the browser tests"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@{ command -v buildah && command -v debootstrap; } >/dev/null 2>&1 || { \
		echo "installing Debian buildah and debootstrap to build the image in the tests (no Docker engine needed)"; \
		apt-get update -qq && apt-get install -y -qq buildah debootstrap >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy worker connectors sandboxes migrations tests benchmarks

pytest: $(STAMP)
	$(BIN)/pytest -q

# The full chaos run: real processes under faults and kills, store == oracle (about 12 minutes), then delivery to
# Hellotext through a 60 s outage and worker SIGKILLs, nothing lost or doubled (about 5 minutes).
.PHONY: chaos
chaos: $(STAMP)
	$(BIN)/python benchmarks/chaos.py
	$(BIN)/python benchmarks/delivery_kills.py

# Delivery to Hellotext under a 60 s Hellotext outage and worker SIGKILLs: nothing lost or doubled; about 3 minutes.
.PHONY: chaos-delivery
chaos-delivery: $(STAMP)
	$(BIN)/python benchmarks/delivery_kills.py

# The pages' translations: extract the marked texts, merge them into each language's .po, compile the .mo files.
LOCALES_DIR := worker/connect/locales
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k t -k N_ --no-location --omit-header -o $(LOCALES_DIR)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES_DIR)/messages.pot -d $(LOCALES_DIR) -D messages --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALES_DIR) -D messages --statistics

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
