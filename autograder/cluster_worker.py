"""What a Dask worker runs for `grade --cluster`: one warm sandbox per worker, and the task grading one submission.

`CourseGrader` is a Dask worker plugin, set up once on every worker of the
cluster, and on every worker that joins later. From the worker's own course
checkout it first compares its course version with the client's
(course_version.py): a worker whose version differs refuses, grades nothing,
and says what differs. Otherwise it prepares the assignment exactly as a
local batch does (grade.py: the release, the limits, the gradebook's cells,
in a gradebook of its own in the worker's scratch), starts one warm zygote,
and then advertises the Dask resource named after the batch, so that the
scheduler sends the batch's tasks to ready workers only.

`grade_job` grades one submission from its bytes, with grade_one.py, and
returns the plain-data record as JSON text; the client validates it before
recording anything. Students' code runs only in boxes forked from the
zygote, never in the worker's own process.
"""
import asyncio
import json
import queue
import shutil
import threading
from concurrent.futures import Future
from pathlib import Path

from distributed import WorkerPlugin, get_worker

from . import REPO_ROOT
from .course_version import course_version, differences, fingerprint
from .scoring import one_line

STARTING, READY, REFUSED, FAILED = "starting", "ready", "refused", "failed"
# What grade_one returns on every path; grade.grade_with_retry's error replies leave some out.
EMPTY_RECORD = {"failures": {}, "review": [], "answered": None, "seconds": 0.0, "autograded": "", "feedback": ""}


class CourseVersionRefused(Exception):
    """The task's course version is not the worker's; the client sends the task to another worker."""


class WorkerNotReady(Exception):
    """The worker has no grader for this batch (it refused, or failed to start one)."""


class ZygoteThread:
    """One long-lived thread for starting zygotes: a zygote dies with the thread that started it (PR_SET_PDEATHSIG),
    and Dask's task threads may come and go."""

    def __init__(self):
        self.requests = queue.Queue()
        self.thread = threading.Thread(target=self._serve, name="autograder-zygote", daemon=True)
        self.thread.start()

    def _serve(self):
        while (request := self.requests.get()) is not None:
            function, done = request
            try:
                done.set_result(function())
            except BaseException as error:
                done.set_exception(error)

    def submit(self, function):
        done = Future()
        self.requests.put((function, done))
        return done

    def call(self, function):
        return self.submit(function).result()

    def stop(self):
        self.requests.put(None)


def course_on_worker(course):
    """The worker's own checkout of the course: `course` relative to its grader's checkout, or absolute."""
    path = Path(course)
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


class CourseGrader(WorkerPlugin):
    """One batch's grader on one worker.

    request (plain data from the client): name (the plugin's and the resource's), assignment,
    course (course_on_worker), options (GradeOptions' limits), version (course_version.py).
    """

    def __init__(self, request):
        self.request = request
        self.name = request["name"]
        self.state, self.message = STARTING, ""

    def setup(self, worker):
        self.worker, self.run, self.keeper, self.fingerprint = worker, None, None, None
        self.scratch = Path(worker.local_directory) / self.name
        self.zygotes = ZygoteThread()
        self.zygotes.submit(self._prepare)  # in the background: the worker must keep answering the scheduler

    def _prepare(self):
        try:
            course_root = course_on_worker(self.request["course"])
            found = course_version(course_root, self.request["assignment"])
            differ = differences(self.request["version"], found)
            if differ:
                self.state, self.message = REFUSED, f"it runs another version of the course: {differ}"
                return
            self.fingerprint = fingerprint(found)
            self.run = self._grading_run(course_root)
            from .grade import ZygoteKeeper

            self.keeper = ZygoteKeeper(self.run, in_thread=self.zygotes.call)
            resources = {self.name: self.worker.state.nthreads}
            asyncio.run_coroutine_threadsafe(self.worker.set_resources(**resources),
                                             self.worker.loop.asyncio_loop).result(timeout=60)
            self.state = READY
        except Exception as error:
            self.state, self.message = FAILED, one_line(f"could not start its grader: {error}", 1000)

    def _grading_run(self, course_root):
        """The same GradingRun a local batch makes (grade.py), from this worker's checkout and scratch."""
        from .__main__ import put_own_tools_on_path
        from .assignment_source import load_assignment_source
        from .grade import GradeOptions, GradingRun, new_zygote, release_for_grading, run_settings, run_setup_cells
        from .gradebook import DEFAULT_COURSE_ID
        from .restore import GradebookSnapshot

        put_own_tools_on_path()  # nbgrader runs alembic
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.scratch.mkdir(parents=True)
        db_url = f"sqlite:///{self.scratch / 'gradebook.db'}"
        options = GradeOptions(assignment=self.request["assignment"], submissions_dir=None, out_dir=self.scratch,
                               course_root=course_root, db_url=db_url, **self.request["options"])
        source = load_assignment_source(course_root, options.assignment)
        template, released = release_for_grading(source, db_url, self.scratch, DEFAULT_COURSE_ID)
        settings = run_settings(options, source, template, released)
        run_setup_cells(source, settings)
        zygote = new_zygote(source, released, self.scratch, options.sandbox).start()
        snapshot = GradebookSnapshot(db_url, source.name, source.notebook_name)
        return GradingRun(source, zygote, settings, snapshot, template, files=None)

    def grade(self, job):
        """Grade one job (the client's cluster.job_of); returns the record as JSON text."""
        from .discover import Submission
        from .grade import grade_with_retry

        if job["fingerprint"] != self.fingerprint:
            raise CourseVersionRefused(f"the worker {self.worker.address} runs another version of the course")
        submission = Submission(job["student_id"], origin="", notebook_name=job["notebook_name"], data=job["data"],
                                notes=list(job["notes"]))
        graded = grade_with_retry(self.run, self.keeper, submission)
        record = dict(EMPTY_RECORD, **graded, student_id=job["student_id"])
        record["message"] = one_line(record["message"], 1000)
        return json.dumps(record)

    async def teardown(self, worker):
        if self.state == READY:
            await worker.set_resources(**{self.name: 0})
        await asyncio.get_running_loop().run_in_executor(None, self._close)

    def _close(self):
        if self.run is not None:
            self.zygotes.call(self.run.zygote.close)
        self.zygotes.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)


def grade_job(plugin_name, job):
    """The Dask task: grade one submission on this worker with the batch's CourseGrader."""
    grader = get_worker().plugins.get(plugin_name)
    if grader is None or grader.state != READY:
        raise WorkerNotReady(f"this worker cannot grade this batch ({grader.message if grader else 'no grader'})")
    return grader.grade(job)


def worker_state(plugin_name, dask_worker):
    """For Client.run: (state, message) of this worker's grader for the batch."""
    grader = dask_worker.plugins.get(plugin_name)
    return (grader.state, grader.message) if grader is not None else (STARTING, "")
