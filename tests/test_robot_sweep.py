"""scripts/robot_sweep.py (thunder gen on every example-robot-data URDF against Pinocchio) on two
of its robots, so that the script keeps working: a continuous-joint double pendulum and the Panda
with its mimic finger (the reference through Pinocchio's model without mimic joints), with a
floating base (continuous joint and mimic joint inside a free-flyer tree; fixed bases are the
suite's common case), every compared function within the script's 1e-9."""
import json
import pathlib
import subprocess
import sys

import pytest

from conftest import HANG_GUARD, ROOT, example_robot_data_dir

pytest.importorskip("pinocchio")


def test_sweep_agrees_with_pinocchio(tmp_path):
    example_robot_data_dir()  # skips without example-robot-data
    out = tmp_path / "sweep.json"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "robot_sweep.py"), "--only", "double_pendulum_continuous",
                           "--only", "panda_description/urdf/panda.urdf", "--floating", "--states", "1", "--json", str(out)],
                          capture_output=True, text=True, timeout=HANG_GUARD)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    records = json.loads(out.read_text())["records"]
    assert [(pathlib.Path(r["file"]).name, r["mode"], r["status"]) for r in records] == [
        ("double_pendulum_continuous.urdf", "floating", "ok"), ("panda.urdf", "floating", "ok")]
    panda = records[1]
    assert (panda["nq"], panda["nv"]) == (15, 14)
    for name in ("M", "tau", "G", "C", "FD", "M_inv", "tau_derivatives", "FD_derivatives", "Y", "M(pin mimic)",
                 "T_w_<frames>", "J_<frames>", "com", "J_com", "torch M", "torch FD"):
        assert panda["errors"][name] <= 1e-9, name
