# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INDEX ?= data/index
ARTICLES := data/articles

.PHONY: run test eval bench index rebuild clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installed once per change of pyproject.toml.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-run

# Bring the index up to date with data/: built when there is none, rebuilt
# when an older defnews built it, and a no-op (under a second) otherwise.
index: $(VENV)/.installed-run
	$(BIN)/defnews index $(ARTICLES) --index $(INDEX) --rebuild-if-outdated

rebuild: $(VENV)/.installed-run
	$(BIN)/defnews index $(ARTICLES) --index $(INDEX) --rebuild

# Serve the web UI on http://127.0.0.1:8000 (Ctrl-C stops it).
run: $(VENV)/.installed-run index
	$(BIN)/defnews serve --host 127.0.0.1 --port 8000 --index $(INDEX)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[bench]'
	touch $@

# Speed and memory at 10k and 100k documents, with SQLite FTS5 and tantivy.
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py --docs 10000,100000 --peers
	$(BIN)/python bench/entity_cost.py --docs 100000 --rounds 2

# Quality figures: company detection precision/recall; search quality on the
# judged queries against two baselines; the TIME collection beside SQLite
# FTS5; near-copy collapse with syndicated copies; Ukrainian lemma accuracy
# and lemma-query recall on BRUK; names outside the dictionary across their
# case forms.
eval: $(VENV)/.installed-run
	$(BIN)/python bench/company_eval.py
	$(BIN)/python bench/system_eval.py
	$(BIN)/python bench/search_eval.py
	$(BIN)/python bench/time_eval.py
	$(BIN)/python bench/syndication_eval.py
	$(BIN)/python bench/lemma_accuracy.py
	$(BIN)/python bench/lemma_recall.py
	$(BIN)/python bench/name_eval.py --baseline

clean:
	rm -rf $(VENV) $(INDEX) .pytest_cache
