"""The grader's side of one student's box: one request at a time, each with a deadline.

Deadlines are the grader's own: a request's deadline is the cell's time
limit, and no request outlives the notebook's deadline, which is fixed when
the box starts. Nothing the student's process sends can extend either. At a
cell's deadline the process is interrupted (SIGINT, as Jupyter does) and
given a few seconds to answer; at the notebook's deadline, or when it
ignores the interrupt, the box is killed, and every process in it with it.
Every reply is checked against its schema (protocol.py) and must carry the
id of the request it answers; anything else ends the box.
"""
import secrets
import signal
import socket
import time

from .inside import wire
from .protocol import ProtocolViolation, check_reply

INTERRUPT_GRACE_SECONDS = 3.0
READY_SECONDS = 60.0


class BoxEnded(Exception):
    """The student's process is gone; `why` says how (an exit, a signal, a kill by the grader)."""

    def __init__(self, why, deadline=False):
        super().__init__(why)
        self.why = why
        self.deadline = deadline


class CellTimedOut(BaseException):
    """A request passed its deadline; the student's process was interrupted and is idle again.

    A BaseException, so that a test cell's `except Exception` cannot swallow it.
    `reply` is the process's answer to the interrupted request.
    """

    def __init__(self, reply):
        super().__init__("the cell did not finish within its time limit")
        self.reply = reply


class StudentSession:
    def __init__(self, process, notebook_seconds):
        self.process = process
        self.notebook_deadline = time.monotonic() + notebook_seconds
        self.ended = None

    def _end(self, why, deadline=False):
        self.process.signal(signal.SIGKILL)
        self.process.is_dead(wait=10.0)
        self.ended = BoxEnded(why, deadline)
        return self.ended

    def _receive(self, until):
        try:
            return wire.receive(self.process.channel, deadline=until)
        except TimeoutError:  # an OSError too, but not an ending
            raise
        except (EOFError, OSError):
            self.process.is_dead(wait=5.0)
            raise self._end(self.process.exit_description())
        except wire.FrameError as error:
            raise self._end(f"it broke the grading protocol ({error})")

    def wait_ready(self):
        reply = self._receive(time.monotonic() + READY_SECONDS)
        try:
            check_reply("ready", reply)
        except ProtocolViolation as error:
            raise self._end(f"it broke the grading protocol ({error})")

    def request(self, op, payload, seconds):
        """Send one request and return its reply (a dict checked against its schema).

        Raises CellTimedOut after `seconds` (the process was interrupted and
        answered), BoxEnded when the process is gone or had to be killed.
        """
        if self.ended is not None:
            raise self.ended
        request_id = secrets.token_hex(8)
        until = min(time.monotonic() + seconds, self.notebook_deadline)
        try:
            self.process.channel.settimeout(max(0.1, until - time.monotonic()))
            wire.send(self.process.channel, {"op": op, "id": request_id, **payload})
        except (socket.timeout, OSError):
            raise self._end("it stopped reading the grader's requests")
        try:
            reply = self._receive(until)
            interrupted = False
        except TimeoutError:
            if until >= self.notebook_deadline:
                raise self._end("the notebook passed its time limit", deadline=True)
            self.process.signal(signal.SIGINT)
            try:
                reply = self._receive(time.monotonic() + INTERRUPT_GRACE_SECONDS)
            except TimeoutError:
                raise self._end("killed after ignoring the timeout interrupt")
            interrupted = True
        try:
            check_reply(op, reply, request_id)
        except ProtocolViolation as error:
            raise self._end(f"it broke the grading protocol ({error})")
        if interrupted:
            raise CellTimedOut(reply)
        return reply
