# The course's commands. `make book` and `make test` set everything up themselves.
SHELL := bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(VENV)/bin/python
UV := $(VENV)/bin/uv
LOCK := requirements.lock
# The marker's name carries the lock's content hash, so .venv counts as up to
# date exactly when it was installed from this lock; file times, which a clone
# or a checkout resets, play no part.
COURSE_LIBRARY := book/course_library
INSTALLED := $(VENV)/.installed-$(shell cat $(LOCK) $(COURSE_LIBRARY)/pyproject.toml | sha256sum | cut -c1-16)
# nbgrader shells out to alembic, so the venv's tools must come first on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# torch's CPU build: the local wheel folder on the course machines, else
# PyTorch's CPU page (PyPI only has the multi-GB CUDA build).
TORCH_WHEELS := $(or $(wildcard /opt/wheels),https://download.pytorch.org/whl/cpu/torch/)
# --no-config: only this Makefile decides where packages come from. uv keeps
# every wheel it fetched in its cache (~/.cache/uv), so a second clone
# downloads nothing.
UV_SOURCES := --no-config --find-links $(TORCH_WHEELS)

# Debian packages each target needs; .ci/system-packages says why, and
# installs the missing ones (or stops with the command to run).
TEST_PACKAGES := chromium libatomic1 postgresql bubblewrap
GRADE_PACKAGES := bubblewrap

.PHONY: help setup lock test-packages grade-packages book site serve test assignments references grade bench bench-cluster clean

help:
	@echo "make book         set up .venv, execute every chapter, build the site into _build/html"
	@echo "make site         build the publishable site: the folder _build/html, as is"
	@echo "make test         install the Debian packages the tests need, set up .venv, build the book, run the whole test suite"
	@echo "make serve        serve the built site on http://127.0.0.1:8000"
	@echo "make assignments  regenerate exercises/ from solutions/ with nbgrader"
	@echo "make references   regenerate the hidden tests' reference tensors in autograder/references/"
	@echo "make grade ASSIGNMENT=pool2d SUBMISSIONS=dir [OUT=grading/pool2d]  grade a class"
	@echo "make bench        time the grader against plain sequential nbgrader autograde"
	@echo "make bench-cluster  time grading on a local Dask cluster of two workers against --jobs 2"
	@echo "make publish-student  write the students' public repository (no solutions/) into _build/student-repo"
	@echo "make lock         resolve requirements.txt again into requirements.lock"
	@echo "make clean        remove build output (keeps .venv)"

setup: $(INSTALLED)

# uv, pinned and hashed in the lock like every other package, is installed
# first with the venv's own pip; uv then installs the rest.
$(UV):
	test -x $(PYTHON) || python3.11 -m venv $(VENV) || { \
	  echo "Could not create $(VENV) with python3.11: install Python 3.11 and its venv module (Debian: apt-get install python3.11-venv)." >&2; exit 1; }
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
	  -r <(awk '/^uv==/ {keep = 1; print; next} keep && /^ / {print; next} {keep = 0}' $(LOCK))

# sync, not install: a package the lock no longer names is removed. Then the
# course library (book/course_library), editable: chapters and tests import it
# by name, and see an edit at once. --no-build-isolation builds it with the
# locked setuptools already in .venv, so it needs no index and no other version.
# --compile-bytecode, as pip does: a process that cannot write __pycache__
# (PYTHONDONTWRITEBYTECODE, a read-only sandbox) would otherwise compile torch
# from source every time it starts, and grading cells time out.
$(INSTALLED): | $(UV)
	$(UV) pip sync --quiet --compile-bytecode --python $(PYTHON) --require-hashes $(UV_SOURCES) $(LOCK)
	$(UV) pip install --quiet --python $(PYTHON) --no-config --offline --no-deps --no-build-isolation --editable $(COURSE_LIBRARY)
	rm -f $(VENV)/.installed-*
	touch $@

# Pins already in the lock are kept unless requirements.txt moves them. The
# header line records which requirements.txt the lock was made from, so a
# test can tell when the two disagree.
lock: | $(UV)
	$(UV) pip compile requirements.txt --output-file $(LOCK) --generate-hashes --quiet \
	  --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	  --custom-compile-command "make lock" $(UV_SOURCES)
	sed -i "2a # from requirements.txt with sha256 $$(sha256sum requirements.txt | cut -d' ' -f1)" $(LOCK)

test-packages:
	.ci/system-packages $(TEST_PACKAGES)

grade-packages:
	.ci/system-packages $(GRADE_PACKAGES)

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

# The system packages come first, so that set-up stops before the long build
# when they cannot be installed.
test: test-packages book
	$(PYTHON) -m pytest tests --durations=15

assignments: $(INSTALLED)
	$(PYTHON) -m autograder release

OUT ?= grading/$(ASSIGNMENT)
grade: grade-packages $(INSTALLED)
	@test -n "$(ASSIGNMENT)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade ASSIGNMENT=pool2d SUBMISSIONS=path/to/submissions [OUT=dir]"; exit 2; }
	$(PYTHON) -m autograder grade $(ASSIGNMENT) $(SUBMISSIONS) --out $(OUT)

bench: grade-packages $(INSTALLED)
	$(PYTHON) -m autograder bench

bench-cluster: grade-packages $(INSTALLED)
	$(PYTHON) -m autograder bench-cluster

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
