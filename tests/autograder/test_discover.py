"""Does discovery find each student's notebook, whatever the layout, and say why when it cannot?

The notebooks are the `mini` assignment's fixtures (tests/fixtures/submissions/);
each test lays out a submissions folder the way an instructor gets one.
"""
import io
import os
import zipfile

import pytest

from autograder.assignment_source import GradingSetupError, load_assignment_source
from autograder.discover import discover
from autograder.roster import Roster
from grade_fixtures import ASSIGNMENT, COURSE, SUBMISSIONS

MINI_CELL_IDS = load_assignment_source(COURSE, ASSIGNMENT).cell_ids
CORRECT = (SUBMISSIONS / "correct_answers.ipynb").read_bytes()
ANOTHER_ASSIGNMENT = (SUBMISSIONS / "only_another_assignment" / "other" / "other.ipynb").read_bytes()
NOV_14, NOV_15 = 1_700_000_000, 1_700_090_000  # 2023-11-14 22:13 and 2023-11-15 23:13 UTC


def write(path, data=CORRECT, time=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if time is not None:
        os.utime(path, (time, time))
    return path


def found(folder, roster=None):
    return {s.student_id: s for s in discover(folder, ASSIGNMENT, ASSIGNMENT, MINI_CELL_IDS, roster)}


def test_nbgraders_layout_takes_the_time_from_timestamp_txt(tmp_path):
    """In nbgrader's layout, is the submission found with the time nbgrader recorded, not the file's?"""
    notebook = write(tmp_path / "ana" / "mini" / "mini.ipynb", time=NOV_14)
    (notebook.parent / "timestamp.txt").write_text("2026-12-01 09:30:00.000000 UTC")
    ana = found(tmp_path)["ana"]
    assert ana.status == "ok" and ana.data == CORRECT and ana.folder == notebook.parent
    assert ana.submitted_at_from == "timestamp.txt" and ana.submitted_at.isoformat() == "2026-12-01T09:30:00+00:00"


def test_without_a_record_the_file_time_is_the_last_resort(tmp_path):
    """With no timestamp.txt and no time in the name, is the file's own time used, and said so?"""
    write(tmp_path / "ana_mini.ipynb", time=NOV_14)
    ana = found(tmp_path)["ana"]
    assert ana.submitted_at.timestamp() == NOV_14 and ana.submitted_at_from == "file time"


def test_flat_lms_files_and_fuzzy_names_are_matched(tmp_path):
    """Are `<student>_<anything>.ipynb` files found, and a renamed notebook used only when unambiguous?"""
    write(tmp_path / "ana_mini.ipynb")
    write(tmp_path / "ben_mini (1).ipynb")
    for name in ("cy_draft.ipynb", "cy_final.ipynb"):
        write(tmp_path / name, time=NOV_14)  # handed in at the same time
    students = found(tmp_path)
    assert students["ana"].data == CORRECT and students["ben"].data == CORRECT
    assert students["cy"].status == "missing" and "ambiguous" in students["cy"].message


def test_a_late_file_wins_over_an_older_one_with_its_time_recorded(tmp_path):
    """Is a student's newer notebook graded rather than an older, correctly named one, with a note and its time?"""
    write(tmp_path / "bob_mini.ipynb", time=NOV_14)
    write(tmp_path / "bob_late.ipynb", CORRECT.replace(b"return X * k", b"return k * X"), time=NOV_15)
    bob = found(tmp_path)["bob"]
    assert bob.notebook_name == "bob_late.ipynb" and b"return k * X" in bob.data
    assert bob.submitted_at.timestamp() == NOV_15 and bob.submitted_at_from == "file time"
    assert bob.notes == ["graded the newest notebook, bob_late.ipynb (2023-11-15 23:13 UTC), "
                         "not bob_mini.ipynb (2023-11-14 22:13 UTC)"]


def test_at_the_same_time_the_assignments_own_name_wins(tmp_path):
    """Between two notebooks handed in at the same moment, is the one named after the assignment taken?"""
    write(tmp_path / "cy_mini.ipynb", time=NOV_14)
    write(tmp_path / "cy_scratch.ipynb", CORRECT.replace(b"return X * k", b"return k * X"), time=NOV_14)
    cy = found(tmp_path)["cy"]
    assert cy.status == "ok" and cy.notebook_name == "cy_mini.ipynb" and cy.data == CORRECT


def test_a_renamed_notebook_of_another_assignment_is_not_taken(tmp_path):
    """Is a student's only notebook, renamed and holding another assignment's cells, left out as missing?"""
    write(tmp_path / "dee_homework.ipynb", ANOTHER_ASSIGNMENT)
    write(tmp_path / "eve_whatever.ipynb")
    students = found(tmp_path)
    assert students["dee"].status == "missing" and "another assignment" in students["dee"].message
    assert students["eve"].status == "ok" and students["eve"].data


def test_another_assignments_notebook_loses_to_this_ones_even_when_newer(tmp_path):
    """Is a newer notebook of another assignment passed over for the older one of this assignment?"""
    write(tmp_path / "fay_mini.ipynb", time=NOV_14)
    write(tmp_path / "fay_other.ipynb", ANOTHER_ASSIGNMENT, time=NOV_15)
    fay = found(tmp_path)["fay"]
    assert fay.status == "ok" and fay.notebook_name == "fay_mini.ipynb" and fay.notes == []


def test_a_folder_without_a_notebook_is_missing(tmp_path):
    """Does a student folder holding no notebook give a `missing` submission that says so?"""
    (tmp_path / "gus" / "mini").mkdir(parents=True)
    (tmp_path / "gus" / "mini" / "notes.txt").write_text("I ran out of time")
    gus = found(tmp_path)["gus"]
    assert gus.status == "missing" and gus.data is None and "no notebook submitted" in gus.message


def test_a_zip_is_searched_and_a_broken_zip_is_reported(tmp_path):
    """Is the notebook inside `<student>.zip` found, and is a broken archive an invalid submission, not a crash?"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("work/mini.ipynb", CORRECT)
        archive.writestr("__MACOSX/work/._mini.ipynb", b"resource fork")
    (tmp_path / "hal.zip").write_bytes(buffer.getvalue())
    (tmp_path / "ida.zip").write_bytes(b"not a zip at all")
    students = found(tmp_path)
    assert students["hal"].status == "ok" and students["hal"].data == CORRECT
    assert students["ida"].status == "invalid-notebook" and "ida.zip is not a readable zip" in students["ida"].message


@pytest.mark.parametrize("name, student", [
    ("doejane_12345_67890_mini.ipynb", "doejane"),
    ("pool_jsmith_attempt_2026-12-01-09-30-00_mini.ipynb", "jsmith"),
])
def test_lms_file_names_name_the_student(tmp_path, name, student):
    """Does a Canvas or Blackboard download's file name give the student, never the whole name?"""
    write(tmp_path / name)
    assert list(found(tmp_path)) == [student]


def test_a_blackboard_name_gives_the_time_handed_in(tmp_path):
    """Is Blackboard's attempt time, from the file name, the submission's time rather than the file's?"""
    write(tmp_path / "pool_jsmith_attempt_2026-12-01-09-30-00_mini.ipynb", time=NOV_14)
    jsmith = found(tmp_path)["jsmith"]
    assert jsmith.submitted_at.isoformat() == "2026-12-01T09:30:00+00:00" and jsmith.submitted_at_from == "file name"


def test_canvas_late_mark_is_kept(tmp_path):
    """Does Canvas's LATE in a file name mark the submission late?"""
    write(tmp_path / "doejane_LATE_12345_67890_mini.ipynb")
    assert found(tmp_path)["doejane"].late_mark


def test_two_students_sharing_a_name_are_never_merged(tmp_path):
    """Without a roster, are two Canvas students with the same name key told apart by their ids?"""
    write(tmp_path / "smithjohn_111_1_mini.ipynb")
    write(tmp_path / "smithjohn_222_2_mini.ipynb")
    assert sorted(found(tmp_path)) == ["smithjohn-111", "smithjohn-222"]


def test_a_roster_names_students_by_their_course_id(tmp_path):
    """With a roster, is a Canvas or Moodle entry graded as the roster's student, and a stranger as unknown?"""
    write(tmp_path / "doejane_12345_67890_mini.ipynb")
    write(tmp_path / "Li Wei_555_assignsubmission_file_" / "mini.ipynb")
    write(tmp_path / "nobody_99999_1_mini.ipynb")
    roster = Roster([{"student_id": "s1", "canvas_user_id": "12345"},
                     {"student_id": "s2", "name": "Li Wei", "moodle_participant_id": "555"}])
    students = found(tmp_path, roster)
    assert students["s1"].status == "ok" and students["s2"].status == "ok"
    stranger = students["nobody"]
    assert stranger.status == "unknown-student" and "not in the roster" in stranger.message


def test_a_folder_that_does_not_exist_stops_discovery(tmp_path):
    """Is a submissions folder that does not exist a set-up error naming it, not an empty class?"""
    with pytest.raises(GradingSetupError, match="nowhere"):
        discover(tmp_path / "nowhere", ASSIGNMENT, ASSIGNMENT, MINI_CELL_IDS)
