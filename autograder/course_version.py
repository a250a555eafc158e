"""The course version a grader runs: what must be identical on every machine that grades.

A Dask worker grades from its own checkout (cluster_worker.py), so before it
grades anything it compares its version with the client's and refuses,
naming what differs, when they are not the same. The version is every file
of the assignment's folder (notebook, course_checks/, grading/ with
references.json and its manifest), every file of the grader itself
(autograder/), the lock, and the installed packages.
"""
import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

from . import REPO_ROOT

SHOWN_DIFFERENCES = 5


def _file_digests(root, folder):
    """{path relative to root: sha256} of every file under folder, caches left out."""
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(Path(folder).rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}


def course_version(course_root, assignment):
    """{what: sha256 or version}: the assignment's files, the grader's, the lock, Python and each package."""
    course_root = Path(course_root)
    version = {f"course {name}": digest for name, digest in
               _file_digests(course_root, course_root / "solutions" / assignment).items()}
    version.update(_file_digests(REPO_ROOT, REPO_ROOT / "autograder"))
    lock = REPO_ROOT / "requirements.lock"
    version["requirements.lock"] = hashlib.sha256(lock.read_bytes()).hexdigest() if lock.is_file() else "none"
    version["python"] = sys.version.split()[0]
    for distribution in metadata.distributions():
        version[f"package {distribution.metadata['Name'].lower()}"] = distribution.version
    return version


def fingerprint(version):
    """One sha256 for a whole course_version() dict."""
    return hashlib.sha256(json.dumps(version, sort_keys=True).encode()).hexdigest()


def differences(expected, found):
    """What differs between the client's version and a worker's, in words; "" if nothing does."""
    names = sorted(set(expected) | set(found))
    lines = []
    for name in names:
        if name not in found:
            lines.append(f"{name} is missing")
        elif name not in expected:
            lines.append(f"{name} is extra")
        elif expected[name] != found[name]:
            lines.append(f"{name} differs")
    shown = ", ".join(lines[:SHOWN_DIFFERENCES])
    more = len(lines) - SHOWN_DIFFERENCES
    return shown + (f" and {more} more" if more > 0 else "")
