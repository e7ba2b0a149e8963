# Veille : les commandes de tous les jours.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo
DEMO_ENFANTS ?= 5000

PG_URL ?= postgres://postgres@127.0.0.1:5432/veille
DJANGO := VEILLE_DEBUG=1 $(BIN)/python manage.py

.PHONY: install demo test test-sqlite test-postgres test-matrice lint bench bench-spark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	bin/ensure-java
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/veille demo-donnees $(DEMO_DIR)/donnees --enfants $(DEMO_ENFANTS) --graine 2026
	$(BIN)/veille croiser --enfants $(DEMO_DIR)/donnees/enfants_*.csv \
		--scolarite $(DEMO_DIR)/donnees/scolarite_*.csv \
		--sortie $(DEMO_DIR)/resultats --annee-scolaire 2026-2027
	VEILLE_DEBUG=1 $(BIN)/veille demo-web --enfants $(DEMO_ENFANTS) --graine 2026
	VEILLE_DEBUG=1 $(BIN)/veille serveur --adresse 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench manage.py
	$(BIN)/ruff check src tests bench manage.py
	$(BIN)/mypy
	$(DJANGO) makemigrations --check --dry-run

# The whole suite on SQLite, then every test that touches the database again on PostgreSQL.
test: lint test-sqlite test-postgres

test-sqlite: $(STAMP)
	bin/ensure-java
	bin/ensure-chromium
	bin/ensure-axe
	$(BIN)/pytest

test-postgres: $(STAMP)
	bin/ensure-postgres
	bin/ensure-chromium
	bin/ensure-axe
	DATABASE_URL=$(PG_URL) $(BIN)/pytest tests/web

# The permission matrix alone (it also runs in test-sqlite and test-postgres): every URL pattern × every
# role × GET and POST.
test-matrice: $(STAMP)
	$(BIN)/pytest -m matrix tests/web/test_permission_matrix.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Spark beside DuckDB on the same communes (a table; 100,000 children take several minutes).
bench-spark: $(STAMP)
	bin/ensure-java
	$(BIN)/python bench/spark.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
