"""Can a hostile student, with code typed into an answer cell, forge a grade, read the answers or harm a classmate?

One batch grades pool2d for a class in which every attack of
tests/fixtures/attacks/ is one student, with honest students graded before
and after them. Each test below takes one attack and asks the questions the
threat model asks of every attack: did the attacker earn more than its
honest code deserves, did any honest score change, did student code touch
the output folder, the gradebook, the journal or the submissions, is any
process it started still alive, is anything it wrote still on disk, and did
the batch end within its bound. Then the attack's own question.
"""
import hashlib
import html
import json
import os
import re
import socket
import sqlite3
import string
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder import EXERCISES_DIR, REPO_ROOT
from autograder.bench import gradebook_scores
from autograder.planting import plant_answers
from autograder.references import REFERENCES, grading_dir
from autograder.scenarios import expected_scores, scenario_sources
from locations import FIXTURES
from process_watch import grader_processes

ASSIGNMENT = "pool2d"
ATTACKS_DIR = FIXTURES / "attacks"
HONEST = {"aa_honest_first": "correct_vectorised", "honest_early": "correct_loops",
          "honest_partial": "max_pads_with_zero", "zz_honest_last": "correct_loops"}
BATCH_BOUND_SECONDS = 420
# What each attacker's code may earn: nothing, but for the one that evades the pooling ban (flagged),
# the patched runner, which can forge what hard-coding the public examples earns (7 of pool2d's
# 17 cases), never a hidden case, and the flood of prints around a correct pool2d.
EARNED_BY_HONEST_CODE = {"bypasses_the_pooling_ban": 3.0, "escapes_the_checks": round(3 * 7 / 17, 4),
                         "floods_the_report": 3.0}
OUT_ENTRIES = {"autograded", "feedback", "grades.csv", "gradebook.db", "report.html", "results.jsonl"}


class RecordingServer:
    """A TCP server on the grader's loopback that counts connections and answers with a secret."""

    def __init__(self, secret):
        self.secret = secret
        self.connections = 0
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.sendall(self.secret.encode())
            connection.close()


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def attack_names():
    return sorted(path.stem for path in ATTACKS_DIR.glob("*.py"))


def plant_class(root, attacks, students):
    """Plant each attack of `attacks` and each {student: answer scenario} of ASSIGNMENT in root/submissions.

    Returns (submissions, out, marker, server): the class's folder, the output folder the attacks aim at,
    the marker every attack writes wherever it can, and the loopback server they try to reach.
    """
    submissions, out = root / "submissions", root / "out"
    marker = f"ATTACK{os.getpid()}x{int(time.time())}"
    server = RecordingServer(secret=f"{marker}-server-secret")
    values = {"MARKER": marker, "OUT": str(out), "SUBMISSIONS": str(submissions), "COURSE": str(REPO_ROOT),
              "PORT": str(server.port)}
    release = EXERCISES_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for name in attacks:
        source = string.Template((ATTACKS_DIR / f"{name}.py").read_text()).substitute(values)
        plant_answers(release, source, submissions / f"attack_{name}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    sources = scenario_sources(ASSIGNMENT)
    for student, scenario in students.items():
        plant_answers(release, sources[scenario], submissions / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return submissions, out, marker, server


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The class above, graded once; returns what the tests look at."""
    root = tmp_path_factory.mktemp("threats")
    submissions, out, marker, server = plant_class(root, attack_names(), HONEST)
    before = {"submissions": tree_digest(submissions),
              "tmp": set(os.listdir("/tmp"))}
    environment = dict(os.environ, GRADER_SECRET=f"{marker}-environment-secret", COURSE_CASE_SECONDS="2")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, str(submissions), "--out", str(out),
         "--db", f"sqlite:///{out / 'gradebook.db'}", "--jobs", "2", "--timeout", "10", "--tmp-mb", "64"],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=BATCH_BOUND_SECONDS + 120)
    seconds = time.monotonic() - started
    time.sleep(1)  # a leftover would have had time to write again
    server.socket.close()
    return {"root": root, "out": out, "submissions": submissions, "marker": marker, "server": server,
            "before": before, "result": result, "seconds": seconds, "grades": read_grades(out)}


def read_grades(out):
    import csv

    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def feedback_page(batch, student):
    path = batch["out"] / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    return html.unescape(path.read_text())


def printed(batch, student):
    """What the student's notebook output, as its feedback page shows it (its code left out)."""
    path = batch["out"] / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    outputs = re.findall(r'<div class="output[^"]*"><pre>(.*?)</pre></div>', path.read_text(), re.DOTALL)
    return html.unescape("\n".join(outputs))


def assert_the_batch_was_not_harmed(batch, attack):
    """The questions every attack must answer no to."""
    grades, out, marker = batch["grades"], batch["out"], batch["marker"]
    assert batch["result"].returncode == 0, batch["result"].stderr[-3000:]
    assert batch["seconds"] < BATCH_BOUND_SECONDS
    # The attacker earns no more than its honest code deserves.
    assert float(grades[f"attack_{attack}"]["score"]) <= EARNED_BY_HONEST_CODE.get(attack, 0.0)
    # Every honest student's score is what it is in a class without attackers.
    expected = expected_scores(ASSIGNMENT)
    for student, scenario in HONEST.items():
        assert grades[student]["status"] == "ok", grades[student]["message"]
        earned = {g: float(grades[student][g]) for g in expected[scenario]}
        assert earned == pytest.approx(expected[scenario], abs=1e-4), student
        assert marker not in feedback_page(batch, student)
    # The output folder holds what the grader wrote, and nothing else.
    assert {p.name for p in out.iterdir()} == OUT_ENTRIES
    assert not [p for p in out.rglob("*") if marker in p.name]
    # The gradebook: no trigger, every row what grades.csv says.
    with sqlite3.connect(out / "gradebook.db") as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == []
    stored = gradebook_scores(f"sqlite:///{out / 'gradebook.db'}", ASSIGNMENT)
    for student, row in grades.items():
        assert {g: s for g, s in stored[student].items() if g in row} == {g: float(row[g]) for g in stored[student] if g in row}
    # The journal: one complete line per student, agreeing with grades.csv.
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(line["student_id"] for line in lines) == sorted(grades)
    assert all(line["score"] == float(grades[line["student_id"]]["score"]) for line in lines)
    # The submissions are as they were handed in.
    assert tree_digest(batch["submissions"]) == batch["before"]["submissions"]
    # Nothing the students started is alive, and nothing they wrote is on the machine.
    assert grader_processes(out) == set()
    assert not [name for name in set(os.listdir("/tmp")) - batch["before"]["tmp"] if marker in name]


def test_every_attack_is_in_the_class(batch):
    """Does the class hold every attack of tests/fixtures/attacks/, each graded?"""
    assert {f"attack_{name}" for name in attack_names()} <= set(batch["grades"])
    assert len(attack_names()) >= 12


# Forged results


def test_forged_channel_messages(batch):
    """Do forged 'cell done' and 'case passed' frames, and an oversized one, earn nothing?"""
    assert_the_batch_was_not_harmed(batch, "forged_channel_messages")
    assert batch["grades"]["attack_forged_channel_messages"]["status"] == "error"


def test_timeout_escape(batch):
    """Does answering the grader's request early, then hanging, still end at the time limit with nothing earned?"""
    assert_the_batch_was_not_harmed(batch, "timeout_escape")
    row = batch["grades"]["attack_timeout_escape"]
    assert row["status"] in ("timeout", "error") and float(row["score"]) == 0


def test_forged_pickle(batch):
    """Is a pickle sent from the sandbox never loaded, so its command never runs?"""
    assert_the_batch_was_not_harmed(batch, "forged_pickle")
    assert not Path(f"/tmp/{batch['marker']}-pickle-ran").exists()


# Reading secrets


def test_reads_secrets(batch):
    """Can the student read the hidden cases, the solutions, the course's files, the grader's environment or /proc?"""
    assert_the_batch_was_not_harmed(batch, "reads_secrets")
    page = printed(batch, "attack_reads_secrets")
    assert "cannot read" in page and "ENVIRONMENT" in page  # the attack ran
    assert "READ " not in page
    assert f"{batch['marker']}-environment-secret" not in page
    whole_page = feedback_page(batch, "attack_reads_secrets")
    assert "BEGIN SOLUTION" not in whole_page and "window.max() if mode == 'max'" not in whole_page
    found = [line for line in page.splitlines() if line.startswith("FOUND")]
    assert not [line for line in found if "references" in line or "cases.py" in line or "solutions" in line
                or "gradebook" in line or ".ipynb" in line]
    cases = json.loads((grading_dir(ASSIGNMENT) / REFERENCES).read_text())["cases"]
    hidden_values = {repr(v) for c in cases if "tensor" in c["expect"] for v in c["expect"]["tensor"]["values"]}
    assert not [v for v in hidden_values if len(v) > 8 and v in page]


def test_expected_values_from_frames(batch):
    """Do the student's own stack frames and objects hold any expected value?"""
    assert_the_batch_was_not_harmed(batch, "expected_values_from_frames")
    page = printed(batch, "attack_expected_values_from_frames")
    assert "LEAKED 0 expected values" in page
    assert "stack frames" in batch["grades"]["attack_expected_values_from_frames"]["review"]


# Other people's data


def test_tampers_with_outputs(batch):
    """Can the student rewrite grades.csv, the journal, the gradebook or a classmate's feedback?"""
    assert_the_batch_was_not_harmed(batch, "tampers_with_outputs")
    page = printed(batch, "attack_tampers_with_outputs")
    assert "could not tamper with" in page and "TAMPERED" not in page


def test_touches_classmates_files(batch):
    """Can the student copy or overwrite a classmate's notebook?"""
    assert_the_batch_was_not_harmed(batch, "touches_classmates_files")
    page = printed(batch, "attack_touches_classmates_files")
    assert "could not copy" in page and "COPIED" not in page and "OVERWROTE" not in page


# Escaping the checks


def test_escapes_the_checks(batch):
    """Do a patched case runner, an output-clearing IPython hook and a rebound `checks` pass any hidden case?"""
    assert_the_batch_was_not_harmed(batch, "escapes_the_checks")
    report = printed(batch, "attack_escapes_the_checks")
    assert "FAIL" in report  # the test cells' reports were not cleared
    assert not [line for line in report.splitlines() if line.lstrip().startswith("ok") and "[hidden]" in line]


def test_floods_the_report(batch):
    """Do megabytes of prints, control characters and fake case lines leave the report capped, true and unforged?"""
    assert_the_batch_was_not_harmed(batch, "floods_the_report")
    row = batch["grades"]["attack_floods_the_report"]
    assert row["status"] == "ok" and float(row["test_pool2d"]) == 3.0
    page = (batch["out"] / "feedback" / "attack_floods_the_report" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert len(page) < 1_000_000 and not re.search("[\x00-\x08\x0b-\x1f\x7f\u2028]", page)
    report = printed(batch, "attack_floods_the_report")
    forged = [line for line in report.splitlines() if "FORGED" in line]
    assert forged and all(line.startswith("       ") and not line.lstrip().startswith(("ok", "FAIL"))
                          for line in forged)
    printed_blocks = report.count("printed:")
    assert printed_blocks and report.count("| ") <= 22 * printed_blocks


# Leftovers


def test_leaves_processes(batch):
    """Is a double-forked daemon, and fifty children, dead once the student is graded?"""
    assert_the_batch_was_not_harmed(batch, "leaves_processes")
    assert not (batch["out"] / f"{batch['marker']}-daemon").exists()


def test_fills_tmp(batch):
    """Is a 500 MB file stopped at the private /tmp's cap, with a status naming the limit, and gone afterwards?"""
    assert_the_batch_was_not_harmed(batch, "fills_tmp")
    row = batch["grades"]["attack_fills_tmp"]
    assert row["status"] == "file-size", row["message"]
    assert "WROTE 500 MB" not in printed(batch, "attack_fills_tmp")


# Reaching out


def test_reaches_the_network(batch):
    """Can the student connect to a server on the grader's loopback?"""
    assert_the_batch_was_not_harmed(batch, "reaches_the_network")
    assert batch["server"].connections == 0
    page = printed(batch, "attack_reaches_the_network")
    assert "no connection" in page and f"{batch['marker']}-server-secret" not in page


# Bypassing the pooling ban


def test_bypasses_the_pooling_ban_is_flagged(batch):
    """Is pooling hidden from the dispatch watch flagged for review, in grades.csv and report.html?"""
    assert_the_batch_was_not_harmed(batch, "bypasses_the_pooling_ban")
    review = batch["grades"]["attack_bypasses_the_pooling_ban"]["review"]
    assert "disables torch's dispatch" in review
    report = html.unescape((batch["out"] / "report.html").read_text())
    section = report.split("Submissions to review", 1)[1]
    assert "attack_bypasses_the_pooling_ban" in section
    assert not [s for s in HONEST if batch["grades"][s]["review"]]
