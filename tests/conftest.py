import sys
from pathlib import Path

# tests/ holds helper modules (notebook_runner) next to the tests that use them.
sys.path.insert(0, str(Path(__file__).resolve().parent))
