"""Find each student's notebook in a submissions folder, whatever its layout.

Three layouts are understood, and may be mixed in one folder:

- nbgrader's: `<student_id>/<assignment>/<notebook>.ipynb`
- a flat LMS download: `<student_id>_<anything>.ipynb`
- one archive per student: `<student_id>.zip` with the notebook anywhere inside

A student's notebook need not carry the assignment's exact file name
(`pool2d (1).ipynb`, `Copy of pool2d.ipynb`): a notebook under another name
is used when it carries this assignment's cells (their nbgrader ids) and it
is the student's only such notebook, or the only one whose name contains the
expected name. A notebook of another assignment is never taken for this one.
Anything else becomes a `missing` or `invalid-notebook` submission with a
message, never an exception.
"""
import json
import hashlib
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.utils import parse_utc

from .assignment_source import GradingSetupError


@dataclass
class Submission:
    """One student's submission; `data` is None when `status` says why it cannot run.

    submitted_at: when it was handed in (UTC), and submitted_at_from: how we know
    ("timestamp.txt", nbgrader's record; "file name", an LMS's; "file time", the
    file's own, the last resort). folder: nbgrader's <student>/<assignment>/
    folder it came from, if it came from one.
    """

    student_id: str
    origin: str
    notebook_name: str = ""
    data: bytes = None
    status: str = "ok"
    message: str = ""
    submitted_at: datetime = None
    submitted_at_from: str = ""
    folder: Path = None

    @property
    def digest(self):
        """What identifies this exact submission, so an unchanged one is not graded again."""
        content = self.data if self.data is not None else f"{self.status}:{self.message}".encode()
        return hashlib.sha256(content).hexdigest()


@dataclass
class Candidate:
    name: str
    read: object  # () -> bytes
    time: datetime = None  # when it was handed in, UTC
    time_from: str = ""
    folder: Path = None

    def carries(self, cell_ids):
        """Does the notebook hold a cell of this assignment? A file that cannot be read might: yes."""
        try:
            raw = json.loads(self.read())
            cells = raw["cells"] if "cells" in raw else [c for w in raw["worksheets"] for c in w["cells"]]
            return any(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in cell_ids for cell in cells)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return True


def normalise(name):
    return re.sub(r"[^a-z0-9]", "", Path(name).stem.lower())


def choose(candidates, expected_stem, cell_ids):
    """The one candidate meant as the assignment's notebook, or (None, reason)."""
    exact = [c for c in candidates if Path(c.name).stem == expected_stem]
    if len(exact) == 1:
        return exact[0], ""
    carrying = [c for c in candidates if c.carries(cell_ids)]
    if len(carrying) == 1:
        return carrying[0], ""
    close = [c for c in carrying if normalise(expected_stem) in normalise(c.name)]
    if len(close) == 1:
        return close[0], ""
    if not candidates:
        return None, "no notebook submitted"
    if not carrying:
        names = ", ".join(sorted(c.name for c in candidates))
        return None, f"no notebook of this assignment submitted ({names} holds another assignment's cells)"
    names = ", ".join(sorted(c.name for c in carrying))
    return None, f"ambiguous: several notebooks could be {expected_stem}.ipynb ({names})"


def _file_time(path):
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


def _file_candidate(path, label=None, folder=None):
    """A notebook file; its time is nbgrader's timestamp.txt beside it, else the file's own."""
    stamp = path.parent / "timestamp.txt"
    try:
        time = parse_utc(stamp.read_text().strip()).replace(tzinfo=timezone.utc)  # parse_utc gives naive UTC
        return Candidate(label or path.name, path.read_bytes, time, "timestamp.txt", folder)
    except (OSError, ValueError):
        return Candidate(label or path.name, path.read_bytes, _file_time(path), "file time", folder)


def _zip_candidates(path):
    """Notebooks inside a zip; raises zipfile.BadZipFile for a broken archive."""
    with zipfile.ZipFile(path) as archive:
        members = {
            info.filename: datetime(*info.date_time).astimezone(timezone.utc) for info in archive.infolist()
            if info.filename.endswith(".ipynb") and "__MACOSX" not in info.filename
            and ".ipynb_checkpoints" not in info.filename
        }

    def reader(member):
        def read():
            with zipfile.ZipFile(path) as archive:
                return archive.read(member)
        return read

    return [Candidate(name, reader(name), time, "file time") for name, time in members.items()]


def _notebooks_in(folder):
    return [p for p in sorted(folder.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]


def discover(submissions_dir, assignment, notebook_stem, cell_ids):
    """One Submission per student found in submissions_dir, sorted by student id.

    cell_ids: the nbgrader ids of the assignment's cells, which tell its notebooks from others.

    Raises GradingSetupError when the folder itself cannot be read.
    """
    root = Path(submissions_dir)
    if not root.is_dir():
        raise GradingSetupError(f"submissions folder {root} does not exist or is not a folder")
    try:
        entries = sorted(root.iterdir())
    except OSError as error:
        raise GradingSetupError(f"cannot read submissions folder {root}: {error.strerror}")

    found = {}  # student_id -> [Candidate]
    origins = {}
    broken = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            student = entry.name
            folder = entry / assignment
            notebooks = _notebooks_in(folder) if folder.is_dir() else _notebooks_in(entry)
            found.setdefault(student, []).extend(
                _file_candidate(p, str(p.relative_to(entry)), folder if folder.is_dir() else None) for p in notebooks
            )
            origins.setdefault(student, str(entry))
        elif entry.suffix == ".zip":
            student = entry.stem
            origins.setdefault(student, str(entry))
            try:
                found.setdefault(student, []).extend(_zip_candidates(entry))
            except (zipfile.BadZipFile, OSError) as error:
                found.setdefault(student, [])
                broken[student] = f"{entry.name} is not a readable zip archive ({error})"
        elif entry.suffix == ".ipynb" and "_" in entry.stem:
            student = entry.stem.split("_", 1)[0]
            origins.setdefault(student, str(entry))
            found.setdefault(student, []).append(_file_candidate(entry))

    submissions = []
    for student in sorted(found):
        origin = origins[student]
        if student in broken:
            submissions.append(Submission(student, origin, status="invalid-notebook", message=broken[student]))
            continue
        chosen, reason = choose(found[student], notebook_stem, cell_ids)
        if chosen is None:
            where = "in the zip" if origin.endswith(".zip") else f"for {assignment}"
            submissions.append(Submission(student, origin, status="missing", message=f"{reason} {where}"))
            continue
        try:
            data = chosen.read()
        except OSError as error:
            submissions.append(Submission(student, origin, status="invalid-notebook",
                                          message=f"cannot read {chosen.name}: {error}"))
            continue
        submissions.append(Submission(student, origin, notebook_name=Path(chosen.name).name, data=data,
                                      submitted_at=chosen.time, submitted_at_from=chosen.time_from,
                                      folder=chosen.folder))
    return submissions
