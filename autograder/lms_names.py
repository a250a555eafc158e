"""What an LMS download's file or folder name says about a student: who, their LMS ids, and whether late.

The formats of the downloads instructors get:

- Canvas, "Download Submissions":  doejane_12345_67890_pool2d.ipynb, or
  doejane_LATE_12345_67890_pool2d.ipynb (a sortable-name key, LATE for a late
  submission, the Canvas user id, the submission id, the student's file name);
- Moodle, "Download all submissions": a folder or file named
  Jane Doe_123456_assignsubmission_file_<file> (the display name and the
  participant id of that assignment);
- Blackboard: pool2d_jsmith_attempt_2026-12-01-09-30-00_pool2d.ipynb (the
  user name and the time of the attempt);
- anything else: <student>_<anything>, the student id first.

A display name is never used as an id on its own: names repeat.
"""
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

CANVAS = re.compile(r"^(?P<key>[a-z0-9]+)(?P<late>_LATE)?_(?P<user>\d+)_(?P<submission>\d+)(_(?P<rest>.*))?$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(file|onlinetext)_(?P<rest>.*)$")
BLACKBOARD = re.compile(r"^(?P<assignment>.+?)_(?P<user>[^_]+)_attempt_(?P<time>\d{4}(-\d\d){5})(_(?P<rest>.*))?$")


@dataclass
class LmsEntry:
    """One name from an LMS download.

    key: what identifies the student when no roster says otherwise; lms: the
    LMS's name for the kind of ids, ids: {kind: value}; name: a display name;
    late: the LMS marked it late; time: when it was submitted, if the name says.
    """

    key: str
    lms: str = ""
    ids: dict = field(default_factory=dict)
    name: str = ""
    late: bool = False
    time: datetime = None


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def parse_lms_name(stem):
    """The LmsEntry of a file's stem or a folder's name; None if it is neither an LMS name nor `<id>_<anything>`."""
    if match := MOODLE.match(stem):
        return LmsEntry(slug(match["name"]), "moodle", {"moodle_participant_id": match["participant"]},
                        match["name"])
    if match := BLACKBOARD.match(stem):
        time = datetime.strptime(match["time"], "%Y-%m-%d-%H-%M-%S").replace(tzinfo=timezone.utc)
        return LmsEntry(match["user"], "blackboard", {"blackboard_user": match["user"]}, time=time)
    if match := CANVAS.match(stem):
        return LmsEntry(match["key"], "canvas", {"canvas_user_id": match["user"]}, late=bool(match["late"]))
    if "_" in stem:
        return LmsEntry(stem.split("_", 1)[0])
    return None
