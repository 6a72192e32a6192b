"""pytest set-up for the tests of the scripts/quddpm package: the package is imported from the
repository's scripts/ folder, as a notebook would (sys.path or PYTHONPATH=scripts)."""
import os
import sys

SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts")
sys.path.insert(0, os.path.abspath(SCRIPTS))
