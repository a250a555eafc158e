"""Worker processes forked from a warm server, one fresh process per submission.

Starting a Jupyter kernel and importing torch costs seconds per student. Here
a multiprocessing fork server imports everything once; each submission then
gets a brand-new process forked from it (max_tasks_per_child=1), so students
stay isolated but nobody pays the start-up again.
"""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

# Imported once by the fork server, inherited by every worker.
WARM_MODULES = [
    "torch",
    "numpy",
    "IPython.core.interactiveshell",
    "nbformat",
    "nbgrader.api",
    "nbgrader.preprocessors",
    "markdown_it",
    "autograder.worker",
    "autograder.recording_shell",
]


def warm_worker_pool(jobs, assignment_modules=()):
    """A ProcessPoolExecutor of `jobs` workers, each used for exactly one submission.

    assignment_modules: what the assignment's own cells import, warmed too
    (a module that fails to import is skipped by the fork server). The fork
    server is started once per grading process, so the first call's list wins.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WARM_MODULES + list(assignment_modules))
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, max_tasks_per_child=1)
