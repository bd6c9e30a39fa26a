"""FD_contact_derivatives (our generated C, -O2, called through ctypes) against Pinocchio's
constraintDynamics + computeConstraintDynamicsDerivatives (interpreted, its Python binding), and
FD_contact against our FD, per call, side by side in one process (issue 24's targets).

    python bench/contact_derivatives.py [--work DIR] [--robot solo12|go1|ROBOT.urdf:FOOT,FOOT,...]

Every contact active, the feet as 3D point contacts (FRAME:6d: a flat 6D contact, Pinocchio's
CONTACT_6D), LOCAL_WORLD_ALIGNED on both sides, the same random state; prints the agreement of
ddq_dq with Pinocchio's (for 6D contacts Pinocchio 4.1's drift is the spatial acceleration, which
differs from J̇ dq while the foot moves: docs/FUNCTIONS.md; the times compare all the same) and the medians (bench/timing.py:
repetitions interleave the implementations). The ctypes call costs ~1 µs and Pinocchio's binding
a few µs of Python on top of the C++: both sides carry a call overhead of that order.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import pathlib
import subprocess
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from timing import interleaved  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROBOTS = {
    "solo12": ("solo_description/robots/solo12.urdf", ["FL_FOOT", "FR_FOOT", "HL_FOOT", "HR_FOOT"]),
    "go1": ("go1_description/urdf/go1.urdf", ["FL_foot", "FR_foot", "RL_foot", "RR_foot"]),
    # a humanoid on two flat (6D) feet
    "humanoid": ("simple_humanoid_description/urdf/simple_humanoid.urdf", ["l_ankle:6d", "r_ankle:6d"]),
}


def erd():
    for p in sys.path:
        d = pathlib.Path(p) / "cmeel.prefix" / "share" / "example-robot-data" / "robots"
        if d.is_dir():
            return d
    raise SystemExit("example-robot-data is not installed")


class CFunction:
    """One CasADi-generated C function from a shared library, called with CasADi's convention."""

    def __init__(self, lib, name, n_in, n_out):
        self.f = getattr(lib, name)
        work = getattr(lib, name + "_work")
        sz = [ctypes.c_longlong() for _ in range(4)]
        work(*[ctypes.byref(s) for s in sz])
        self.iw = (ctypes.c_longlong * max(1, sz[2].value))()
        self.w = (ctypes.c_double * max(1, sz[3].value))()
        self.arg = (ctypes.c_void_p * max(n_in, sz[0].value))()
        self.res = (ctypes.c_void_p * max(n_out, sz[1].value))()
        self.keep = []

    def bind(self, inputs, outputs):
        self.keep = [*inputs, *outputs]
        for i, x in enumerate(inputs):
            self.arg[i] = x.ctypes.data
        for i, y in enumerate(outputs):
            self.res[i] = y.ctypes.data

    def __call__(self):
        self.f(self.arg, self.res, self.iw, self.w, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default="gen/bench_contact_derivatives")
    ap.add_argument("--robot", default="solo12")
    a = ap.parse_args()
    import pinocchio as pin
    if a.robot in ROBOTS:
        rel, feet = ROBOTS[a.robot]
        urdf, name = erd() / rel, a.robot
    else:
        path, _, feet_s = a.robot.partition(":")
        urdf, feet, name = pathlib.Path(path), feet_s.split(","), pathlib.Path(path).stem
    work = pathlib.Path(a.work)
    out = work / name
    env = dict(os.environ, THUNDER_CHUNK_ABOVE="1000000000")   # one C file per function
    subprocess.run([str(ROOT / ".venv" / "bin" / "thunder"), "gen", str(urdf), "--floating-base", "-n", name,
                    "-o", str(out), "--targets", "cpp", "--contacts", ",".join(feet), "--functions",
                    "FD,FD_contact,FD_contact_derivatives", "-q", "--force"], check=True, env=env)
    man = json.loads((out / "manifest.json").read_text())
    lib_path = out / f"libbench_{name}.so"
    srcs = [str(out / "cpp" / f"thunder_{name}_{f}.c") for f in ("FD", "FD_contact", "FD_contact_derivatives")]
    subprocess.run(["cc", "-O2", "-fPIC", "-shared", "-o", str(lib_path), *srcs, "-lm"], check=True)
    lib = ctypes.CDLL(str(lib_path))
    fns = {f["name"]: f for f in man["functions"]}

    model = pin.buildModelFromUrdf(str(urdf), pin.JointModelFreeFlyer())
    data = model.createData()
    assert [model.names[j] for j in range(2, model.njoints)] == man["joints"][1:], "joint order"
    nq, nv, k = model.nq, model.nv, len(feet)
    rng = np.random.default_rng(0)
    q = pin.randomConfiguration(model, -np.ones(nq) * 1.0, np.ones(nq) * 1.0)
    q[:3] = 0
    v, tau = rng.standard_normal(nv), rng.uniform(-5, 5, nv)
    tau[:6] = 0
    active = np.ones(k)

    def outs(fname):
        return [np.zeros(o["shape"][0] * o["shape"][1]) for o in fns[fname]["outputs"]]
    ours = {}
    for fname, ins in (("FD_contact_derivatives", [q, v, tau, active]), ("FD_contact", [q, v, tau, active]),
                       ("FD", [q, v, tau])):
        f = CFunction(lib, f"thunder_{name}_{fname}", len(ins), len(fns[fname]["outputs"]))
        res = outs(fname)
        f.bind([np.ascontiguousarray(x, dtype=float) for x in ins], res)
        ours[fname] = (f, res)

    def constraint(spec):
        frame, _, kind = spec.partition(":")
        fr = model.frames[model.getFrameId(frame)]
        return pin.RigidConstraintModel(pin.ContactType.CONTACT_6D if kind == "6d" else pin.ContactType.CONTACT_3D,
                                        model, fr.parentJoint, fr.placement, pin.ReferenceFrame.LOCAL_WORLD_ALIGNED)
    models = pin.StdVec_RigidConstraintModel([constraint(ft) for ft in feet])
    datas = pin.StdVec_RigidConstraintData([m.createData() for m in models])
    prox = pin.ProximalSettings(1e-14, 0.0, 1)
    pin.initConstraintDynamics(model, data, models, datas)

    def pinocchio():
        pin.constraintDynamics(model, data, q, v, tau, models, datas, prox)
        pin.computeConstraintDynamicsDerivatives(model, data, models, datas, prox)

    # agreement (with a 6D contact at v = 0, where both drifts are J̇ dq = 0), then the timed state
    flat = any(ft.endswith(":6d") for ft in feet)
    v_timed = v.copy()
    if flat:
        v[:] = 0
    pinocchio()
    ours["FD_contact_derivatives"][0]()
    ddq_dq = ours["FD_contact_derivatives"][1][0].reshape(nv, nv, order="F")
    err = float(np.abs(ddq_dq - data.ddq_dq).max())
    scale = float(np.abs(data.ddq_dq).max())
    v[:] = v_timed
    print(f"{name}: nv {nv}, {k} active contacts ({','.join(feet)}); max |ddq_dq ours - Pinocchio| = {err:.2e} "
          f"(scale {scale:.2e}{', at v = 0' if flat else ''})")
    counts = {f: fns[f]["n_instructions"] for f in ("FD", "FD_contact", "FD_contact_derivatives")}
    print(f"instructions: {counts}; FD_contact / FD = {counts['FD_contact'] / counts['FD']:.2f}")
    t = interleaved({"ours FD_contact_derivatives": ours["FD_contact_derivatives"][0],
                     "Pinocchio constraintDynamics + derivatives": pinocchio,
                     "ours FD_contact": ours["FD_contact"][0], "ours FD": ours["FD"][0]}, reps=21)
    for key, r in t.items():
        print(f"  {key:45s} {r['median'] * 1e6:9.2f} us")
    print(f"FD_contact_derivatives / Pinocchio = "
          f"{t['ours FD_contact_derivatives']['median'] / t['Pinocchio constraintDynamics + derivatives']['median']:.2f}; "
          f"FD_contact / FD = {t['ours FD_contact']['median'] / t['ours FD']['median']:.2f}; "
          f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
