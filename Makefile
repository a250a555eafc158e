# The course's commands. `make book` and `make test` set everything up themselves.
SHELL := bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# nbgrader shells out to alembic, so the venv's tools must come first on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# pip finds the CPU build of torch here on the course machines (ignored if absent).
WHEELS := /opt/wheels
LOCAL_WHEELS_FLAG := $(if $(wildcard $(WHEELS)),--find-links $(WHEELS))

.PHONY: help setup book site serve test assignments references grade bench clean

help:
	@echo "make book         set up .venv, execute every chapter, build the site into _build/html"
	@echo "make site         build the publishable site: the folder _build/html, as is"
	@echo "make test         set up .venv, build the book, run the whole test suite"
	@echo "make serve        serve the built site on http://127.0.0.1:8000"
	@echo "make assignments  regenerate exercises/ from solutions/ with nbgrader"
	@echo "make references   regenerate the hidden tests' reference tensors in autograder/references/"
	@echo "make grade ASSIGNMENT=pool2d SUBMISSIONS=dir [OUT=grading/pool2d]  grade a class"
	@echo "make bench        time the grader against plain sequential nbgrader autograde"
	@echo "make publish-student  write the students' public repository (no solutions/) into _build/student-repo"
	@echo "make clean        remove build output (keeps .venv)"

setup: $(INSTALLED)

$(INSTALLED): requirements.txt
	test -x $(PYTHON) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check $(LOCAL_WHEELS_FLAG) -r requirements.txt
	touch $@

# Cells are executed through jupyter-cache, so an unchanged chapter is not run again.
# -W turns every Sphinx warning into an error; the log is kept for the tests.
# The chapters' kernels run PyTorch on one thread. Their tensors are tiny, and
# some CPU kernels (F.avg_pool2d among them) hand even a 4×4 map to the thread
# pool; on a busy 2-core machine that made such calls a thousand times slower
# and the training chapters five times slower than on one thread.
book: $(INSTALLED)
	mkdir -p _build
	OMP_NUM_THREADS=1 jupyter-book build . --warningiserror --nitpick --keep-going 2>&1 | tee _build/book.log

# The site is _build/html itself: every link in it is relative, and it loads
# nothing from elsewhere (MathJax is served from _static/), so the folder is
# published as is. colab/ in it holds the notebooks the Colab buttons open, and
# .nojekyll lets GitHub Pages serve the folders whose names start with "_".
site: book
	@echo "The site is in _build/html: publish that folder as is."

serve: book
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

test: book
	$(PYTHON) -m pytest tests

assignments: $(INSTALLED)
	$(PYTHON) -m autograder release

OUT ?= grading/$(ASSIGNMENT)
grade: $(INSTALLED)
	@test -n "$(ASSIGNMENT)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade ASSIGNMENT=pool2d SUBMISSIONS=path/to/submissions [OUT=dir]"; exit 2; }
	$(PYTHON) -m autograder grade $(ASSIGNMENT) $(SUBMISSIONS) --out $(OUT)

bench: $(INSTALLED)
	$(PYTHON) -m autograder bench

references: $(INSTALLED)
	$(PYTHON) -m autograder.references

# The public repository the site's links open, made from this private one
# without solutions/ (autograder/publish.py); it prints the command that pushes it.
.PHONY: publish-student
publish-student: $(INSTALLED)
	$(PYTHON) -m autograder publish-student --out _build/student-repo

clean:
	rm -rf _build
	find book -name '*.ipynb' -delete
