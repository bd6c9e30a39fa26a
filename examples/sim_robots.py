"""Robots for the simulator examples: example-robot-data URDFs made loadable by MuJoCo, and
`thunder gen` on them (the examples import this file; it is not an example itself).

MuJoCo and Thunder must read the same URDF: meshes are dropped (MuJoCo would need the mesh files;
primitive collision shapes stay, so feet still touch the floor), and optionally the joint limits
and joint dynamics (so MuJoCo adds no limit or passive forces) and the <inertial> of named links
(Go1's `base` link carries a 1e-6 inertia that is not positive definite, which MuJoCo refuses).
"""
from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import sys
from typing import Sequence


def example_robot_data() -> pathlib.Path:
    """The robots/ folder installed by the example-robot-data wheel (under cmeel.prefix)."""
    for p in sys.path:
        d = pathlib.Path(p) / "cmeel.prefix" / "share" / "example-robot-data" / "robots"
        if d.is_dir():
            return d
    raise SystemExit("example-robot-data is not installed (pip install example-robot-data)")


def strip_urdf(src: pathlib.Path, dst: pathlib.Path, free_joints: bool = False,
               drop_inertial: Sequence[str] = ()) -> pathlib.Path:
    """Writes a copy of URDF `src` to `dst` without meshes (visuals, mesh collisions).

    Args:
        free_joints: also remove joint limits and dynamics (revolute joints become continuous).
        drop_inertial: links whose <inertial> is removed.
    """
    text = pathlib.Path(src).read_text()
    text = re.sub(r"<visual>.*?</visual>", "", text, flags=re.S)
    text = re.sub(r"<collision>(?:(?!</collision>).)*?<mesh.*?</collision>", "", text, flags=re.S)
    if free_joints:
        text = re.sub(r"<dynamics[^>]*/>|<limit[^>]*/>", "", text)
        text = text.replace('type="revolute"', 'type="continuous"')
    for link in drop_inertial:
        text = re.sub(r'(<link name="%s">\s*)<inertial>.*?</inertial>' % re.escape(link), r"\1", text,
                      flags=re.S)
    dst = pathlib.Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(text)
    return dst


def thunder_gen(urdf: pathlib.Path, out: pathlib.Path, *args: str) -> pathlib.Path:
    """Runs `thunder gen URDF -o OUT --targets casadi,torch ARGS` (the CLI next to this Python)."""
    exe = shutil.which("thunder") or str(pathlib.Path(sys.executable).parent / "thunder")
    cmd = [exe, "gen", str(urdf), "-o", str(out), "--targets", "casadi,torch", "-q", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")
    return pathlib.Path(out)


def save_plot(path, draw) -> None:
    """Calls draw(plt) on a fresh matplotlib figure (Agg) and saves it to `path` (PNG)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot")
        return
    draw(plt)
    plt.tight_layout()
    plt.savefig(path, dpi=100)
    plt.close("all")
    print(f"saved {path}")
