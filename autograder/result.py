"""One typed record per graded submission: what the journal, grades.csv, the report and the gradebook read."""
from dataclasses import asdict, dataclass, field, fields


@dataclass
class SubmissionResult:
    """The grade of one student's submission of one assignment.

    scores: {grade_id: points earned, None if it needs manual grading}
    failures: {grade_id: one line on why that test lost marks}
    review: labels of internals the code reaches for (review.py); never changes a score
    answered: {answer cell grade_id: changed by the student?}, None if the notebook never ran
    submitted_at: when it was handed in (ISO 8601, UTC), and submitted_at_from: how we know
    autograded: the notebook as run, where nbgrader's formgrader opens it ("" if it never ran)
    late: the LMS marked it late, or it came after the due date; seconds_late counts from the
    due date; late_penalty is what the course's late-submission plugin takes off the score
    """

    student_id: str
    assignment: str
    status: str
    message: str = ""
    scores: dict = field(default_factory=dict)
    score: float = 0.0
    max_score: float = 0.0
    failures: dict = field(default_factory=dict)
    review: list = field(default_factory=list)
    answered: dict = None
    fingerprint: str = ""
    origin: str = ""
    seconds: float = 0.0
    graded_at: str = ""
    submitted_at: str = ""
    submitted_at_from: str = ""
    autograded: str = ""
    late: bool = False
    seconds_late: float = 0.0
    late_penalty: float = 0.0

    @property
    def final_score(self):
        return max(self.score - self.late_penalty, 0.0)

    def to_json(self):
        return asdict(self)

    @classmethod
    def from_json(cls, entry):
        """The record of a journal line; None if the line is not one (an old or foreign entry)."""
        names = {f.name for f in fields(cls)}
        if not isinstance(entry, dict) or not {"student_id", "assignment", "status"} <= set(entry):
            return None
        return cls(**{k: v for k, v in entry.items() if k in names})
