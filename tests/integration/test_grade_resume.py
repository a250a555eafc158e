"""Is a batch safe to kill, and does re-running it finish the job without grading anyone twice?"""
import json
import signal
import subprocess
import time

from grade_fixtures import REPO_ROOT, grade_command, make_class, points, read_grades, run_grade, EXPECTED
from process_watch import grader_processes, wait_until_gone

SCENARIOS = ["correct_answers", "wrong_window_sum", "hangs_forever", "calls_sys_exit",
             "deleted_test_cell", "edited_test_cell"]


def journal_entries(out):
    lines = (out / "results.jsonl").read_text().splitlines() if (out / "results.jsonl").exists() else []
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return entries


def test_grader_killed_mid_batch_then_rerun_grades_everyone_exactly_once(tmp_path):
    """After SIGKILL mid-batch and a re-run, is every student graded exactly once with the right score?"""
    class_dir = make_class(tmp_path / "submissions", SCENARIOS)
    out = tmp_path / "out"
    grader = subprocess.Popen(grade_command(class_dir, out, "--jobs", "1"), cwd=REPO_ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(journal_entries(out)) < 2 and time.monotonic() < deadline and grader.poll() is None:
        time.sleep(0.2)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    assert wait_until_gone(lambda: grader_processes(out)) == set(), \
        "the killed grader's zygote or a student's box outlived it"
    before = {e["student_id"] for e in journal_entries(out)}
    assert 2 <= len(before) < len(SCENARIOS), "the kill should land mid-batch"

    result = run_grade(class_dir, out, "--jobs", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    graded = [e["student_id"] for e in journal_entries(out)]
    assert sorted(graded) == sorted(SCENARIOS), "each student appears exactly once in the journal"
    rows = read_grades(out)
    assert {s: (rows[s]["status"], points(rows[s])) for s in SCENARIOS} == {s: EXPECTED[s] for s in SCENARIOS}


def test_grader_killed_during_start_up_leaves_no_process(tmp_path):
    """After SIGKILL while the zygote warms up, is every process the grader started gone?"""
    class_dir = make_class(tmp_path / "submissions", ["correct_answers"])
    out = tmp_path / "out"
    grader = subprocess.Popen(grade_command(class_dir, out), cwd=REPO_ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not grader_processes(out) - {grader.pid} and time.monotonic() < deadline and grader.poll() is None:
        time.sleep(0.05)
    assert grader_processes(out) - {grader.pid}, "bubblewrap and the zygote should be starting"
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    assert wait_until_gone(lambda: grader_processes(out)) == set()
    assert not (out / "results.jsonl").exists() or journal_entries(out) == []


def test_rerun_grades_only_changed_submissions(tmp_path):
    """Does a second run keep unchanged results, regrade a changed notebook, and regrade all with --force?"""
    scenarios = ["correct_answers", "wrong_window_sum"]
    class_dir = make_class(tmp_path / "submissions", scenarios)
    out = tmp_path / "out"
    assert run_grade(class_dir, out, "--jobs", "2").returncode == 0
    first = {e["student_id"]: e["graded_at"] for e in journal_entries(out)}

    fixed = (class_dir / "correct_answers" / "mini" / "mini.ipynb").read_bytes()
    (class_dir / "wrong_window_sum" / "mini" / "mini.ipynb").write_bytes(fixed)
    assert run_grade(class_dir, out, "--jobs", "2").returncode == 0
    entries = journal_entries(out)
    assert [e["student_id"] for e in entries[len(first):]] == ["wrong_window_sum"]
    assert points(read_grades(out)["wrong_window_sum"]) == {"test_scale": 1.0, "test_window_sum": 2.0}

    assert run_grade(class_dir, out, "--force").returncode == 0
    assert len(journal_entries(out)) == len(entries) + 2
