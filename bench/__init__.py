"""Podium's benchmark harness: ``python -m bench`` (``make bench``).

Each contender (``bench/peers/``) runs as a real waitress server in its own
process, wrk drives it from the other core, and every ratio is taken between
two contenders measured in the same round.  ``bench/README.md`` explains how
to run it and how to read it.
"""

from pathlib import Path

#: The repository root: server processes run there, with it on their path.
REPO_ROOT = Path(__file__).resolve().parent.parent
