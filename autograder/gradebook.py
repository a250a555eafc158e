"""nbgrader's gradebook: set the assignment up, then record each student's grades.

Only the grading command's main process writes here, one student at a time,
each in its own transaction, so parallel workers never contend for the
database and a kill loses at most the student being written.
"""
import subprocess
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

from nbformat.v4 import new_notebook
from nbgrader.api import Course, Gradebook
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy.exc import SAWarning

from .assignment_source import GradingSetupError
from .sandbox import die_with_parent

DEFAULT_COURSE_ID = ""  # what nbgrader's command-line tools use when the course names none


def ensure_course_row(db_url, course_id):
    """Create the row of nbgrader's default course ("") if the gradebook lacks it.

    nbgrader's tools use the course id "" but never insert that course, since
    Gradebook only creates a course with a non-empty id. SQLite does not
    enforce the assignment -> course foreign key, so this goes unnoticed
    there; PostgreSQL does, and refuses the assignment.
    """
    with Gradebook(db_url, course_id=course_id) as gradebook:
        if gradebook.db.get(Course, course_id) is None:
            gradebook.db.add(Course(id=course_id))
            gradebook.db.commit()


# What nbgrader never releases (its defaults), plus the assignments' instructor-only folder.
RELEASE_IGNORE = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "grading")


def register_assignment(source, db_url, release_dir, course_id=DEFAULT_COURSE_ID):
    """Record the assignment's cells in the gradebook with `nbgrader generate_assignment`.

    Running nbgrader itself (into release_dir) stores exactly the source
    cells, checksums and points that plain `nbgrader autograde` would restore
    test cells from, and leaves in release_dir what a student received.
    """
    try:
        ensure_course_row(db_url, course_id)
    except Exception as error:  # a wrong URL, a server that is down, a missing driver
        raise GradingSetupError(f"cannot open the gradebook {db_url}: {error}") from error
    nbgrader = Path(sys.executable).with_name("nbgrader")
    ignore = [f"--CourseDirectory.ignore={pattern}" for pattern in RELEASE_IGNORE]
    result = subprocess.run(
        [
            str(nbgrader), "generate_assignment", source.name, "--force",
            f"--CourseDirectory.root={source.course_root}",
            "--CourseDirectory.source_directory=solutions",
            f"--CourseDirectory.release_directory={release_dir}",
            f"--CourseDirectory.db_url={db_url}", f"--CourseDirectory.course_id={course_id}", *ignore,
        ],
        cwd=release_dir,
        capture_output=True,
        text=True,
        env={"PATH": f"{nbgrader.parent}:/usr/bin:/bin", "HOME": str(Path.home())},
        preexec_fn=die_with_parent,
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise GradingSetupError(f"nbgrader could not register {source.name!r} in {db_url}:\n{tail}")
    return Path(release_dir) / source.name


class GradebookWriter:
    """The single writer of grades for one run; use as a context manager.

    config: the course's nbgrader configuration (a traitlets Config), which
    chooses the late-submission penalty plugin, as for `nbgrader autograde`.
    """

    def __init__(self, db_url, source, course_id=DEFAULT_COURSE_ID, config=None):
        self.db_url = db_url
        self.source = source
        self.course_id = course_id
        self.config = config
        self.gradebook = None

    def __enter__(self):
        self.gradebook = Gradebook(self.db_url, self.course_id)
        return self

    def __exit__(self, *exc_info):
        self.gradebook.close()

    def set_due_date(self, due):
        """Record the assignment's due date (a UTC datetime), from which nbgrader counts lateness."""
        assignment = self.gradebook.find_assignment(self.source.name)
        assignment.duedate = due.astimezone(timezone.utc).replace(tzinfo=None)
        self.gradebook.db.commit()

    def lateness(self, student_id):
        """(seconds late, penalty) of a recorded submission, the penalty from the course's late-submission plugin.

        nbgrader's own AssignLatePenalties decides and stores the penalty, as
        `nbgrader autograde` does; its default plugin gives none.
        """
        penalties = AssignLatePenalties(config=self.config) if self.config is not None else AssignLatePenalties()
        penalties.log.setLevel("ERROR")
        penalties.preprocess(new_notebook(), {"nbgrader": {
            "notebook": self.source.notebook_name, "assignment": self.source.name, "student": student_id,
            "db_url": self.db_url}})
        self.gradebook.db.expire_all()
        submission = self.gradebook.find_submission(self.source.name, student_id)
        notebook = self.gradebook.find_submission_notebook(self.source.notebook_name, self.source.name, student_id)
        return float(submission.total_seconds_late or 0), float(notebook.late_submission_penalty or 0)

    def record(self, result):
        """Write one SubmissionResult's autograder scores like nbgrader's SaveAutoGrades, then commit.

        result.scores: {grade_id: points or None}. A manual score already given
        by a grader is kept and the cell flagged for review, as in nbgrader.
        result.answered: {solution cell grade_id: whether the student changed it},
        for nbgrader's "No response." comments (None when the notebook never ran).
        """
        with warnings.catch_warnings():
            # nbgrader's update_or_create_submission autoflushes a half-built
            # submission, which SQLAlchemy warns about; the rows come out right.
            warnings.simplefilter("ignore", SAWarning)
            self._record(result.student_id, result.scores, result.answered, result.submitted_at)

    def _record(self, student_id, scores, answered, submitted_at):
        gb, source = self.gradebook, self.source
        try:
            gb.update_or_create_student(student_id)
            when = {"timestamp": datetime.fromisoformat(submitted_at).astimezone(timezone.utc).replace(tzinfo=None)} \
                if submitted_at else {}
            gb.update_or_create_submission(source.name, student_id, **when)
            for grade_id, points in scores.items():
                grade = gb.find_grade(grade_id, source.notebook_name, source.name, student_id)
                grade.auto_score = points
                grade.needs_manual_grade = grade.manual_score is not None or points is None
            for grade_id, changed in (answered or {}).items():
                comment = gb.find_comment(grade_id, source.notebook_name, source.name, student_id)
                comment.auto_comment = None if changed else "No response."
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise
