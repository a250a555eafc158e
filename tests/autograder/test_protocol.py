"""Is a reply from a student's process used only when it has exactly the form the grader asked for?"""
import pytest

from autograder.protocol import ProtocolViolation, check_plain_outcome, check_reply


def test_a_well_formed_reply_passes():
    """Does a reply of the right form, answering the right request, pass?"""
    check_reply("run", {"event": "ran", "id": "abc", "outputs": [{"output_type": "stream", "name": "stdout",
                                                                  "text": "hi"}], "execution_count": 1}, "abc")


@pytest.mark.parametrize("reply", [
    {"event": "ran", "id": "other", "outputs": [], "execution_count": 1},
    {"event": "called", "id": "abc", "outcome": {}, "outputs": []},
    {"event": "ran", "id": "abc", "outputs": [], "execution_count": 1, "score": 12},
    {"event": "ran", "id": "abc", "outputs": [{"output_type": "stream", "name": "stdin", "text": ""}],
     "execution_count": 1},
    {"event": "ran", "id": "abc", "outputs": [{"output_type": "stream", "name": "stdout", "text": "x" * 500_000}],
     "execution_count": 1},
])
def test_a_reply_of_another_form_or_request_is_refused(reply):
    """Are replies to another request, of another kind, with extra keys, or oversized, refused?"""
    with pytest.raises(ProtocolViolation):
        check_reply("run", reply, "abc")


def test_a_plain_outcome_must_be_one_of_its_forms():
    """Is a call's outcome refused unless it is a return, an exception, a missing name or an interrupt?"""
    check_plain_outcome({"returned": [1, 2]})
    check_plain_outcome({"raised": {"type": "ValueError", "message": "no"}})
    with pytest.raises(ProtocolViolation):
        check_plain_outcome({"returned": 1, "passed": True})
