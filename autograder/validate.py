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
    """Parse `data` (bytes of the file called `name`) into an nbformat v4 notebook; returns (nb, notes).

    An older notebook (nbformat 3, say) is upgraded the way Jupyter upgrades
    it when it opens one, with a note saying so. Raises
    SubmissionProblem("invalid-notebook", ...) for bytes that are not UTF-8
    JSON, or JSON that is not a notebook.
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
    if not isinstance(major, int) or not 1 <= major <= 4:
        raise SubmissionProblem("invalid-notebook", f"{name} says it is nbformat {major!r}, which Jupyter cannot read")
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "its structure is broken"
        raise SubmissionProblem("invalid-notebook", f"{name} is not a valid notebook: {first_line}")
    notes = [] if major == 4 else [f"{name} was saved as nbformat {major}; it was upgraded to nbformat 4, "
                                   "as Jupyter does when it opens it"]
    return nb, notes
