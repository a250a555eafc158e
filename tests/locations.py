"""Where the tests find things: the repository, the venv's tools, the test fixtures, the built site."""
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
# The built site under test: this checkout's, or that of the checkout COURSE_BOOK_DIR names.
SITE_DIR = Path(os.environ.get("COURSE_BOOK_DIR", REPO_ROOT)).resolve() / "_build" / "html"
