"""Torch backend at humanoid scale (issue 23): FD per call of thunder's torch schedules and adam
0.5's PyTorch ABA (adam.pytorch.KinDynComputationsBatch.aba) on the same URDF and batch, measured
side by side in one run, float64, CPU.

    python bench/torch_scale.py OUT URDF [--batch 4096] [--threads 2] [--reps 5] [--no-adam]
        [--runtime DIR]

--runtime DIR: import thunder_torch from DIR (e.g. `git archive REV python/thunder_torch`
extracted) instead of the installed one, to time an earlier runtime on the same artifact.

OUT: `thunder gen URDF --floating-base -o OUT --functions FD --targets torch` (or a fixed-base
robot without --floating-base). Prints, per implementation, the best wall and CPU seconds per
call (no_grad), thunder's forward+backward through FD, the 1-minute load average, and the joint
accelerations' largest difference between thunder and adam at a state both describe the same
way (base at the origin, base velocity zero, so adam's mixed and Pinocchio's local base
conventions coincide).
"""
import argparse
import json
import os
import time

import sys

import torch

if "--runtime" in sys.argv:   # before thunder_torch is imported: the installed one is editable
    _dir = sys.argv[sys.argv.index("--runtime") + 1]
    sys.meta_path = [f for f in sys.meta_path if "editable" not in type(f).__name__.lower()
                     and "scikit" not in str(f).lower()]
    sys.path.insert(0, _dir)
import thunder_torch as tt  # noqa: E402


def timed(fn, reps):
    """Best wall and best CPU (this process) seconds of one call over reps calls."""
    fn()
    wall = cpu = float("inf")
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return wall, cpu


def adam_urdf(urdf, folder):
    """The URDF with an explicit identity <origin> on every joint that has none (the same model:
    URDF's default origin is the identity; adam 0.5 fails on a missing one, e.g. g1's)."""
    import xml.etree.ElementTree as ET
    tree = ET.parse(urdf)
    for j in tree.getroot().iter("joint"):
        if j.find("origin") is None:
            ET.SubElement(j, "origin", {"xyz": "0 0 0", "rpy": "0 0 0"})
    path = os.path.join(folder, "adam_" + os.path.basename(urdf))
    tree.write(path)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("urdf")
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--no-adam", action="store_true")
    ap.add_argument("--runtime", default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dt, B = torch.float64, a.batch
    r = tt.load(a.out, dtype=dt, backend="torch")
    manifest = json.load(open(os.path.join(a.out, "manifest.json")))
    nq, nv = manifest["nq"], manifest["nv"]
    floating = bool(manifest.get("floating_base"))
    g = torch.Generator().manual_seed(0)
    q = torch.rand(B, nq, dtype=dt, generator=g) * 2 - 1
    if floating:   # base at the origin, unit quaternion (x y z w): adam gets the same base
        q[:, :7] = torch.tensor([0, 0, 0, 0, 0, 0, 1], dtype=dt)
    dq = torch.rand(B, nv, dtype=dt, generator=g) * 2 - 1
    if floating:
        dq[:, :6] = 0
    tau = torch.rand(B, nv, dtype=dt, generator=g) * 2 - 1
    load = os.getloadavg()[0]
    print(f"# batch {B}, float64, {a.threads} threads, runtime {tt.__file__}, load {load:.1f} "
          f"(1 min) at start")
    rows = []
    with torch.no_grad():
        rows.append(("thunder torch FD (no_grad)",) + timed(lambda: r.FD(q, dq, tau), a.reps))
    qg = q.clone().requires_grad_()

    def fwd_bwd():
        r.FD(qg, dq, tau).sum().backward()
    rows.append(("thunder torch FD forward+backward",) + timed(fwd_bwd, max(2, a.reps // 2)))
    diff = None
    if not a.no_adam:
        from adam.pytorch import KinDynComputationsBatch
        # the actuated joints in thunder's (Pinocchio's) order
        joints = [j for j in manifest["joints"] if j != "root_joint"]
        grav = torch.tensor([0, 0, -9.81, 0, 0, 0], dtype=dt)
        kd = KinDynComputationsBatch(adam_urdf(a.urdf, a.out), joints, device=torch.device("cpu"), dtype=dt, gravity=grav)
        H = torch.eye(4, dtype=dt).expand(B, 4, 4).contiguous()
        vb = torch.zeros(B, 6, dtype=dt)
        off = 7 if floating else 0
        qj, dqj = q[:, off:].contiguous(), dq[:, nv - len(joints):].contiguous()
        tj = tau[:, nv - len(joints):].contiguous()

        def adam_aba():   # joint torques only: adam's floating base is unactuated
            return kd.aba(H, qj, vb, dqj, tj)
        with torch.no_grad():
            rows.append(("adam 0.5 ABA (no_grad)",) + timed(adam_aba, a.reps))
            # the same state for both: zero base torque for thunder too
            tau0 = tau.clone()
            if floating:
                tau0[:, :6] = 0
            n = 64
            ours = r.FD(q[:n], dq[:n], tau0[:n])[:, nv - len(joints):]
            H_n, vb_n = H[:n], vb[:n]
            theirs = kd.aba(H_n, qj[:n], vb_n, dqj[:n], tj[:n])
            theirs = theirs.reshape(n, -1)[:, -len(joints):]
            diff = float((ours - theirs).abs().max() / ours.abs().max())
    base = rows[0][1]
    print("| implementation | wall s per call | CPU s per call | evals/s (wall) | wall / thunder no_grad |")
    print("|---|---:|---:|---:|---:|")
    for name, w, c in rows:
        print(f"| {name} | {w:.4f} | {c:.4f} | {B / w:,.0f} | {w / base:.2f} |")
    if diff is not None:
        print(f"joint accelerations, thunder vs adam (64 states, base at rest): max relative "
              f"difference {diff:.1e}")
    print(f"# load {os.getloadavg()[0]:.1f} (1 min) at the end")


if __name__ == "__main__":
    main()
