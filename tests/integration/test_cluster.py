"""Does `grade --cluster` grade on real Dask workers exactly as on one machine, and survive what a cluster does?

One module-scoped cluster serves every test: a `dask scheduler` and two
`dask worker` processes (one thread each, no nanny) on 127.0.0.1, started
from this checkout's venv as separate processes. A pool2d class of answer
scenarios, honest students and attackers is graded on it once, while a
third worker, started from a copy of the checkout whose references.json
differs, is connected; a mini class is graded while a worker is killed.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import psutil
import pytest
from distributed import Client, KilledWorker

from autograder.cluster import ClusterGrading
from autograder.protocol import GradedReplyCheck, ProtocolViolation
from autograder.scenarios import expected_scores
from grade_fixtures import COURSE, EXPECTED, MEMORY_MB, TIMEOUT_SECONDS, make_class, points, read_grades
from locations import REPO_ROOT, VENV_BIN
from test_sandbox_threats import HONEST, assert_the_batch_was_not_harmed, plant_class, tree_digest

ATTACKS = ("forged_channel_messages", "reads_secrets", "reaches_the_network", "leaves_processes",
           "tampers_with_outputs")
SCENARIOS = ("hangs_in_one_function", "raises_in_one_function", "syntax_error_in_one_cell", "hardcoded_examples",
             "calls_max_pool2d")
START_SECONDS = 120


def _wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {seconds} s")
        time.sleep(0.3)


class DaskProcesses:
    """A real scheduler and its workers, each a process of its own; stop() ends exactly these."""

    def __init__(self, folder):
        self.folder = folder
        self.processes = []
        scheduler_file = folder / "scheduler.json"
        self.scheduler = self._start([VENV_BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                                      "--dashboard-address", "127.0.0.1:0", "--scheduler-file", scheduler_file],
                                     REPO_ROOT, "scheduler")
        _wait_for(scheduler_file.exists, START_SECONDS, "the scheduler did not start")
        _wait_for(lambda: json.loads(scheduler_file.read_text() or "{}").get("address"), 10, "no address")
        self.address = json.loads(scheduler_file.read_text())["address"]
        self.client = Client(self.address, timeout="30s")

    def _start(self, command, checkout, name):
        log = open(self.folder / f"{name}.log", "w")
        environment = dict(os.environ, PYTHONPATH=str(checkout),
                           PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        process = subprocess.Popen([str(part) for part in command], cwd=checkout, env=environment,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def start_worker(self, name, checkout=REPO_ROOT):
        """A single-threaded worker from `checkout`, joined; returns (Popen, its address)."""
        before = set(self.client.scheduler_info(n_workers=-1)["workers"])
        process = self._start([VENV_BIN / "dask", "worker", self.address, "--nthreads", "1", "--nworkers", "1",
                               "--no-nanny", "--host", "127.0.0.1", "--no-dashboard", "--name", name,
                               "--local-directory", self.folder / name], checkout, name)
        joined = lambda: set(self.client.scheduler_info(n_workers=-1)["workers"]) - before
        _wait_for(joined, START_SECONDS, f"the worker {name} did not join")
        return process, joined().pop()

    def descendants(self):
        """Pids of every process the scheduler and workers started and left running: zygotes, boxes."""
        found = set()
        for process in self.processes:
            try:
                found |= {child.pid for child in psutil.Process(process.pid).children(recursive=True)}
            except psutil.NoSuchProcess:
                pass
        return found

    def stop(self, process):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def close(self):
        self.client.close()
        for process in reversed(self.processes):
            self.stop(process)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    processes = DaskProcesses(tmp_path_factory.mktemp("dask"))
    try:
        processes.start_worker("worker-1")
        processes.start_worker("worker-2")
        yield processes
    finally:
        processes.close()


def grade_on(cluster, assignment, submissions, out, *extra, course=None, env=None):
    command = [sys.executable, "-m", "autograder", "grade", assignment, str(submissions), "--out", str(out),
               "--db", f"sqlite:///{out / 'gradebook.db'}", "--cluster", cluster.address, *extra]
    if course is not None:
        command += ["--course", str(course)]
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def checkout_with_other_references(folder):
    """A copy of the checkout (grader, solutions, lock) whose pool2d references.json differs by one byte."""
    for part in ("autograder", "solutions"):
        shutil.copytree(REPO_ROOT / part, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "requirements.lock", folder)
    references = folder / "solutions" / "pool2d" / "grading" / "references.json"
    references.write_text(references.read_text() + "\n")
    return folder


@pytest.fixture(scope="module")
def pool2d_batch(cluster, tmp_path_factory):
    """Answer scenarios, honest students and attackers of pool2d, graded on the cluster once, with a worker
    of another course version connected; returns what test_sandbox_threats's checks look at."""
    root = tmp_path_factory.mktemp("cluster_pool2d")
    students = {**HONEST, **{scenario: scenario for scenario in SCENARIOS}}
    submissions, out, marker, server = plant_class(root, ATTACKS, students)
    other, other_address = cluster.start_worker("other-version", checkout_with_other_references(root / "other"))
    before = {"submissions": tree_digest(submissions), "tmp": set(os.listdir("/tmp"))}
    environment = dict(os.environ, GRADER_SECRET=f"{marker}-environment-secret", COURSE_CASE_SECONDS="2")
    started = time.monotonic()
    grading = grade_on(cluster, "pool2d", submissions, out, "--timeout", "10", "--tmp-mb", "64", env=environment)
    stdout, stderr = grading.communicate(timeout=900)
    seconds = time.monotonic() - started
    cluster.stop(other)
    time.sleep(1)  # a leftover would have had time to write again
    server.socket.close()
    result = subprocess.CompletedProcess(grading.args, grading.returncode, stdout, stderr)
    left_behind = cluster.descendants()
    return {"root": root, "out": out, "submissions": submissions, "marker": marker, "server": server,
            "before": before, "result": result, "seconds": seconds, "grades": read_grades(out),
            "students": students, "other_address": other_address, "left_behind": left_behind}


def test_a_mixed_class_gets_the_same_scores_on_the_cluster_as_here(pool2d_batch):
    """Does every answer scenario graded on the cluster get the scores local grading gives it (expected_scores.json)?"""
    assert pool2d_batch["result"].returncode == 0, pool2d_batch["result"].stderr[-3000:]
    expected, grades = expected_scores("pool2d"), pool2d_batch["grades"]
    for student, scenario in pool2d_batch["students"].items():
        earned = {g: float(grades[student][g]) for g in expected[scenario]}
        assert earned == pytest.approx(expected[scenario], abs=1e-4), (student, grades[student]["message"])


def test_the_progress_bar_and_the_dashboard_link_are_printed(pool2d_batch):
    """Does the command print the Dask dashboard's link and the same progress bar as local grading?"""
    stdout = pool2d_batch["result"].stdout
    assert "Dask dashboard: http://" in stdout
    assert "grading pool2d" in stdout and f"{len(pool2d_batch['grades'])}/{len(pool2d_batch['grades'])}" in stdout


def test_a_worker_of_another_course_version_is_refused(pool2d_batch):
    """Is a worker whose checkout's references.json differs refused, with a message naming the file?"""
    stdout = " ".join(pool2d_batch["result"].stdout.split())
    assert f"worker {pool2d_batch['other_address']} refused to grade" in stdout
    assert "solutions/pool2d/grading/references.json differs" in stdout


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_hostile_submission_on_a_worker_gets_nothing(pool2d_batch, attack):
    """Does each attack, graded on a cluster's worker, earn, read, touch and leave behind nothing, as locally?"""
    assert pool2d_batch["left_behind"] == set()
    assert_the_batch_was_not_harmed(pool2d_batch, attack)


def test_a_worker_killed_mid_batch_costs_nothing(cluster, tmp_path):
    """With a worker SIGKILLed while it grades, is every student still graded, once, with the right scores?"""
    scenarios = ["correct_answers", "wrong_window_sum", "hangs_forever", "kills_its_kernel", "calls_sys_exit",
                 "deleted_test_cell", "invalid_json", "edited_test_cell"]
    class_dir, out = make_class(tmp_path / "submissions", scenarios), tmp_path / "out"
    victim, address = cluster.start_worker("victim")
    grading = grade_on(cluster, "mini", class_dir, out, "--timeout", str(TIMEOUT_SECONDS), "--memory-mb",
                       str(MEMORY_MB), course=COURSE)
    try:
        _wait_for(lambda: cluster.client.processing(workers=[address])[address] or grading.poll() is not None,
                  300, "the worker to kill got no task")
        assert grading.poll() is None, "the batch ended before the worker could be killed"
        victim.send_signal(signal.SIGKILL)
        stdout, stderr = grading.communicate(timeout=600)
    finally:
        cluster.stop(victim)
        if grading.poll() is None:
            grading.kill()
    assert grading.returncode == 0, stderr[-3000:]
    rows = read_grades(out)
    assert {s: (rows[s]["status"], points(rows[s])) for s in scenarios} == {s: EXPECTED[s] for s in scenarios}
    journal = [json.loads(line)["student_id"] for line in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(journal) == sorted(scenarios)


class FinishedTask:
    """What ClusterGrading reads of a Dask future: its result, or the exception it raises."""

    def __init__(self, reply=None, error=None):
        self.reply, self.error = reply, error

    def result(self):
        if self.error is not None:
            raise self.error
        return self.reply


def honest_reply(student_id="alice", **changes):
    reply = {"student_id": student_id, "scores": {"test_scale": 1.0, "test_window_sum": 0.0},
             "failures": {"test_window_sum": "AssertionError: no"}, "status": "ok", "message": "",
             "review": [], "answered": {"scale": True}, "seconds": 1.5, "autograded": "{}", "feedback": "<html/>"}
    reply.update(changes)
    return json.dumps(reply)


GRADE_CELLS = (("test_scale", 1.0), ("test_window_sum", 2.0))


def test_an_honest_worker_reply_is_accepted():
    """Is a well-formed reply for the student sent recorded as it is?"""
    assert GradedReplyCheck(GRADE_CELLS)(honest_reply(), "alice")["scores"] == {"test_scale": 1.0,
                                                                                 "test_window_sum": 0.0}


@pytest.mark.parametrize("forged", [
    honest_reply(scores={"test_scale": 1.0, "test_window_sum": 200.0}),
    honest_reply(scores={"test_scale": 1.0, "test_window_sum": 2.0, "bonus": 10.0}),
    honest_reply(student_id="mallory", scores={"test_scale": 1.0, "test_window_sum": 2.0}),
    honest_reply(scores={"test_scale": -1.0, "test_window_sum": 2.0}),
    honest_reply(status="excellent"),
    honest_reply(grader="forged"),
    honest_reply(feedback="x" * 20_000_001),
    honest_reply().replace('"seconds": 1.5', '"seconds": NaN'),
    honest_reply(scores={"test_scale": True, "test_window_sum": 2.0}),
    "not json",
], ids=["over_the_maximum", "unknown_test", "another_student", "negative", "unknown_status", "unknown_field",
        "oversized_page", "nan", "boolean_score", "not_json"])
def test_a_forged_worker_reply_is_rejected(forged):
    """Is a reply claiming marks beyond the notebook's, for another student, or outside the schema rejected?"""
    with pytest.raises(ProtocolViolation):
        GradedReplyCheck(GRADE_CELLS)(forged, "alice")


def test_a_forged_reply_is_recorded_as_an_error_not_as_its_marks():
    """Does the client record a forged full-marks reply as `error`, with none of its marks?"""
    grading = ClusterGrading.__new__(ClusterGrading)
    grading.check = GradedReplyCheck(GRADE_CELLS)
    alice = type("Submission", (), {"student_id": "alice"})()
    forged = honest_reply(student_id="mallory", scores={"test_scale": 1.0, "test_window_sum": 2.0})
    record = grading._record_of(FinishedTask(forged), alice)
    assert record["status"] == "error" and record["scores"] == {} and "another student" in record["message"]


def test_a_submission_that_keeps_killing_workers_ends_as_an_error():
    """Does a task Dask gave up on (KilledWorker, after its allowed failures) become `error` with a message?"""
    grading = ClusterGrading.__new__(ClusterGrading)
    alice = type("Submission", (), {"student_id": "alice"})()
    record = grading._record_of(FinishedTask(error=KilledWorker("grade-alice", "tcp://127.0.0.1:1", 3)), alice)
    assert record["status"] == "error" and "died" in record["message"] and "times" in record["message"]
