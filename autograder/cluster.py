"""`grade --cluster`: a batch's submissions graded by a Dask cluster's workers, and recorded here alone.

Each task carries one submission's bytes and the course version, so the
workers need no shared disk; each worker grades with its own warm sandbox
(cluster_worker.py). Every reply is untrusted: it is JSON text, checked
against a schema before this process records it (protocol.GradedReplyCheck),
and the journal, grades.csv, the report, the feedback files and the gradebook
are written by this process only (grade.py). A task whose workers keep dying
ends as `error` after Dask's allowed failures
(distributed.scheduler.allowed-failures), and the class goes on.
"""
import hashlib
import json
import os
import time
from pathlib import Path

import dask
from distributed import Client, KilledWorker, LocalCluster, wait

from . import REPO_ROOT
from .assignment_source import GradingSetupError
from .cluster_worker import (FAILED, READY, REFUSED, STARTING, CourseGrader, CourseVersionRefused, grade_job,
                             worker_state)
from .course_version import course_version, fingerprint
from .protocol import GradedReplyCheck, ProtocolViolation

WORKERS_SECONDS = 120  # for the first worker to join
WARM_UP_SECONDS = 600  # for every worker's grader to be ready, or to refuse
POLL_SECONDS = 5
# Tasks sent ahead per worker thread, so that no worker waits while this process records; the rest
# wait here, not in the scheduler's memory.
IN_FLIGHT_PER_THREAD = 16
MAX_REFUSALS = 3


def connect(address):
    """(Client, LocalCluster or None) for --cluster: a scheduler's address, or local:N worker processes."""
    try:
        if address.startswith("local:"):
            workers = int(address.split(":", 1)[1])
            if workers < 1:
                raise ValueError
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address="127.0.0.1:0")
            return Client(cluster), cluster
    except ValueError:
        raise GradingSetupError(f"--cluster {address}: local:N needs a number of workers, e.g. local:2")
    try:
        return Client(address, timeout="30s"), None
    except (OSError, TimeoutError, ValueError) as error:
        raise GradingSetupError(f"cannot reach the Dask scheduler at {address}: {error}. Is `dask scheduler` "
                                "running there, and does this machine's Dask TLS configuration match it?")


def _course_for_workers(course_root):
    """The course's path as a worker finds it: relative to the grader's checkout when inside it."""
    course_root = Path(course_root).resolve()
    return os.path.relpath(course_root, REPO_ROOT) if course_root.is_relative_to(REPO_ROOT) else str(course_root)


def _limits(options):
    names = ("timeout", "memory_mb", "notebook_timeout", "cpu_seconds", "tmp_mb", "processes", "case_seconds",
             "sandbox")
    return {name: getattr(options, name) for name in names}


def job_of(submission, version_fingerprint):
    """What one task carries: the submission's bytes and what discovery found, and the course version."""
    return {"student_id": submission.student_id, "notebook_name": submission.notebook_name,
            "data": submission.data, "notes": list(submission.notes), "fingerprint": version_fingerprint}


def error_record(message):
    return {"scores": {}, "status": "error", "message": message}


class ClusterGrading:
    """A batch's connection to the cluster: the client, the workers' plugin, the check of their replies."""

    def __init__(self, client, cluster, request, console, check):
        self.client, self.cluster, self.request, self.console, self.check = client, cluster, request, console, check
        self.name = request["name"]
        self.fingerprint = fingerprint(request["version"])
        self.states = {}

    @classmethod
    def start(cls, batch):
        """Connect, set a grader up on every worker, and wait until they are ready or refuse."""
        options, source = batch.options, batch.source
        version = course_version(options.course_root, source.name)
        limits = _limits(options)
        name = "autograder-{}-{}".format(source.name, hashlib.sha256(
            json.dumps([fingerprint(version), limits], sort_keys=True).encode()).hexdigest()[:12])
        request = {"name": name, "assignment": source.name, "course": _course_for_workers(options.course_root),
                   "options": limits, "version": version}
        client, cluster = connect(options.cluster)
        grading = cls(client, cluster, request, batch.console, GradedReplyCheck(source.grade_cells))
        try:
            batch.console.print(f"cluster: {client.scheduler.address}; Dask dashboard: {client.dashboard_link}",
                                highlight=False)
            grading._set_up_workers()
        except BaseException:
            grading.close()
            raise
        return grading

    def _set_up_workers(self):
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:
            raise GradingSetupError(f"no Dask worker joined the scheduler {self.client.scheduler.address} "
                                    f"within {WORKERS_SECONDS} s")
        self.client.register_plugin(CourseGrader(self.request))
        deadline = time.monotonic() + WARM_UP_SECONDS
        while STARTING in self._report_workers().values() and time.monotonic() < deadline:
            time.sleep(1)
        ready = [address for address, state in self.states.items() if state == READY]
        if not ready:
            raise GradingSetupError("no Dask worker can grade this batch; each refused or failed (see above)")
        allowed = dask.config.get("distributed.scheduler.allowed-failures")
        self.console.print(f"cluster: {len(ready)} worker(s) ready; a submission whose worker dies is graded "
                           f"again elsewhere, up to {allowed} times", highlight=False)

    def _report_workers(self):
        """{address: state} of every worker's grader, printing each refusal or failure once."""
        try:
            found = self.client.run(worker_state, self.name, on_error="ignore")
        except (OSError, TimeoutError):
            return self.states
        for address, (state, message) in found.items():
            if state != self.states.get(address) and state in (REFUSED, FAILED):
                self.console.print(f"[bold red]worker {address} {state} to grade:[/] {message}", highlight=False)
            self.states[address] = state
        return self.states

    def _submit(self, submission):
        return self.client.submit(grade_job, self.name, job_of(submission, self.fingerprint), pure=False,
                                  resources={self.name: 1}, key=f"{self.name}-{submission.student_id}-{time.time_ns()}")

    def grade_each(self, batch, submissions):
        """Yield (submission, checked record) as the workers finish them; each submission exactly once."""
        waiting = list(reversed(submissions))
        threads = sum(self.client.nthreads().values()) or 1
        pending, refusals, last_report = {}, {}, time.monotonic()

        def send_more():
            while waiting and len(pending) < IN_FLIGHT_PER_THREAD * threads:
                submission = waiting.pop()
                pending[self._submit(submission)] = submission

        while waiting or pending:
            send_more()
            try:
                done = wait(list(pending), timeout=POLL_SECONDS, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            if time.monotonic() - last_report > POLL_SECONDS:
                self._report_workers()
                threads, last_report = sum(self.client.nthreads().values()) or 1, time.monotonic()
            for future in done:
                submission = pending.pop(future)
                try:
                    yield submission, self._record_of(future, submission)
                except CourseVersionRefused as refusal:
                    refusals[submission.student_id] = refusals.get(submission.student_id, 0) + 1
                    if refusals[submission.student_id] >= MAX_REFUSALS:
                        yield submission, error_record(f"not graded: {refusal}, {MAX_REFUSALS} times")
                    else:
                        waiting.append(submission)
                future.release()
                send_more()

    def _record_of(self, future, submission):
        """The worker's record, checked; an error record when the worker failed or its reply is not acceptable."""
        try:
            reply = future.result()
        except KilledWorker:
            allowed = dask.config.get("distributed.scheduler.allowed-failures")
            return error_record(f"not graded: the worker grading this submission died each of {allowed + 1} "
                                "times it was tried (it may exhaust the machine); grade it alone to see why")
        except (CourseVersionRefused, OSError, TimeoutError):
            raise
        except Exception as error:
            return error_record(f"the worker could not grade this submission ({type(error).__name__}: {error})"[:1000])
        try:
            return self.check(reply, submission.student_id)
        except ProtocolViolation as violation:
            return error_record(f"not graded: {violation}")

    def close(self):
        try:
            self.client.unregister_worker_plugin(self.name)
        except Exception:
            pass  # a worker gone, a plugin never registered: its grader goes with it
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
