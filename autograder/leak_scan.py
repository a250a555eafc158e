"""Look for the course's secrets (course_secrets.py) in a folder about to be published.

Each file is read the ways a student could read it: an HTML page as its text
(code highlighting splits a line over many tags) and as its markup, a
notebook or JSON file as its strings, a zip archive member by member, and any
text with its JSON and JavaScript string escapes undone. A binary file (an
image, a font) is compared by its bytes with the grading files.
"""
import hashlib
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from .course_secrets import course_secrets

# Runs of these bytes are a text's words and numbers. A byte translation and
# split finds them in megabytes of JavaScript far faster than a regex.
WORD_BYTES = bytes(b if b >= 128 or chr(b).isalnum() or chr(b) == "_" else 32 for b in range(256))
NUMBER_BYTES = bytes(b if chr(b) in "0123456789." else 32 for b in range(256))
ESCAPES = {'\\"': '"', "\\'": "'", "\\n": "\n", "\\t": "\t", "\\/": "/", "\\\\": "\\"}
ESCAPE = re.compile("|".join(re.escape(e) for e in ESCAPES))
SHOWN_CHARS = 120


@dataclass(frozen=True)
class Leak:
    """A secret found in a published file (a zip's member is named `archive.zip!member`)."""

    path: str
    kind: str      # "line", "value" or "file"
    secret: str
    source: str    # where the secret comes from

    def __str__(self):
        secret = self.secret if len(self.secret) <= SHOWN_CHARS else self.secret[:SHOWN_CHARS] + "..."
        return f"{self.path}: {self.kind} from {self.source}: {secret}"


@dataclass
class Scan:
    """What a scan read (every file, zip members included) and the leaks it found."""

    files: list = field(default_factory=list)
    leaks: list = field(default_factory=list)


class _TextAndAttributes(HTMLParser):
    """A page's text, as a browser joins it, and its attribute values apart."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.attributes.extend(value for _, value in attrs if value)

    def handle_data(self, data):
        self.text.append(data)


def html_text(markup):
    """A page's text, then each of its attribute values on a line of its own."""
    parser = _TextAndAttributes()
    parser.feed(markup)
    parser.close()
    return "".join(parser.text) + "\n" + "\n".join(parser.attributes)


def json_strings(document):
    """Every string (keys too) of a JSON document, one after another."""
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for key, value in document.items():
            yield key
            yield from json_strings(value)
    elif isinstance(document, list):
        # A notebook's source is a list of lines, each ending in its newline.
        if all(isinstance(item, str) for item in document):
            yield "".join(document)
        else:
            for item in document:
                yield from json_strings(item)


def readable_texts(name, data):
    """The texts a reader gets from one file's bytes; none for a binary file."""
    if b"\0" in data[:8192]:
        return []
    raw = data.decode("utf-8", errors="replace")
    texts = [raw]
    if "\\" in raw:
        texts.append(ESCAPE.sub(lambda match: ESCAPES[match.group()], raw))
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".html", ".htm", ".xhtml", ".svg", ".xml"):
        texts.append(html_text(raw))
    if suffix in (".ipynb", ".json"):
        try:
            texts.append("\n".join(json_strings(json.loads(raw))))
        except ValueError:
            pass  # not JSON after all: the raw text was read above
    return texts


def runs(text, kept):
    """The set of runs of `kept` bytes (a translation table) in a text's UTF-8."""
    return set(text.encode("utf-8").translate(kept).split())


class Scanner:
    """Finds one course's secrets in published files, adding what it reads and finds to a Scan."""

    def __init__(self, secrets):
        self.secrets = secrets
        self.scan = Scan()
        # A line is found where it occurs in a text that holds each of its
        # words whole: the fast check of the words spares most lines the
        # substring search.
        self.line_words = [(line, runs(line, WORD_BYTES)) for line in secrets.lines]
        # A value is looked up by the digits before its exponent ("1.2345678"
        # of "1.2345678e-05"), then confirmed whole.
        self.mantissas = {}
        for value in secrets.values:
            self.mantissas.setdefault(value.split("e")[0].encode(), []).append(value)

    def leaks_in_text(self, name, text):
        """The secret lines and values that occur in one text."""
        words = runs(text, WORD_BYTES)
        leaks = [Leak(name, "line", line, self.secrets.lines[line])
                 for line, needed in self.line_words if needed <= words and line in text]
        for mantissa in runs(text, NUMBER_BYTES) & self.mantissas.keys():
            leaks.extend(Leak(name, "value", value, self.secrets.values[value])
                         for value in self.mantissas[mantissa] if "e" not in value or value in text)
        return leaks

    def scan_bytes(self, name, data):
        """Read one file (for a zip, each of its members too)."""
        self.scan.files.append(name)
        digest = hashlib.sha256(data).hexdigest()
        if digest in self.secrets.files:
            self.scan.leaks.append(Leak(name, "file", self.secrets.files[digest], self.secrets.files[digest]))
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.infolist():
                    if not member.is_dir():
                        self.scan_bytes(f"{name}!{member.filename}", archive.read(member))
            return
        found = {}
        for text in readable_texts(name, data):
            for leak in self.leaks_in_text(name, text):
                found.setdefault((leak.kind, leak.secret), leak)
        self.scan.leaks.extend(found.values())


def scan_folder(folder, secrets, skip=(".git",)):
    """The Scan of every file under `folder`, folders named in `skip` left out."""
    folder = Path(folder)
    scanner = Scanner(secrets)
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not set(relative.parts) & set(skip):
            scanner.scan_bytes(relative.as_posix(), path.read_bytes())
    return scanner.scan


def main(args):
    """`python -m autograder check-published FOLDER...`: 0 if no secret is found, 1 if one is, 2 on a bad folder."""
    missing = [folder for folder in args.folders if not Path(folder).is_dir()]
    if missing:
        print(f"No such folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    secrets = course_secrets(args.course)
    found = False
    for folder in args.folders:
        scan = scan_folder(folder, secrets)
        for leak in scan.leaks:
            print(f"SECRET {folder}/{leak}")
        found = found or bool(scan.leaks)
        print(f"{folder}: read {len(scan.files)} files, found {len(scan.leaks)} secrets")
    return 1 if found else 0
