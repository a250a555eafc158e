"""The results journal: one JSON line per graded submission, appended and synced at once.

It is what makes a batch resumable. A grader killed mid-batch leaves at
worst one torn last line, which is ignored; every complete line is a student
whose grade is already safe, and a re-run skips them unless their
submission (or the assignment) changed.
"""
import json
import os
from pathlib import Path

from .result import SubmissionResult


def journal_path(out_dir):
    return Path(out_dir) / "results.jsonl"


def load_results(out_dir, assignment):
    """{student_id: latest complete SubmissionResult} for `assignment` (torn or foreign lines skipped)."""
    path = journal_path(out_dir)
    results = {}
    if not path.exists():
        return results
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        result = SubmissionResult.from_json(entry)
        if result is not None and result.assignment == assignment:
            results[result.student_id] = result
    return results


class Journal:
    """Append-only writer; each `append` is on disk before it returns."""

    def __init__(self, out_dir):
        path = journal_path(out_dir)
        self.file = open(path, "a", encoding="utf-8")
        # A previous run killed mid-line must not glue its torn line to ours.
        if path.stat().st_size and not path.read_bytes().endswith(b"\n"):
            self.file.write("\n")

    def append(self, result):
        self.file.write(json.dumps(result.to_json(), sort_keys=True) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self):
        self.file.close()
