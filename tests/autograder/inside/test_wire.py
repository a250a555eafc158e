"""Does the channel between grader and sandbox carry only well-formed JSON frames, within their limits and deadlines?"""
import socket
import struct
import threading
import time

import pytest

from autograder.inside import wire


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    yield ours, theirs
    ours.close()
    theirs.close()


def test_a_frame_arrives_as_sent(pair):
    """Does a message come out of the channel exactly as it went in?"""
    ours, theirs = pair
    wire.send(theirs, {"event": "ran", "outputs": [{"text": "é"}], "n": 1.5})
    assert wire.receive(ours, deadline=time.monotonic() + 5) == {"event": "ran", "outputs": [{"text": "é"}], "n": 1.5}


def test_an_oversized_frame_is_refused_before_it_is_read(pair):
    """Is a frame that claims to be larger than the limit refused at its header?"""
    ours, theirs = pair
    theirs.sendall(struct.pack("!I", wire.MAX_FRAME_BYTES + 1))
    with pytest.raises(wire.FrameError, match="over the"):
        wire.receive(ours, deadline=time.monotonic() + 5)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"{" * 100_000])
def test_a_body_that_is_not_a_json_object_is_refused(pair, body):
    """Is anything but a JSON object (a pickle, a list, deep nesting) refused as a frame?"""
    ours, theirs = pair
    theirs.sendall(struct.pack("!I", len(body)) + body)
    with pytest.raises(wire.FrameError):
        wire.receive(ours, deadline=time.monotonic() + 5)


def test_a_silent_peer_meets_the_deadline(pair):
    """Does a read end at its deadline when no frame comes?"""
    ours, _ = pair
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        wire.receive(ours, deadline=started + 0.3)
    assert time.monotonic() - started < 3


def test_a_frame_begun_before_the_deadline_is_read_whole(pair):
    """Is a frame that starts before the deadline and ends after it read whole, so the next read starts on a frame?"""
    ours, theirs = pair
    frame = wire.encode_frame({"event": "ran", "text": "x" * 1000})
    theirs.sendall(frame[:10])
    threading.Timer(0.5, theirs.sendall, [frame[10:]]).start()
    assert wire.receive(ours, deadline=time.monotonic() + 0.2)["event"] == "ran"


def test_a_frame_that_stalls_halfway_ends_the_conversation(pair, monkeypatch):
    """Is a frame whose rest never comes refused, rather than leaving the reader in the middle of it?"""
    ours, theirs = pair
    monkeypatch.setattr(wire, "REST_OF_FRAME_SECONDS", 0.3)
    theirs.sendall(struct.pack("!I", 100) + b"{")
    with pytest.raises(wire.FrameError, match="stopped halfway"):
        wire.receive(ours, deadline=time.monotonic() + 5)


def test_a_closed_peer_ends_the_read(pair):
    """Is a peer that has gone reported as EOFError?"""
    ours, theirs = pair
    theirs.close()
    with pytest.raises(EOFError):
        wire.receive(ours, deadline=time.monotonic() + 5)
