"""Generate the hidden reference cases of every assignment: `make references`.

Each assignment that has hidden cases keeps their builder in
solutions/<assignment>/grading/cases.py: a `build_cases()` returning a list
of cases (the function called, its arguments, the expected result), computed
by PyTorch's own operators from fixed seeds. This writes, beside it,
references.json (the cases) and manifest.json (its SHA-256, which the
checks verify before use). Output is deterministic (fixed seeds, sorted keys,
exact float reprs), so a rerun on an unchanged tree changes nothing.

    python -m autograder.references           # rewrite the files
    python -m autograder.references --check   # exit 1 if the files drift
"""
import argparse
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

from . import SOLUTIONS_DIR
from .assignments import assignment_names

BUILDER = "cases.py"
REFERENCES = "references.json"
MANIFEST = "manifest.json"


def grading_dir(assignment, solutions_dir=SOLUTIONS_DIR):
    return Path(solutions_dir) / assignment / "grading"


def assignments_with_cases(solutions_dir=SOLUTIONS_DIR):
    return [name for name in assignment_names(solutions_dir) if (grading_dir(name, solutions_dir) / BUILDER).is_file()]


def build_cases(assignment, solutions_dir=SOLUTIONS_DIR):
    """Run the assignment's builder, with its folder importable (the builder uses its checking tools)."""
    folder = Path(solutions_dir) / assignment
    spec = importlib.util.spec_from_file_location(f"_cases_{assignment}", folder / "grading" / BUILDER)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(folder))  # the builder imports course_checks from there, as the notebook does
    try:
        spec.loader.exec_module(module)
        return module.build_cases()
    finally:
        sys.path.remove(str(folder))


def reference_files(assignment, solutions_dir=SOLUTIONS_DIR):
    """{file name: bytes} of an assignment's reference file and its manifest."""
    document = {"assignment": assignment, "cases": build_cases(assignment, solutions_dir)}
    data = (json.dumps(document, sort_keys=True, indent=1) + "\n").encode()
    manifest = (json.dumps({REFERENCES: hashlib.sha256(data).hexdigest()}, indent=2) + "\n").encode()
    return {REFERENCES: data, MANIFEST: manifest}


def drifted_files(solutions_dir=SOLUTIONS_DIR):
    """Paths (relative to the course) of reference files that differ from a fresh generation."""
    drifted = []
    for assignment in assignments_with_cases(solutions_dir):
        folder = grading_dir(assignment, solutions_dir)
        for name, data in reference_files(assignment, solutions_dir).items():
            if not (folder / name).is_file() or (folder / name).read_bytes() != data:
                drifted.append(f"solutions/{assignment}/grading/{name}")
    return drifted


def write_references(solutions_dir=SOLUTIONS_DIR):
    for assignment in assignments_with_cases(solutions_dir):
        for name, data in reference_files(assignment, solutions_dir).items():
            (grading_dir(assignment, solutions_dir) / name).write_bytes(data)
        print(f"wrote solutions/{assignment}/grading/{REFERENCES}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.references", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that drift; exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        drifted = drifted_files()
        for path in drifted:
            print(f"drifted: {path} (run `make references`)", file=sys.stderr)
        return 1 if drifted else 0
    write_references()
    return 0


if __name__ == "__main__":
    sys.exit(main())
