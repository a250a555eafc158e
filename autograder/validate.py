"""Turn a submitted file's bytes into a notebook, or say clearly why not."""
import json

import nbformat


class SubmissionProblem(Exception):
    """A submission that cannot be graded normally: carries its status and a one-line message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def read_notebook(data, name):
    """Parse `data` (bytes of the file called `name`) into an nbformat v4 notebook.

    Raises SubmissionProblem("invalid-notebook", ...) for bytes that are not
    UTF-8 JSON, JSON that is not a notebook, or a notebook older than nbformat 4
    (re-saving it in a current Jupyter fixes that).
    """
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SubmissionProblem("invalid-notebook", f"{name} is not UTF-8 text")
    except json.JSONDecodeError as error:
        raise SubmissionProblem(
            "invalid-notebook", f"{name} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        )
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise SubmissionProblem("invalid-notebook", f"{name} is JSON but not a Jupyter notebook (no cells)")
    major = raw.get("nbformat")
    if not isinstance(major, int) or major < 4:
        raise SubmissionProblem(
            "invalid-notebook",
            f"{name} uses nbformat {major}, older than 4; open it in Jupyter and save it again",
        )
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SubmissionProblem("invalid-notebook", f"{name} is not a valid notebook: {first_line}")
    return nb
