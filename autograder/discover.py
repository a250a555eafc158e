"""Find each student's notebook in a submissions folder, whatever its layout.

Three layouts are understood, and may be mixed in one folder:

- nbgrader's: `<student_id>/<assignment>/<notebook>.ipynb`
- a flat LMS download: `<student_id>_<anything>.ipynb`, or the names Canvas,
  Moodle and Blackboard give their downloads (lms_names.py), files or folders
- one archive per student: `<student_id>.zip` with the notebook anywhere inside

Who a student is comes from a roster when one is given (roster.py), else
from the names; two people are never merged into one.

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
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.utils import parse_utc

from .assignment_source import GradingSetupError
from .lms_names import LmsEntry, parse_lms_name


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
    notes: list = field(default_factory=list)
    late_mark: bool = False  # the LMS marked it late

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


def _when(candidate):
    return candidate.time.strftime("%Y-%m-%d %H:%M UTC") if candidate.time else "time unknown"


def choose(candidates, expected_stem, cell_ids):
    """(the candidate meant as the assignment's notebook, a note) or (None, why not).

    Of the notebooks that carry this assignment's cells (or bear its name), the
    newest wins, with a note naming the others; between notebooks of the same
    time, the one with the assignment's name, then the one whose name contains it.
    """
    if not candidates:
        return None, "no notebook submitted"
    carrying = [c for c in candidates if Path(c.name).stem == expected_stem or c.carries(cell_ids)]
    if not carrying:
        names = ", ".join(sorted(c.name for c in candidates))
        return None, f"no notebook of this assignment submitted ({names} holds another assignment's cells)"
    if len(carrying) == 1:
        return carrying[0], ""
    newest_time = max((c.time for c in carrying if c.time), default=None)
    newest = [c for c in carrying if c.time == newest_time] if newest_time else carrying
    chosen = None
    for rule in (lambda c: True, lambda c: Path(c.name).stem == expected_stem,
                 lambda c: normalise(expected_stem) in normalise(c.name)):
        matching = [c for c in newest if rule(c)]
        if len(matching) == 1:
            chosen = matching[0]
            break
    if chosen is None:
        names = ", ".join(sorted(c.name for c in newest))
        return None, f"ambiguous: several notebooks could be {expected_stem}.ipynb ({names})"
    others = "; ".join(f"{c.name} ({_when(c)})" for c in sorted(carrying, key=lambda c: c.name) if c is not chosen)
    return chosen, f"graded the newest notebook, {chosen.name} ({_when(chosen)}), not {others}"


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


@dataclass
class Handed:
    """What one entry of the submissions folder holds: whose (an LmsEntry), its notebooks, where from."""

    entry: LmsEntry
    candidates: list
    origin: str
    broken: str = ""


def _entries(root, assignment):
    """A Handed for each file or folder of the submissions folder that can be a submission."""
    for path in sorted(root.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            entry = parse_lms_name(path.name)
            entry = entry if entry is not None and entry.lms else LmsEntry(path.name)
            folder = path / assignment
            notebooks = _notebooks_in(folder) if folder.is_dir() else _notebooks_in(path)
            candidates = [_file_candidate(p, str(p.relative_to(path)), folder if folder.is_dir() else None)
                          for p in notebooks]
            yield Handed(entry, candidates, str(path))
        elif path.suffix == ".zip":
            entry = parse_lms_name(path.stem)
            entry = entry if entry is not None and entry.lms else LmsEntry(path.stem)
            try:
                yield Handed(entry, _zip_candidates(path), str(path))
            except (zipfile.BadZipFile, OSError) as error:
                yield Handed(entry, [], str(path), f"{path.name} is not a readable zip archive ({error})")
        elif path.suffix == ".ipynb" and "_" in path.stem:
            entry = parse_lms_name(path.stem)
            candidate = _file_candidate(path)
            if entry.time is not None:  # the LMS's record of when, not the file's
                candidate.time, candidate.time_from = entry.time, "file name"
            yield Handed(entry, [candidate], str(path))


def _student_ids(handed, roster):
    """{id(handed): (student_id, problem or "")}: the roster's ids, else the entries' keys, never merging two people.

    Entries with the same LMS ids (or the same key and no ids) are one person
    handing in several files. Different people whose keys coincide (two
    students called John Smith) are told apart by their LMS ids.
    """
    ids = {}
    people = {}
    for item in handed:
        if roster is not None:
            row, problem = roster.find(item.entry)
            if row is not None:
                ids[id(item)] = (row["student_id"], "")
                continue
            person = (item.entry.key, tuple(sorted(item.entry.ids.items())))
            ids[id(item)] = (None, problem)
            people.setdefault(item.entry.key, set()).add(person)
            continue
        person = (item.entry.key, tuple(sorted(item.entry.ids.items())))
        people.setdefault(item.entry.key, set()).add(person)
        ids[id(item)] = (None, "")
    for item in handed:
        student, problem = ids[id(item)]
        if student is None:
            shared = len(people[item.entry.key]) > 1
            suffix = "-".join(v for _, v in sorted(item.entry.ids.items())) if shared else ""
            student = f"{item.entry.key}-{suffix}" if suffix else item.entry.key
            ids[id(item)] = (student, problem)
    return ids


def discover(submissions_dir, assignment, notebook_stem, cell_ids, roster=None):
    """One Submission per student found in submissions_dir, sorted by student id.

    cell_ids: the nbgrader ids of the assignment's cells, which tell its notebooks from others.
    roster: a Roster, to name students by their course ids (roster.py); entries it cannot
    place get the status unknown-student.

    Raises GradingSetupError when the folder itself cannot be read.
    """
    root = Path(submissions_dir)
    if not root.is_dir():
        raise GradingSetupError(f"submissions folder {root} does not exist or is not a folder")
    try:
        handed = list(_entries(root, assignment))
    except OSError as error:
        raise GradingSetupError(f"cannot read submissions folder {root}: {error.strerror}")

    ids = _student_ids(handed, roster)
    by_student = {}
    for item in handed:
        by_student.setdefault(ids[id(item)][0], []).append(item)
    submissions = []
    for student in sorted(by_student):
        items = by_student[student]
        origin = items[0].origin
        unknown = next((ids[id(item)][1] for item in items if ids[id(item)][1]), "")
        late = any(item.entry.late for item in items)
        if unknown:
            submissions.append(Submission(student, origin, status="unknown-student", message=unknown, late_mark=late))
            continue
        broken = next((item.broken for item in items if item.broken), "")
        if broken:
            submissions.append(Submission(student, origin, status="invalid-notebook", message=broken, late_mark=late))
            continue
        candidates = [c for item in items for c in item.candidates]
        chosen, note = choose(candidates, notebook_stem, cell_ids)
        if chosen is None:
            where = "in the zip" if origin.endswith(".zip") else f"for {assignment}"
            submissions.append(Submission(student, origin, status="missing", message=f"{note} {where}",
                                          late_mark=late))
            continue
        try:
            data = chosen.read()
        except OSError as error:
            submissions.append(Submission(student, origin, status="invalid-notebook",
                                          message=f"cannot read {chosen.name}: {error}"))
            continue
        submissions.append(Submission(student, origin, notebook_name=Path(chosen.name).name, data=data,
                                      submitted_at=chosen.time, submitted_at_from=chosen.time_from,
                                      folder=chosen.folder, notes=[note] if note else [], late_mark=late))
    return submissions
