"""Frames: one JSON document, prefixed by its length, per message.

The only thing that crosses between the grader and a sandboxed student
process. Never a pickle: a frame is parsed as JSON and nothing else, so a
hostile student can send wrong data but no code. A frame longer than the
reader's limit, or one that is not a JSON object, ends the conversation.
"""
import json
import select
import struct
import time

HEADER = struct.Struct("!I")
MAX_FRAME_BYTES = 16 * 1024 * 1024
# Once a frame has begun, the rest of it must follow within this long: a
# deadline that fell inside a frame would leave the next read mid-frame.
REST_OF_FRAME_SECONDS = 30.0


class FrameError(Exception):
    """The other end sent something that is not a well-formed frame."""


def encode_frame(message):
    payload = json.dumps(message, separators=(",", ":")).encode()
    return HEADER.pack(len(payload)) + payload


def send(sock, message):
    """Write one frame to a connected socket (blocking)."""
    sock.sendall(encode_frame(message))


def _read_exactly(sock, size, deadline):
    chunks = []
    while size:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([sock], [], [], wait)[0]:
                raise TimeoutError
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(sock, deadline=None, limit=MAX_FRAME_BYTES):
    """Read one frame; returns the decoded JSON object.

    deadline: a time.monotonic() value after which TimeoutError is raised if
    no frame has begun (None waits for ever); a frame that has begun gets
    REST_OF_FRAME_SECONDS more to arrive whole, else FrameError. Raises
    EOFError when the other end has closed, FrameError for an oversized
    frame or a body that is not a JSON object.
    """
    first = _read_exactly(sock, 1, deadline)
    rest = None if deadline is None else time.monotonic() + REST_OF_FRAME_SECONDS
    try:
        (size,) = HEADER.unpack(first + _read_exactly(sock, HEADER.size - 1, rest))
        if size > limit:
            raise FrameError(f"a message of {size} bytes is over the {limit}-byte limit")
        body = _read_exactly(sock, size, rest)
    except TimeoutError:
        raise FrameError(f"a message stopped halfway for over {REST_OF_FRAME_SECONDS:g} s") from None
    try:
        message = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise FrameError(f"a message is not valid JSON ({type(error).__name__})") from None
    if not isinstance(message, dict):
        raise FrameError("a message is not a JSON object")
    return message
