"""Unitree G1 humanoid from its stock URDF: centroidal momentum, CoM, feet and forward dynamics
for thousands of states at once, and a free-fall check that needs no reference.

    python examples/humanoid_dynamics.py [--work gen/g1] [--batch 4096] [--plot g1.png]
    python examples/humanoid_dynamics.py --short    # what the test suite runs (torch backend, small batch)

The core is ten lines (below, between the `----` marks): generate, load, and evaluate A_G v
(centroidal momentum [linear; angular about the CoM], world-aligned), com, the foot frames and
FD on a batch, on the native backend (`thunder gen --native`) by default.

Check (physics, not our own numbers): in free fall with no joint torques the linear momentum
changes by m g per second and the angular momentum about the CoM is conserved. A short RK4
rollout of the batch shows both; they are printed and plotted.
"""
import argparse
import pathlib
import time

import torch

import thunder_torch
from sim_robots import example_robot_data, save_plot, thunder_gen

FEET = ["left_ankle_roll_link", "right_ankle_roll_link"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="gen/humanoid_dynamics", help="folder for the generated code")
    parser.add_argument("--batch", type=int, default=4096, help="states evaluated at once")
    parser.add_argument("--steps", type=int, default=200, help="RK4 steps of 1 ms in the free-fall check")
    parser.add_argument("--backend", default="native", help="thunder_torch backend (native needs --native at generation)")
    parser.add_argument("--device", default="cpu", help="torch device (cuda: generate with nvcc present for the CUDA kernels)")
    parser.add_argument("--short", action="store_true", help="torch backend, batch 8, 20 steps (the test suite's run)")
    parser.add_argument("--plot", default="humanoid_dynamics.png", help="free-fall plot (PNG)")
    args = parser.parse_args()
    if args.short:
        args.batch, args.steps, args.backend = 8, 20, "torch"
    device = args.device

    # ---- the ten lines
    urdf = example_robot_data() / "g1_description/urdf/g1_29dof_rev_1_0.urdf"
    out = pathlib.Path(args.work) / ("g1_native" if args.backend == "native" else "g1")
    if not (out / "manifest.json").is_file():   # thunder gen g1.urdf --floating-base --frames ... --native
        thunder_gen(urdf, out, "--floating-base", "--frames", ",".join(FEET), "--functions",
                    ",".join(["FD", "A_G", "com", "integrate"] + [f"T_w_{f}" for f in FEET]),
                    *(["--native"] if args.backend == "native" else []),
                    *([] if device.startswith("cuda") else ["--no-cuda"]))   # nvcc only for a GPU run
    g1 = thunder_torch.load(out, dtype=torch.float64, device=device, backend=args.backend)
    gen = torch.Generator().manual_seed(0)
    q = torch.cat([torch.zeros(args.batch, 6), torch.ones(args.batch, 1),                # base at the origin
                   0.3 * torch.randn(args.batch, g1.nq - 7, generator=gen)], 1).to(device, torch.float64)
    v = torch.randn(args.batch, g1.nv, generator=gen).to(device, torch.float64)
    h_G = (g1.A_G(q) @ v.unsqueeze(-1)).squeeze(-1)      # (B, 6) centroidal momentum
    c = g1.com(q)                                        # (B, 3) centre of mass
    feet = [getattr(g1, f"T_w_{f}")(q) for f in FEET]    # (B, 4, 4) foot placements
    t0 = time.perf_counter()
    dv = g1.FD(q, v, torch.zeros_like(v))                # (B, nv) forward dynamics, no torques
    t_fd = time.perf_counter() - t0
    # ----
    print(f"G1: nq={g1.nq}, nv={g1.nv}; FD of {args.batch} states on {device} ({args.backend}): "
          f"{1e3 * t_fd:.2f} ms; mean CoM height {float(c[:, 2].mean()):.3f} m, "
          f"mean foot distance {float((feet[0] - feet[1])[:, :3, 3].norm(dim=-1).mean()):.3f} m, "
          f"mean |dv| {float(dv.norm(dim=-1).mean()):.2f}")

    # free fall of a few states: dp/dt = m g, dk_G/dt = 0
    n = min(args.batch, 16)
    mass = float(g1.par_DYN.reshape(-1, 10)[:, 0].sum())
    g = torch.as_tensor(g1.par_gravity, dtype=torch.float64, device=device)
    dt = 1e-3
    qs, vs, _ = g1.rollout(q[:n], v[:n], torch.zeros(args.steps, n, g1.nv, dtype=torch.float64, device=device),
                           args.steps, dt, integrator="rk4")
    h = (g1.A_G(qs) @ vs.unsqueeze(-1)).squeeze(-1)      # (steps + 1, n, 6)
    t = torch.arange(args.steps + 1, dtype=torch.float64, device=device) * dt
    p_err = (h[..., :3] - h[0, :, :3] - mass * t[:, None, None] * g).norm(dim=-1)
    k_err = (h[..., 3:] - h[0, :, 3:]).norm(dim=-1)
    p_rel = float(p_err.max() / h[0, :, :3].norm(dim=-1).max())
    k_rel = float(k_err.max() / h[0, :, 3:].norm(dim=-1).max())
    print(f"free fall, {args.steps} RK4 steps of 1 ms: linear momentum - (p0 + m g t): {p_rel:.1e} relative; "
          f"angular momentum about the CoM - k0: {k_rel:.1e} relative")

    def draw(plt):
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.semilogy(t.cpu(), p_err.max(1).values.cpu().clamp_min(1e-18), label="|p − (p0 + m g t)|")
        ax.semilogy(t.cpu(), k_err.max(1).values.cpu().clamp_min(1e-18), label="|k_G − k_G(0)|")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("max over states (SI)")
        ax.legend()
        ax.set_title(f"G1 free fall, {n} states: momentum from A_G v")
    save_plot(args.plot, draw)


if __name__ == "__main__":
    main()
