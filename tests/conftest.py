"""Shared test fixtures: where the `thunder` executable and the bundled robots are."""
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROBOTS = ROOT / "robots"


def thunder_bin() -> str:
    """The `thunder` executable under test: $THUNDER_BIN, else the one on PATH."""
    exe = os.environ.get("THUNDER_BIN") or shutil.which("thunder")
    if not exe:
        raise RuntimeError("thunder executable not found: install the project or set THUNDER_BIN")
    return exe


def run_thunder(*args, check=True, cwd=None, timeout=600):
    """Runs `thunder ARGS...`; returns the CompletedProcess (text mode)."""
    proc = subprocess.run([thunder_bin(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"thunder {' '.join(map(str, args))} failed ({proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def example_robot_data_dir() -> pathlib.Path:
    """The robots/ folder that the example-robot-data wheel installs under cmeel.prefix."""
    import sys
    for p in sys.path:
        d = pathlib.Path(p) / "cmeel.prefix" / "share" / "example-robot-data" / "robots"
        if d.is_dir():
            return d
    pytest.skip("example-robot-data is not installed")


@pytest.fixture
def thunder():
    return run_thunder
