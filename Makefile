# Veille : les commandes de tous les jours.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo
DEMO_ENFANTS ?= 5000

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/veille demo-donnees $(DEMO_DIR)/donnees --enfants $(DEMO_ENFANTS) --graine 2026
	$(BIN)/veille croiser --enfants $(DEMO_DIR)/donnees/enfants_*.csv \
		--scolarite $(DEMO_DIR)/donnees/scolarite_*.csv \
		--sortie $(DEMO_DIR)/resultats --annee-scolaire 2026-2027

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: $(STAMP) lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
