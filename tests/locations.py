"""Where the tests find things: the repository, the venv's tools, the test fixtures."""
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
