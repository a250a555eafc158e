"""What must never reach students, read from the instructors' solutions/.

Three kinds of secret, which leak_scan.py looks for in whatever we publish:

* lines: each line between `### BEGIN SOLUTION` and `### END SOLUTION`, or
  between the hidden-test markers, of an instructors' notebook, and each line
  of the Python files in `solutions/<assignment>/grading/` (the hidden cases'
  builder and the answer scenarios, many of them correct answers);
* values: the exact repr of each float of `grading/references.json`, the
  hidden inputs and their expected results, its sign left out;
* files: the bytes of each file under `grading/`.

A line is no secret when it is too short to give anything away (`return Y`),
when nbgrader releases it anyway (the same text stands outside the markers of
an instructors' notebook, or in another file of the assignment's folder, such
as the checking tools), or when `solutions/taught_in_the_book.txt` lists it:
a line that a chapter also shows, on purpose.
A float is no secret when its repr is too short to be told from a chance
match (`0.5`).
"""
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .assignment_source import HIDDEN_BEGIN, HIDDEN_END
from .assignments import assignment_names

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
MARKERS = {SOLUTION_BEGIN: ("solution", SOLUTION_END), HIDDEN_BEGIN: ("hidden test", HIDDEN_END)}
# Shorter lines ("return Y", "sizes = []") occur in any code about pooling.
MIN_LINE_CHARS = 16
# Values drawn by randn have 8 to 17 significant digits; a shorter repr
# (0.5, 2.25) turns up by chance in any text.
MIN_VALUE_DIGITS = 8
TAUGHT_IN_THE_BOOK = "taught_in_the_book.txt"
SKIPPED = ("__pycache__", ".ipynb_checkpoints")


@dataclass
class Secrets:
    """What to look for; each dict maps a secret to where it comes from, for the report.

    lines: stripped line -> "solutions/pool2d/pool2d.ipynb, solution in cell pool2d"
    values: repr of a hidden float, unsigned ("0.8073082566261292") -> "solutions/pool2d/grading/references.json"
    files: sha256 of a grading file -> its path
    """

    lines: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)


def marked_lines(source):
    """(kind, line) for each line of a cell's source; kind is "solution",
    "hidden test" or "released" (outside any marker); marker lines are left out."""
    closing = None
    for line in source.splitlines():
        stripped = line.strip()
        begins = next((marker for marker in MARKERS if stripped.startswith(marker)), None)
        if begins:
            kind, closing = MARKERS[begins]
        elif closing and stripped.startswith(closing):
            closing = None
        else:
            yield (kind if closing else "released"), line


def significant_digits(text):
    """How many significant digits a float's repr has: 3 for "-2.25", 4 for "1.234e-05"."""
    mantissa = re.split(r"[eE]", text)[0]
    return len(re.sub(r"\D", "", mantissa).lstrip("0"))


def floats_in(document):
    """Every float (never an int or a bool) anywhere in a JSON document."""
    if isinstance(document, float):
        yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from floats_in(value)
    elif isinstance(document, list):
        for value in document:
            yield from floats_in(value)


def assignment_files(folder):
    """Every file of an assignment's folder, caches left out, sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not any(s in p.parts for s in SKIPPED))


def taught_lines(solutions_dir):
    """The lines solutions/taught_in_the_book.txt lets through (comments and blank lines left out)."""
    path = Path(solutions_dir) / TAUGHT_IN_THE_BOOK
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}


def assignment_secrets(folder, course_dir, taught, secrets):
    """Add one assignment's secrets (solutions/<assignment>/) to `secrets`."""
    grading = folder / "grading"
    candidates = {}
    released = []
    for notebook in sorted(folder.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for number, cell in enumerate(cells, 1):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell_name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", f"#{number}")
            for kind, line in marked_lines(source):
                if kind == "released":
                    released.append(line)
                else:
                    where = f"{notebook.relative_to(course_dir)}, {kind} in cell {cell_name}"
                    candidates.setdefault(line.strip(), where)
    for path in assignment_files(folder):
        relative = path.relative_to(course_dir).as_posix()
        if grading in path.parents:
            if path.stat().st_size:
                secrets.files[hashlib.sha256(path.read_bytes()).hexdigest()] = relative
            if path.suffix == ".py":
                for line in path.read_text(encoding="utf-8").splitlines():
                    candidates.setdefault(line.strip(), relative)
        elif path.suffix != ".ipynb":
            released.append(path.read_text(encoding="utf-8", errors="replace"))
    released_text = "\n".join(released)
    for line, where in candidates.items():
        if len(line) >= MIN_LINE_CHARS and line not in released_text and line not in taught:
            secrets.lines.setdefault(line, where)
    references = grading / "references.json"
    if references.is_file():
        for value in floats_in(json.loads(references.read_text(encoding="utf-8"))):
            unsigned = repr(value).lstrip("-")
            if significant_digits(unsigned) >= MIN_VALUE_DIGITS:
                secrets.values.setdefault(unsigned, references.relative_to(course_dir).as_posix())


def course_secrets(course_dir):
    """The Secrets of every assignment of the course in `course_dir` (its solutions/ folder)."""
    course_dir = Path(course_dir)
    secrets = Secrets()
    taught = taught_lines(course_dir / "solutions")
    for name in assignment_names(course_dir / "solutions"):
        assignment_secrets(course_dir / "solutions" / name, course_dir, taught, secrets)
    return secrets
