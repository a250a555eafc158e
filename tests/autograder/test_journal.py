"""Does the journal keep every grade once written, and read back only complete, well-formed records?"""
import json

from autograder.journal import Journal, journal_path, load_results
from autograder.result import SubmissionResult


def result(student, assignment="week1", score=1.0):
    return SubmissionResult(student_id=student, assignment=assignment, status="ok", score=score)


def write_journal(out_dir, *results):
    journal = Journal(out_dir)
    for item in results:
        journal.append(item)
    journal.close()


def test_an_appended_grade_is_on_disk_before_the_journal_is_closed(tmp_path):
    """Is each appended grade readable at once, as a whole line, while the journal is still open?"""
    journal = Journal(tmp_path)
    journal.append(result("ana"))
    assert journal_path(tmp_path).read_text().endswith("\n")
    assert load_results(tmp_path, "week1") == {"ana": result("ana")}
    journal.close()


def test_a_second_run_appends_and_the_latest_grade_wins(tmp_path):
    """Does a re-run keep the earlier lines, with a student's latest grade the one read back?"""
    write_journal(tmp_path, result("ana", score=1.0), result("ben"))
    write_journal(tmp_path, result("ana", score=3.0))
    assert len(journal_path(tmp_path).read_text().splitlines()) == 3
    assert {s: r.score for s, r in load_results(tmp_path, "week1").items()} == {"ana": 3.0, "ben": 1.0}


def test_a_torn_last_line_is_skipped_and_not_glued_to_the_next(tmp_path):
    """After a grader killed mid-line, is the torn line ignored and the next grade written on a line of its own?"""
    write_journal(tmp_path, result("ana"))
    whole = json.dumps(result("ben").to_json())
    with open(journal_path(tmp_path), "a") as handle:
        handle.write(whole[: len(whole) // 2])
    assert set(load_results(tmp_path, "week1")) == {"ana"}
    write_journal(tmp_path, result("cy"))
    assert set(load_results(tmp_path, "week1")) == {"ana", "cy"}


def test_lines_that_are_not_grades_are_skipped(tmp_path):
    """Are lines that are not a grade record (not JSON, not an object, missing whose it is) skipped, not fatal?"""
    write_journal(tmp_path, result("ana"))
    with open(journal_path(tmp_path), "a") as handle:
        handle.write("not json at all\n")
        handle.write(json.dumps(["ben", "week1", "ok"]) + "\n")
        handle.write(json.dumps({"student_id": "cy", "status": "ok", "score": 99}) + "\n")
        handle.write(json.dumps({"assignment": "week1", "status": "ok", "score": 99}) + "\n")
    assert load_results(tmp_path, "week1") == {"ana": result("ana")}


def test_another_assignments_grades_are_not_read(tmp_path):
    """Does a journal shared by two assignments give each only its own students?"""
    write_journal(tmp_path, result("ana", "week1"), result("ben", "week2"))
    assert set(load_results(tmp_path, "week1")) == {"ana"}
    assert set(load_results(tmp_path, "week2")) == {"ben"}


def test_no_journal_means_nothing_graded_yet(tmp_path):
    """Is a missing journal read as no grades, so a first run grades everyone?"""
    assert load_results(tmp_path, "week1") == {}
