"""The course's roster: who each LMS entry is, by its LMS ids first and by name only when no one shares it.

`--roster roster.csv` has one row per student and a `student_id` column (the
id in grades.csv and the gradebook), plus any of

    name, email, canvas_user_id, sis_user_id, sis_login_id,
    moodle_participant_id, moodle_id_number

A Canvas download is matched by canvas_user_id, a Moodle one by
moodle_participant_id; a display name only matches a student when exactly
one roster row has it. Two entries are never merged into one student.
"""
import csv
from pathlib import Path

from .assignment_source import GradingSetupError
from .lms_names import slug

ID_COLUMNS = ("canvas_user_id", "moodle_participant_id", "blackboard_user")


class Roster:
    def __init__(self, rows):
        self.rows = rows
        self.by_id = {(column, row[column]): row for row in rows for column in ID_COLUMNS if row.get(column)}
        self.by_name = {}
        for row in rows:
            if row.get("name"):
                self.by_name.setdefault(slug(row["name"]), []).append(row)

    @classmethod
    def load(cls, path):
        path = Path(path)
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)]
        except OSError as error:
            raise GradingSetupError(f"cannot read the roster {path}: {error.strerror}")
        if not rows or "student_id" not in rows[0]:
            raise GradingSetupError(f"the roster {path} needs a header row with a student_id column")
        missing = [n for n, row in enumerate(rows, start=2) if not row["student_id"]]
        if missing:
            raise GradingSetupError(f"the roster {path} has rows without a student_id (lines {missing[:5]})")
        return cls(rows)

    def find(self, entry):
        """(row, None) for the roster row of an LmsEntry, or (None, why not)."""
        for kind, value in entry.ids.items():
            if (kind, value) in self.by_id:
                return self.by_id[(kind, value)], None
        if entry.name:
            named = self.by_name.get(slug(entry.name), [])
            if len(named) == 1:
                return named[0], None
            if len(named) > 1:
                ids = ", ".join(row["student_id"] for row in named)
                return None, (f"{len(named)} students in the roster are named {entry.name} ({ids}); "
                              f"add their {entry.lms} ids to the roster to tell them apart")
        return None, f"not in the roster ({entry.name or entry.key}, {entry.ids or 'no LMS id'})"

    def row_of(self, student_id):
        return next((row for row in self.rows if row["student_id"] == student_id), None)
