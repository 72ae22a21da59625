"""What ``podium db upgrade`` prints on an ini with logging: alembic's lines once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PODIUM = str(Path(sys.executable).with_name("podium"))


def test_alembic_says_its_context_once_and_each_revision_once(tmp_path):
    shutil.copy(ROOT / "development.ini", tmp_path / "development.ini")
    environ = {**os.environ, "PODIUM_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    result = subprocess.run([PODIUM, "db", "upgrade", str(tmp_path / "development.ini")],
                            env=environ, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert output.count("Context impl SQLiteImpl.") == 1, output
    assert output.count("Running upgrade  -> podium_0001") == 1, output
    assert "Applied podium_0001" in output
    again = subprocess.run([PODIUM, "db", "upgrade", str(tmp_path / "development.ini")],
                           env=environ, capture_output=True, text=True, timeout=120)
    assert "Nothing to apply" in again.stdout, again.stdout + again.stderr
