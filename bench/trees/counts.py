"""Instruction counts of thunder's functions against Pinocchio's algorithms on casadi::SX, on many
robots of example-robot-data (issue 21: "checked also on robots you do not see, with the
generated code counted the same way").

    python bench/trees/counts.py [--only NAME,...] [--urdf NAME=PATH,FRAME[,fixed] ...] [--out table.md]

For each robot: Pinocchio's model as bench/trees/pin_tree_model.py writes it, the functions of
bench/trees/pin_sx.cpp on casadi::SX (outputs densified, CSE), and `thunder gen --targets casadi`
of the same URDF (floating base for mobile robots, `--ee` for arms); the table gives
n_instructions, thunder / Pinocchio. pin_sx is built once into bench/build/trees/pin_sx_build
(the directory bench/trees.sh uses; minutes of compiling Pinocchio's headers on SX).
"""
from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = ROOT / "bench" / "build" / "trees" / "pin_sx_build"
FUNCTIONS = ["M", "tau", "C", "Y", "tau_derivatives", "FD_derivatives"]
# name: (URDF under example-robot-data/robots, frame Pinocchio's model keeps, floating base)
ROBOTS = {
    "a1": ("a1_description/urdf/a1.urdf", "RR_foot", True),
    "anymal_b": ("anymal_b_simple_description/robots/anymal.urdf", "RH_FOOT", True),
    "anymal_c": ("anymal_c_simple_description/urdf/anymal.urdf", "RH_FOOT", True),
    "hyq": ("hyq_description/robots/hyq_no_sensors.urdf", "rh_foot", True),
    "go1": ("go1_description/urdf/go1.urdf", "FL_foot", True),
    "go2": ("go2_description/urdf/go2.urdf", "RR_foot", True),
    "b1": ("b1_description/urdf/b1.urdf", "RR_foot", True),
    "solo12": ("solo_description/robots/solo12.urdf", "HR_FOOT", True),
    "solo8": ("solo_description/robots/solo.urdf", "HR_FOOT", True),
    "bolt": ("bolt_description/robots/bolt.urdf", "FR_FOOT", True),
    "g1": ("g1_description/urdf/g1_29dof_rev_1_0.urdf", "left_ankle_roll_link", True),
    "simple_humanoid": ("simple_humanoid_description/urdf/simple_humanoid.urdf", "r_wrist", True),
    "talos_reduced": ("talos_data/robots/talos_reduced.urdf", "leg_right_6_link", True),
    "romeo_small": ("romeo_description/urdf/romeo_small.urdf", "RAnkleRoll", True),
    "icub_reduced": ("icub_description/robots/icub_reduced.urdf", "r_ankle_2", True),
    "panda": ("panda_description/urdf/panda.urdf", "panda_hand", False),
    "ur5": ("ur_description/urdf/ur5_robot.urdf", "tool0", False),
    "z1": ("z1_description/urdf/z1.urdf", "link06", False),
    "xarm7": ("xarm_description/urdf/xarm7.urdf", "link7", False),
}


def site() -> pathlib.Path:
    return pathlib.Path(sysconfig.get_paths()["purelib"])


def pin_sx() -> pathlib.Path:
    exe = BUILD / "pin_sx"
    if not exe.exists():
        print(f"counts: building {exe} (minutes)", file=sys.stderr)
        prefix = f"{site() / 'cmeel.prefix'};{site() / 'casadi' / 'cmake'}"
        gen = ["-G", "Ninja"] if shutil.which("ninja") else []
        subprocess.run(["cmake", "-S", str(ROOT / "bench" / "trees"), "-B", str(BUILD), *gen,
                        "-DCMAKE_BUILD_TYPE=Release", "-DBENCH_ROBOTS=", f"-DCMAKE_PREFIX_PATH={prefix}"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", str(BUILD), "--target", "pin_sx"], check=True)
    return exe


def counts(name, urdf, frame, floating, work: pathlib.Path, thunder: str):
    """(thunder's n_instructions, Pinocchio's) per function, or an error string."""
    model = work / f"{name}.pin.txt"
    extra = [] if floating else ["--fixed-base"]
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "trees" / "pin_tree_model.py"), str(urdf), frame,
                        str(model), *extra], capture_output=True, text=True)
    if r.returncode:
        return f"Pinocchio model: {r.stderr.strip().splitlines()[-1]}"
    sx = work / f"{name}.sx.json"
    r = subprocess.run([str(pin_sx()), str(model), str(sx)], capture_output=True, text=True)
    if r.returncode:
        return f"pin_sx: {r.stderr.strip()[-200:]}"
    out = work / name
    args = ["--floating-base"] if floating else ["--ee", frame]
    r = subprocess.run([thunder, "gen", str(urdf), *args, "-o", str(out), "--targets", "casadi", "-q",
                        "--functions", ",".join(FUNCTIONS)], capture_output=True, text=True)
    if r.returncode:
        return f"thunder gen: {r.stderr.strip()[-200:]}"
    manifest = json.loads((out / "manifest.json").read_text())
    ours = {f["name"]: f["n_instructions"] for f in manifest["functions"]}
    theirs = json.loads(sx.read_text())["functions"]
    return manifest["nv"], {k: (ours[k], theirs[k]["n_instructions"]) for k in FUNCTIONS if k in ours and k in theirs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated robot names (default: all of ROBOTS)")
    ap.add_argument("--urdf", action="append", default=[], metavar="NAME=PATH,FRAME[,fixed]",
                    help="a robot outside example-robot-data (floating base unless ',fixed'); "
                         "with --urdf only those run unless --only names others")
    ap.add_argument("--out", help="also write the table to this markdown file")
    ap.add_argument("--thunder", default=shutil.which("thunder") or str(ROOT / ".venv" / "bin" / "thunder"))
    a = ap.parse_args()
    erd = site() / "cmeel.prefix" / "share" / "example-robot-data" / "robots"
    extra = {}
    for spec in a.urdf:
        name, _, rest = spec.partition("=")
        parts = rest.split(",")
        if not name or len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "fixed"):
            ap.error(f"--urdf {spec}: expected NAME=PATH,FRAME[,fixed]")
        extra[name] = (pathlib.Path(parts[0]).resolve(), parts[1], len(parts) == 2)
    names = a.only.split(",") if a.only else ([] if extra else list(ROBOTS))
    names += [n for n in extra if n not in names]
    lines = [f"`python bench/trees/counts.py` ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC): "
             "n_instructions, thunder / Pinocchio on casadi::SX (ratio).", "",
             "| robot | nv | " + " | ".join(FUNCTIONS) + " |", "|---|---:|" + "---:|" * len(FUNCTIONS)]
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            path, frame, floating = extra[name] if name in extra else ROBOTS[name]
            res = counts(name, erd / path, frame, floating, pathlib.Path(tmp), a.thunder)
            if isinstance(res, str):
                lines.append(f"| {name} | – | {res} |" + " |" * (len(FUNCTIONS) - 1))
            else:
                nv, c = res
                cells = [f"{c[k][0]:,} / {c[k][1]:,} ({c[k][0] / c[k][1]:.2f})" if k in c else "–" for k in FUNCTIONS]
                lines.append(f"| {name}{'' if floating else ' (fixed)'} | {nv} | " + " | ".join(cells) + " |")
            print(lines[-1], flush=True)
    if a.out:
        pathlib.Path(a.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
