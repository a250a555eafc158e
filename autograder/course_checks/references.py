"""The hidden cases of an assignment: found, checked against their SHA-256, loaded.

They live in solutions/<assignment>/grading/, which nbgrader never releases.
At grading time the grader loads them itself (in its own process); in a
notebook they are found by walking up from the working folder, which is how
plain `nbgrader autograde`, running inside the course, reaches them.
"""
import hashlib
import json
import os
import pathlib

FILE_NAME = "references.json"
MANIFEST = "manifest.json"


def find_references(assignment, start=None):
    """Path of the assignment's reference file: $COURSE_REFERENCES_DIR, or the course above the cwd."""
    folder = os.environ.get("COURSE_REFERENCES_DIR")
    if folder:
        return pathlib.Path(folder) / FILE_NAME
    here = pathlib.Path(start or pathlib.Path.cwd()).resolve()
    for parent in [here, *here.parents]:
        candidate = parent / "solutions" / assignment / "grading" / FILE_NAME
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"No solutions/{assignment}/grading/{FILE_NAME} in {here} or any folder above it; "
        "set COURSE_REFERENCES_DIR to the folder that holds it."
    )


def load_references(path):
    """The reference document at path, after checking it against the manifest beside it."""
    path = pathlib.Path(path)
    data = path.read_bytes()
    manifest = json.loads((path.parent / MANIFEST).read_text())
    if hashlib.sha256(data).hexdigest() != manifest.get(path.name):
        raise RuntimeError(f"{path} does not match the SHA-256 in {path.parent / MANIFEST}")
    return json.loads(data)
