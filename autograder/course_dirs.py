"""The course's nbgrader folders and gradebook, as its nbgrader_config.py names them.

When the grader writes into the course's own gradebook (the default), it
also fills nbgrader's folders the way `nbgrader collect` and `nbgrader
autograde` do, so that nbgrader's tools work on what it wrote: the
formgrader lists every submission as autograded and opens it, and
`nbgrader release_feedback` finds the feedback it delivers.

    submitted/<student>/<assignment>/<notebook>.ipynb, timestamp.txt
    autograded/<student>/<assignment>/<notebook>.ipynb   (run, with its outputs)
    feedback/<student>/<assignment>/<notebook>.html, timestamp.txt (and submission_secret.txt)
"""
import shutil
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's own


def course_directory(course_root):
    """nbgrader's CourseDirectory of the course, from its nbgrader_config.py; None if it has none."""
    course_root = Path(course_root)
    if not (course_root / CONFIG_FILE).is_file():
        return None
    config = PyFileConfigLoader(CONFIG_FILE, path=str(course_root)).load_config()
    coursedir = CourseDirectory(config=config)
    if not config.get("CourseDirectory", {}).get("root"):
        coursedir.root = str(course_root)
    return coursedir


def gradebook_location(course_root, db_url, out_dir):
    """(gradebook URL, CourseDirectory or None): the course's own unless --db names another."""
    coursedir = course_directory(course_root)
    if db_url is None and coursedir is not None:
        return coursedir.db_url, coursedir
    return db_url or f"sqlite:///{Path(out_dir).resolve() / 'gradebook.db'}", None


def student_folder(coursedir, kind, student_id, assignment):
    """The folder nbgrader keeps for one student's assignment: kind is submitted, autograded or feedback."""
    return Path(coursedir.format_path(getattr(coursedir, f"{kind}_directory"), student_id, assignment))


class GradedFiles:
    """Where a graded submission's files go: OUT's feedback pages, and nbgrader's folders.

    coursedir: the course's CourseDirectory when grading into its gradebook,
    else None, and the autograded notebooks go into OUT/autograded.
    """

    def __init__(self, out_dir, coursedir, assignment, notebook_name):
        self.out_dir, self.coursedir = Path(out_dir).resolve(), coursedir
        self.assignment, self.notebook = assignment, notebook_name

    def folder(self, kind, student_id):
        if self.coursedir is not None:
            return student_folder(self.coursedir, kind, student_id, self.assignment)
        return self.out_dir / kind / student_id / self.assignment

    def feedback_page(self, student_id):
        return self.out_dir / "feedback" / student_id / self.assignment / f"{self.notebook}.html"

    def autograded_notebook(self, student_id):
        return self.folder("autograded", student_id) / f"{self.notebook}.ipynb"

    def record_submitted(self, submission):
        """Put the submission where `nbgrader collect` would, unless it is already there (course only)."""
        if self.coursedir is None:
            return
        target = self.folder("submitted", submission.student_id)
        if submission.folder is not None and Path(submission.folder).resolve() == target.resolve():
            return
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{self.notebook}.ipynb").write_bytes(submission.data)
        if submission.submitted_at is not None:
            (target / "timestamp.txt").write_text(submission.submitted_at.strftime(TIMESTAMP_FORMAT))

    def write_autograded(self, student_id, notebook_text):
        path = self.autograded_notebook(student_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace(path, notebook_text)

    def write_feedback(self, student_id, page):
        """The page in OUT, and (course only) beside the files `nbgrader release_feedback` needs."""
        path = self.feedback_page(student_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace(path, page)
        if self.coursedir is None:
            return
        target = self.folder("feedback", student_id)
        target.mkdir(parents=True, exist_ok=True)
        _replace(target / f"{self.notebook}.html", page)
        submitted = self.folder("submitted", student_id)
        for name in ("timestamp.txt", "submission_secret.txt"):
            if (submitted / name).is_file():
                shutil.copyfile(submitted / name, target / name)


def _replace(path, text):
    temporary = path.with_suffix(path.suffix + ".partial")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
