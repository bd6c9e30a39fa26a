"""4096 Go1s standing on the ground in thunder_torch, pushed, and recovering: batched simulation
with contacts (thunder_torch.Ground) under a PD + gravity-compensation controller.

    python examples/quadruped_stand.py [--work gen/quadruped_stand] [--envs 4096] [--seconds 2]
                                       [--backend native] [--plot quadruped_stand.png]
    python examples/quadruped_stand.py --short     # what the test suite runs (8 envs, 0.3 s, torch)

The robots are dropped 2 cm onto a floor (μ = 1) and at t = push_time each gets a push: a base
velocity of up to 0.6 m/s in a random horizontal direction. The controller is a joint PD around
the nominal stance plus the joint torques that carry the weight through the feet,
τ_ff = −J_c,jointsᵀ f with f = m g / 4 up at each foot (J_c = J_contact of the generated module,
the joint columns): the static balance of a standing quadruped, so the PD only corrects errors.
Prints env-steps/s, the deepest foot penetration, the final base heights, and saves the base height over
time (mean and the 5-95 % band over the environments) as a PNG.
"""
import argparse
import time

import numpy as np
import torch

from go1_ground import FEET, go1_with_ground, standing_pose, total_mass
from sim_robots import save_plot


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="gen/quadruped_stand", help="folder for the URDF and generated code")
    parser.add_argument("--envs", type=int, default=4096)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--push-time", type=float, default=0.8, help="when the pushes come (s)")
    parser.add_argument("--backend", default="native", choices=["native", "torch"])
    parser.add_argument("--short", action="store_true", help="8 envs, 0.3 s, torch backend (the test suite's run)")
    parser.add_argument("--plot", default="quadruped_stand.png", help="base-height plot (PNG)")
    args = parser.parse_args()
    if args.short:
        args.envs, args.seconds, args.push_time, args.backend = 8, 0.3, 0.15, "torch"
    torch.set_num_threads(1)    # measured: on 2 shared cores one thread is faster (docs/SIMULATION.md)
    robot, ground, _ = go1_with_ground(args.work, native=args.backend == "native")
    B, dt = args.envs, 1e-3
    steps, push_step = int(round(args.seconds / dt)), int(round(args.push_time / dt))
    q0 = standing_pose(robot, drop=0.02)
    q_nom = q0[7:].clone()
    weight = torch.zeros(len(FEET), 3, dtype=torch.float64)
    weight[:, 2] = total_mass(robot) * 9.81 / len(FEET)      # m g / 4 up at each foot
    kp, kd = 80.0, 4.0

    def control(q, dq):
        J = robot.J_contact(q)                                  # (B, 12, 18)
        ff = -(weight.reshape(-1) @ J[..., 6:])                 # −J_c,jointsᵀ f
        tau_j = kp * (q_nom - q[..., 7:]) - kd * dq[..., 6:] + ff
        return torch.cat([torch.zeros(*q.shape[:-1], 6, dtype=q.dtype), tau_j], -1)

    g = torch.Generator().manual_seed(0)
    angle = 2 * torch.pi * torch.rand(B, generator=g, dtype=torch.float64)
    speed = 0.6 * torch.rand(B, generator=g, dtype=torch.float64)
    push = torch.zeros(B, robot.nv, dtype=torch.float64)
    push[:, 0], push[:, 1] = speed * torch.cos(angle), speed * torch.sin(angle)   # base frame = world at yaw 0

    q, dq = q0.expand(B, -1).clone(), torch.zeros(B, robot.nv, dtype=torch.float64)
    z, depth = np.zeros((steps + 1, B)), 0.0
    z[0] = q[:, 2].numpy()
    h = torch.tensor(dt, dtype=torch.float64)
    t0 = time.perf_counter()
    with torch.no_grad():
        for k in range(steps):
            if k == push_step:
                dq = dq + push
            q, dq, info = ground.step(q, dq, control(q, dq), h)
            z[k + 1] = q[:, 2].numpy()
            depth = max(depth, -float(info["height"].min()))
    elapsed = time.perf_counter() - t0
    print(f"{B} Go1s x {steps} steps with ground contacts ({args.backend}, controller included): "
          f"{B * steps / elapsed:.3g} env-steps/s")
    print(f"deepest foot penetration: {1e3 * depth:.2f} mm; base height at the end: "
          f"{z[-1].mean():.4f} m (min {z[-1].min():.4f}, max {z[-1].max():.4f})")
    print(f"base speed at the end: max {float(dq[:, :3].norm(dim=-1).max()):.3g} m/s")

    def draw(plt):
        t = np.arange(steps + 1) * dt
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(t, z.mean(1), label="mean")
        ax.fill_between(t, np.percentile(z, 5, 1), np.percentile(z, 95, 1), alpha=0.3, label="5-95 %")
        ax.axvline(args.push_time, color="k", ls=":", label="push")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("base height (m)")
        ax.legend()
        ax.set_title(f"{B} Go1s on the ground (thunder_torch.Ground, {args.backend})")
    save_plot(args.plot, draw)


if __name__ == "__main__":
    main()
