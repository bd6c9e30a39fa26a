"""The examples users copy must keep working: run them on a freshly generated Panda."""
import subprocess
import sys

from conftest import ROBOTS, ROOT, run_thunder


def test_identify_panda(tmp_path):
    out = tmp_path / "franka"
    run_thunder("gen", ROBOTS / "franka.yaml", "-o", out, "--targets", "casadi", "--pytorch")
    plot = tmp_path / "loss.png"
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "identify_panda.py"), str(out),
                           "--samples", "800", "--plot", str(plot)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    final = [l for l in proc.stdout.splitlines() if l.startswith("final torque prediction error")]
    assert final and float(final[0].split()[-2]) < 1.0, proc.stdout
    assert plot.is_file() and plot.stat().st_size > 1000
