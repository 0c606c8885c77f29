# The two set-up commands of the book. Both create .venv on first use and install the
# pinned stack from constraints.txt, so a fresh clone needs nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.reprobook-installed

.PHONY: book test unit notebooks clean

book: $(STAMP)
	@echo "==> building the book in _build/html (notebooks run in the 'book' profile; unchanged ones come from the execution cache)"
	$(BIN)/jupyter-book build . --builder html
	@echo "==> done: open _build/html/index.html"

test: unit notebooks

unit: $(STAMP)
	@echo "==> unit tests"
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	@echo "==> every notebook of the book through nbmake in the 'smoke' profile"
	REPROBOOK_PROFILE=smoke $(BIN)/python -m pytest --nbmake --nbmake-timeout=900 book

$(STAMP): pyproject.toml constraints.txt
	@echo "==> setting up $(VENV) (first run: a few minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[ml,book,test]"
	@touch $(STAMP)
	@echo "==> $(VENV) is ready"

clean:
	rm -rf _build runs
