"""Batched forward dynamics and simulation in thunder_torch (bench/dynamics.sh, step 3).

Rows, at batch 4096 (and 1), float64, all torch threads: FD (native kernels and the torch
backend) against torch.linalg.solve(M, tau - Cdq - G) from our own pieces (what users wrote
before FD existed), `step` (semi-implicit Euler and RK4), and the backward pass of a 100-step
rollout against its forward (the issue's bound: <= 3x).

    python bench/dynamics/torch_dynamics.py WORK OUT.json [--quick]
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from timing import interleaved  # noqa: E402


def gen(work, thunder, urdf, args, name):
    """The robot's artifacts, generated again whenever the thunder binary, the URDF or the
    arguments changed (artifacts of an older Thunder may no longer load)."""
    out = os.path.join(work, f"torch_{name}")
    cmd = [thunder, "gen", urdf, *args, "-n", name, "-o", out, "--targets", "casadi,torch,native",
           "--no-cuda", "--functions", "FD,M,Cdq,G,integrate"]
    key = hashlib.sha256(open(thunder, "rb").read() + open(urdf, "rb").read() + " ".join(cmd).encode()).hexdigest()
    keyfile = out + ".key"
    fresh = os.path.exists(os.path.join(out, "manifest.json")) and os.path.exists(keyfile) \
        and open(keyfile).read() == key
    if not fresh:
        if os.path.exists(out):
            shutil.rmtree(out)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(keyfile, "w") as f:
            f.write(key)
    return out


def main():
    work, out_file = sys.argv[1], sys.argv[2]
    quick = "--quick" in sys.argv[3:]
    import thunder_torch
    venv = os.path.dirname(sys.executable)
    thunder = os.environ.get("THUNDER", os.path.join(venv, "thunder"))
    import site
    erd = os.path.join(site.getsitepackages()[0], "cmeel.prefix/share/example-robot-data/robots")
    robots = {"panda": (os.path.join(erd, "panda_description/urdf/panda.urdf"), ["--ee", "panda_hand"]),
              "humanoid": (os.path.join(erd, "simple_humanoid_description/urdf/simple_humanoid.urdf"),
                           ["--floating-base"])}
    reps = 5 if quick else 11
    rows = []
    for name, (urdf, args) in robots.items():
        out = gen(work, thunder, urdf, args, name)
        for backend in ("native", "torch"):
            r = thunder_torch.load(out, dtype=torch.float64, backend=backend)
            for B in (1, 4096):
                g = torch.Generator().manual_seed(0)
                q = torch.rand(B, r.nq, generator=g, dtype=torch.float64) * 2 - 1
                if r.floating_base:
                    q[:, 3:7] /= q[:, 3:7].norm(dim=1, keepdim=True)
                dq = torch.rand(B, r.nv, generator=g, dtype=torch.float64) - 0.5
                tau = torch.rand(B, r.nv, generator=g, dtype=torch.float64) - 0.5

                def pieces():
                    rhs = tau - r.Cdq(q, dq) - r.G(q)
                    return torch.linalg.solve(r.M(q), rhs)

                with torch.no_grad():
                    err = float((r.FD(q, dq, tau) - pieces()).abs().max())
                    cases = {"FD": lambda: r.FD(q, dq, tau), "solve(M, tau - Cdq - G)": pieces,
                             "step semi-implicit Euler": lambda: r.step(q, dq, tau, 1e-3),
                             "step RK4": lambda: r.step(q, dq, tau, 1e-3, integrator="rk4")}
                    times = interleaved(cases, reps=reps)
                    for what, t in times.items():
                        if "median" not in t:
                            continue
                        s = t["median"]
                        rows.append({"robot": name, "backend": backend, "batch": B, "what": what,
                                     "s": s, "per_s": B / s, "fd_vs_pieces_err": err})
                        print(f"{name:9s} {backend:6s} B={B:5d} {what:26s} {B / s:12.4g} /s", file=sys.stderr)
            # backward of a 100-step rollout vs its forward, batch 256
            B = 256
            q0 = torch.zeros(B, r.nq, dtype=torch.float64)
            if r.floating_base:
                q0[:, 6] = 1
            dq0 = torch.zeros(B, r.nv, dtype=torch.float64)
            taus = torch.zeros(100, B, r.nv, dtype=torch.float64, requires_grad=True)
            for _ in range(2):   # the first pass loads libraries and plans: timed is the second
                taus.grad = None
                t0 = time.perf_counter()
                qs, _, _ = r.rollout(q0, dq0, taus, 100, 1e-3)
                t1 = time.perf_counter()
                qs[-1].sum().backward()
                t2 = time.perf_counter()
            rows.append({"robot": name, "backend": backend, "batch": B, "what": "rollout 100 steps",
                         "forward_s": t1 - t0, "backward_s": t2 - t1, "ratio": (t2 - t1) / (t1 - t0)})
            print(f"{name:9s} {backend:6s} rollout 100 steps B={B}: forward {t1 - t0:.3f} s, backward "
                  f"{t2 - t1:.3f} s ({(t2 - t1) / (t1 - t0):.2f}x)", file=sys.stderr)
    with open(out_file, "w") as f:
        json.dump({"threads": torch.get_num_threads(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
