"""The suite's strength, measured: scripts/mutation_check.py plants every listed bug (one at a time,
in a scratch copy) and runs the tests that cover its area; each must be caught. Slow group: it
builds the C++ core once in the copy and rebuilds after each C++ mutation (docs/TESTING.md)."""
import subprocess
import sys

import pytest

from conftest import HANG_GUARD, ROOT


@pytest.mark.slow
def test_every_planted_bug_is_caught():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "mutation_check.py")], capture_output=True,
                          text=True, timeout=3 * HANG_GUARD, cwd=ROOT)
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "| missed |" not in proc.stdout and "| stale |" not in proc.stdout
