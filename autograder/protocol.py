"""The form every reply from a student's process, or from a cluster's worker, must have (JSON Schema).

A reply that breaks its schema ends that student's grading with status
`error`; nothing in it is used. Sizes are capped here as well as by the
frame limit (inside/wire.py), so one reply cannot flood the feedback page
or the journal.
"""
import json

import jsonschema

MAX_OUTPUTS = 200
MAX_TEXT = 400_000
MAX_DATA = 2_000_000


def _object(required, properties):
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


_TEXT = {"type": "string", "maxLength": MAX_TEXT}
_STREAM = _object(["output_type", "name", "text"], {
    "output_type": {"const": "stream"}, "name": {"enum": ["stdout", "stderr"]}, "text": _TEXT})
_MIME = {"type": "object", "maxProperties": 16, "additionalProperties": {"anyOf": [
    {"type": "string", "maxLength": MAX_DATA}, {"type": "array", "maxItems": 10_000, "items": _TEXT}]}}
_RICH = _object(["output_type", "data"], {
    "output_type": {"enum": ["execute_result", "display_data"]}, "data": _MIME,
    "metadata": {"type": "object"}, "execution_count": {"type": ["integer", "null"]}})
_ERROR = _object(["output_type", "ename", "evalue"], {
    "output_type": {"const": "error"}, "ename": {"type": "string", "maxLength": 200},
    "evalue": {"type": "string", "maxLength": 20_000},
    "traceback": {"type": "array", "maxItems": 500, "items": {"type": "string", "maxLength": 20_000}}})
_OUTPUTS = {"type": "array", "maxItems": MAX_OUTPUTS, "items": {"anyOf": [_STREAM, _RICH, _ERROR]}}
_ID = {"type": "string", "maxLength": 64}

REPLIES = {
    "ready": _object(["event"], {"event": {"const": "ready"}}),
    "run": _object(["event", "id", "outputs", "execution_count"], {
        "event": {"const": "ran"}, "id": _ID, "outputs": _OUTPUTS, "execution_count": {"type": ["integer", "null"]}}),
    "call": _object(["event", "id", "outcome", "outputs"], {
        "event": {"const": "called"}, "id": _ID, "outcome": {"type": "object"},
        "outputs": {"type": "array", "maxItems": MAX_OUTPUTS, "items": _STREAM}}),
    "get": {"type": "object", "required": ["event", "id"], "additionalProperties": False, "properties": {
        "event": {"const": "got"}, "id": _ID, "missing": {"const": True}, "callable": {"const": True},
        "value": {}}},
    "interrupted": _object(["event", "id"], {"event": {"const": "interrupted"}, "id": _ID}),
}
VALIDATORS = {op: jsonschema.Draft202012Validator(schema) for op, schema in REPLIES.items()}


class ProtocolViolation(Exception):
    """The student's process sent a reply that is not what the grader asked for."""


def check_reply(op, reply, request_id=None):
    """Raise ProtocolViolation unless `reply` is a well-formed answer to `op` (with this request id)."""
    validator = VALIDATORS["interrupted"] if reply.get("event") == "interrupted" else VALIDATORS[op]
    error = jsonschema.exceptions.best_match(validator.iter_errors(reply))
    if error is not None:
        raise ProtocolViolation(f"a reply to '{op}' is malformed: {error.message[:150]}")
    if request_id is not None and reply.get("id") != request_id:
        raise ProtocolViolation(f"a reply to '{op}' answers another request")

# A plain call's outcome (no runner): what trusted_cells.RemoteFunction accepts.
PLAIN_OUTCOME = jsonschema.Draft202012Validator({"anyOf": [
    _object(["returned"], {"returned": {}}),
    _object(["raised"], {"raised": _object(["type", "message"], {
        "type": {"type": "string", "maxLength": 200}, "message": {"type": "string", "maxLength": 20_000}})}),
    _object(["missing"], {"missing": {"type": "string"}}),
    _object(["interrupted"], {"interrupted": {"const": True}}),
]})


def check_plain_outcome(outcome):
    error = jsonschema.exceptions.best_match(PLAIN_OUTCOME.iter_errors(outcome))
    if error is not None:
        raise ProtocolViolation(f"a call's outcome is malformed: {error.message[:150]}")


# What grading one submission may end with (scoring.status_of, validate.py, grade_one.py).
GRADED_STATUSES = ("ok", "error", "timeout", "deadline", "memory", "cpu-time", "file-size", "processes",
                   "invalid-notebook")
MAX_PAGE = 20_000_000  # the autograded notebook, or the feedback page
MAX_GRADED_REPLY = 2 * MAX_PAGE + 1_000_000
_LINE = {"type": "string", "maxLength": 200}  # scoring.one_line's limit


def graded_reply_schema(grade_cells):
    """A cluster worker's reply for one submission (grade_one.grade_submission's dict, and the student's id).

    grade_cells: ((grade_id, points), ...); each score lies between 0 and its cell's points.
    """
    points = dict(grade_cells)
    score = {grade_id: {"anyOf": [{"type": "number", "minimum": 0, "maximum": most}, {"type": "null"}]}
             for grade_id, most in points.items()}
    return _object(["student_id", "scores", "failures", "status", "message", "review", "answered", "seconds",
                    "autograded", "feedback"], {
        "student_id": {"type": "string", "maxLength": 200},
        "scores": _object([], score),
        "failures": {"type": "object", "propertyNames": {"enum": list(points)}, "additionalProperties": _LINE},
        "status": {"enum": list(GRADED_STATUSES)},
        "message": _LINE,
        "review": {"type": "array", "maxItems": 100, "items": _LINE},
        "answered": {"anyOf": [{"type": "null"}, {"type": "object", "maxProperties": 1000,
                                                  "additionalProperties": {"type": "boolean"}}]},
        "seconds": {"type": "number", "minimum": 0},
        "autograded": {"type": "string", "maxLength": MAX_PAGE},
        "feedback": {"type": "string", "maxLength": MAX_PAGE},
    })


def _no_constant(name):
    raise ValueError(f"{name} is not a number a grade can be")


class GradedReplyCheck:
    """Checks a cluster worker's reply (JSON text) for one submission of an assignment."""

    def __init__(self, grade_cells):
        self.validator = jsonschema.Draft202012Validator(graded_reply_schema(grade_cells))

    def __call__(self, text, student_id):
        """The reply as a dict; ProtocolViolation if it is not a well-formed grade of this student."""
        if not isinstance(text, str) or len(text) > MAX_GRADED_REPLY:
            raise ProtocolViolation("a worker's reply is not JSON text of a bounded size")
        try:
            reply = json.loads(text, parse_constant=_no_constant)
        except ValueError as error:
            raise ProtocolViolation(f"a worker's reply is not valid JSON: {str(error)[:150]}")
        error = jsonschema.exceptions.best_match(self.validator.iter_errors(reply))
        if error is not None:
            path = "/".join(str(part) for part in error.absolute_path)
            raise ProtocolViolation(f"a worker's reply is malformed at '{path}': {error.message[:150]}")
        if reply["student_id"] != student_id:
            raise ProtocolViolation("a worker's reply grades another student than the one sent")
        return reply
