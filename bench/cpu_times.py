"""CPU seconds used so far by one server (every process of its session) and
by PostgreSQL's processes: ``python -m bench.cpu_times SESSION_ID``.

``bench/deployment.sh`` reads it before and after a measured run, so that
each run says what a request cost each party on the shared cores (target 4
depends on it: see bench/README.md).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

_TICKS = os.sysconf("SC_CLK_TCK")


def snapshot(session_id: int) -> tuple[float, float]:
    """(the session's CPU seconds, PostgreSQL's), user and system time."""
    app = postgres = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                comm, _, rest = f.read().partition(" (")[2].rpartition(") ")
        except OSError:  # gone meanwhile
            continue
        fields = rest.split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS
        if int(fields[3]) == session_id:
            app += seconds
        elif comm == "postgres":
            postgres += seconds
    return app, postgres


def main(argv: Sequence[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    app, postgres = snapshot(int(args[0]))
    print(f"{app:.2f} {postgres:.2f}")


if __name__ == "__main__":
    main()
