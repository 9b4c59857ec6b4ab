# The two set-up commands of the README:
#   make run   - install everything into .venv and start the chat page on http://127.0.0.1:8501
#   make test  - install everything (plus Chromium for the browser test) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8501
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint eval bench index browser clean fuzz stress

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/streamlit run ui/app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false --runner.magicEnabled false

# Debian's Chromium drives the browser test (a test tool's own browser download is not possible here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check qa ui tests
	$(BIN)/ruff format --check qa ui tests

index: install
	$(BIN)/qa index

eval: install
	$(BIN)/qa eval --retriever all --report eval-report.md

bench: install
	$(BIN)/qa bench

# The long robustness runs quoted in the README (CI runs short versions in the tests).
fuzz: install
	$(BIN)/qa bench --fuzz 10000

stress: install
	$(BIN)/qa bench --stress 120

clean:
	rm -rf $(VENV) index/build-* index/manifest.json index/.lock
