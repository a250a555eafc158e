"""nbgrader settings, so plain `nbgrader` commands work from the repository root.

Instructors write assignments in solutions/; students receive exercises/.
Everything nbgrader writes while grading lives under autograder/ and is
git-ignored.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "autograder/submitted"
c.CourseDirectory.autograded_directory = "autograder/autograded"
c.CourseDirectory.feedback_directory = "autograder/feedback"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'autograder' / 'gradebook.db'}"

# A hung cell costs that cell's marks, not the whole notebook.
c.ExecutePreprocessor.timeout = 60
c.ExecutePreprocessor.interrupt_on_timeout = True

# solutions/<assignment>/grading/ holds the hidden reference cases and the
# answer scenarios: never released to students, never copied into their folders.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "grading"]

# nbgrader's exchange (release_assignment, fetch_assignment, submit, collect,
# release_feedback, fetch_feedback) names the course and where it lives. The
# root must exist and be writable by everyone (chmod 777, as nbgrader's own
# set-up says); change it to suit the machine that hosts the course.
c.CourseDirectory.course_id = "pooling-course"
c.Exchange.root = "/srv/nbgrader/exchange"
