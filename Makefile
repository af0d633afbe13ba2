# The course's commands. Each target creates or reuses .venv, installed from requirements.txt.
# Run `make help` for the list.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MATHJAX := _vendor/mathjax/tex-chtml.js
PORT ?= 8000
# Fixed thread counts: the labs' numbers must not depend on the machine's core count.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYTHONHASHSEED := 0

.PHONY: help install book pdf test run-lab lab serve bench external-links exam lint-questions clean
SEED ?= 1

help:
	@echo "make book   build the site into _build/html (creates .venv on first use)"
	@echo "make pdf    build the whole course as one PDF into _build/latex (needs TeX; see CONTRIBUTING.md)"
	@echo "make test   run every test: labkit, datasets, book build, nbval on every lab"
	@echo "make lab    open JupyterLab on the labs"
	@echo "make run-lab LAB=labs/NN-slug.ipynb   re-execute one lab in place (stores its outputs)"
	@echo "make serve  serve the built site on http://127.0.0.1:$(PORT)"
	@echo "make bench  time the install, the builds, the PDF and the lab runs; weigh and time the exam page"
	@echo "            (BENCH_ARGS=--reuse-install keeps the last run's install times)"
	@echo "make exam SEED=7   print mock exam 7 (also: .venv/bin/python -m labkit.exam {print,template,grade} --help)"
	@echo "make lint-questions   the question bank's quality lint: answer cues, near-duplicates, missing docs"
	@echo "make external-links  list the site's links to other hosts (for a manual check; CI has no internet)"
	@echo "make binder-requirements   regenerate binder/requirements.txt (Binder's pins) from requirements.txt"
	@echo "make clean  remove _build, _vendor and _generated (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP) $(MATHJAX)

$(MATHJAX): | $(STAMP)
	$(BIN)/python tools/vendor_mathjax.py

book: install
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The site is built. Open file://$(CURDIR)/_build/html/index.html or run 'make serve'."

pdf: install
	$(BIN)/python tools/pdf.py

test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile

run-lab: install
	@test -n "$(LAB)" || { echo 'Usage: make run-lab LAB=labs/NN-slug.ipynb'; exit 1; }
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace $(LAB)

lab: install
	$(BIN)/jupyter lab labs/

serve:
	@test -f _build/html/index.html || { echo "No site yet: run 'make book' first."; exit 1; }
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

bench: install
	$(BIN)/python tools/bench.py $(BENCH_ARGS)

exam: install
	$(BIN)/python -m labkit.exam print --seed $(SEED)

lint-questions: install
	$(BIN)/python -m labkit.questions stats

external-links: book
	$(BIN)/python tools/sitecheck.py external

.PHONY: binder-requirements
binder-requirements: install
	$(BIN)/python tools/binder_requirements.py

clean:
	rm -rf _build _vendor _generated
