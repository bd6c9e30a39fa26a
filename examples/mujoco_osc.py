"""Operational-space control of UR5 arms simulated by MuJoCo, the model terms from Thunder.

    python examples/mujoco_osc.py [--work gen/osc] [--envs 16] [--seconds 4] [--plot osc.png]
    python examples/mujoco_osc.py --short          # what the test suite runs (a few seconds)

Several MuJoCo instances (one MjModel, one MjData per environment) step the UR5 of
example-robot-data; each hand tracks its own circle. Every control step reads all states at once,
maps them to Thunder's coordinates with `thunder_torch.bridge.mujoco` and evaluates, batched over
the environments, M, the bias h = C v + G, the hand Jacobian J and J̇ v; the bridge maps them to
MuJoCo's dof order (for a floating base also its velocity frames, see docs/SIMULATORS.md). The law
(Khatib 1987, position only, null-space damping):

    Λ = (J M⁻¹ Jᵀ)⁻¹,  F = Λ (ẍ* + Kp (x* − x) + Kd (ẋ* − ẋ) − J̇ v),  τ = Jᵀ F + h + Nᵀ (−Kq q̇)

goes to qfrc_applied. Prints the final tracking error, saves it over time as a PNG.
"""
import argparse
import math
import pathlib
import time

import mujoco
import numpy as np
import torch

import thunder_torch
from thunder_torch import bridge
from sim_robots import example_robot_data, save_plot, strip_urdf, thunder_gen

FUNCTIONS = "M,Cdq,G,J_ee,J_ee_dot,T_0_ee"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="gen/mujoco_osc", help="folder for the URDF and generated code")
    parser.add_argument("--envs", type=int, default=16, help="MuJoCo instances controlled in one batch")
    parser.add_argument("--seconds", type=float, default=4.0, help="simulated time")
    parser.add_argument("--short", action="store_true", help="4 environments, 0.4 s (the test suite's run)")
    parser.add_argument("--plot", default="mujoco_osc.png", help="tracking-error plot (PNG)")
    args = parser.parse_args()
    if args.short:
        args.envs, args.seconds = 4, 0.4

    # MuJoCo steps the environments one by one and the matrices are 6x6: torch's thread pool
    # would cost more than it saves (30x on small solves)
    torch.set_num_threads(1)
    work = pathlib.Path(args.work)
    urdf = strip_urdf(example_robot_data() / "ur_description/urdf/ur5_robot.urdf", work / "ur5.urdf",
                      free_joints=True)
    if not (work / "ur5" / "manifest.json").is_file():
        thunder_gen(urdf, work / "ur5", "--ee", "ee_link", "--functions", FUNCTIONS)
    robot = thunder_torch.load(work / "ur5", dtype=torch.float64, backend="torch")
    model = mujoco.MjModel.from_xml_path(str(urdf))
    model.opt.timestep = 1e-3
    datas = [mujoco.MjData(model) for _ in range(args.envs)]
    br = bridge.mujoco(robot, model)

    B, n = args.envs, model.nv
    g = torch.Generator().manual_seed(0)
    q0 = torch.tensor([0.0, -1.2, 1.6, -1.9, -1.6, 0.0], dtype=torch.float64)
    q0 = q0 + 0.1 * torch.randn(B, n, generator=g, dtype=torch.float64)
    for d, qi in zip(datas, br.from_thunder(q0, torch.zeros(B, n, dtype=torch.float64))[0]):
        d.qpos[:] = qi.numpy()
        mujoco.mj_forward(model, d)
    # each hand: a circle of radius r in a vertical plane around its start, period 2 s
    centre = robot.T_0_ee(q0)[:, :3, 3]
    radius, w = 0.05 + 0.05 * torch.rand(B, 1, generator=g, dtype=torch.float64), 2 * math.pi / 2.0
    phase = 2 * math.pi * torch.rand(B, 1, generator=g, dtype=torch.float64)

    def target(t):
        """x*, ẋ*, ẍ*: a circle faded in by a smoothstep s(t) over T = 0.3 s (x* = c + s d(t))."""
        c, s = torch.cos(w * t + phase), torch.sin(w * t + phase)
        zero = torch.zeros_like(c)
        d = radius * torch.cat([c - torch.cos(phase), zero, s - torch.sin(phase)], -1)   # d(0) = 0
        dd = radius * w * torch.cat([-s, zero, c], -1)
        ddd = -radius * w * w * torch.cat([c, zero, s], -1)
        T = 0.3
        tau = min(1.0, t / T)
        sm, sm1, sm2 = (3 * tau**2 - 2 * tau**3, (6 * tau - 6 * tau**2) / T, (6 - 12 * tau) / T**2) if t < T \
            else (1.0, 0.0, 0.0)
        return centre + sm * d, sm1 * d + sm * dd, sm2 * d + 2 * sm1 * dd + sm * ddd

    kp, kd, kq = 400.0, 40.0, 5.0
    steps = int(round(args.seconds / model.opt.timestep))
    err = np.zeros(steps)
    t0 = time.perf_counter()
    with torch.no_grad():
        for k in range(steps):
            qpos = torch.tensor(np.stack([d.qpos for d in datas]))
            qvel = torch.tensor(np.stack([d.qvel for d in datas]))
            q, v = br.to_thunder(qpos, qvel)
            M = robot.M(q)
            J = robot.J_ee(q)
            # every term in MuJoCo's coordinates: u = qvel, M_sim u̇ + b_sim = qfrc
            M_sim = br.M_to_sim(M, q)
            b_sim = br.bias_to_sim(robot.Cdq(q, v) + robot.G(q), q, v, M)
            J_sim = br.J_to_sim(J, q)[:, :3]
            Jdu = (br.J_dot_to_sim(robot.J_ee_dot(q, v), q, v, J)[:, :3] @ qvel.unsqueeze(-1)).squeeze(-1)
            x, dx = robot.T_0_ee(q)[:, :3, 3], (J_sim @ qvel.unsqueeze(-1)).squeeze(-1)
            xr, dxr, ddxr = target(k * model.opt.timestep)
            Minv_Jt = torch.linalg.solve(M_sim, J_sim.transpose(-1, -2))
            Lam = torch.linalg.inv(J_sim @ Minv_Jt)
            F = (Lam @ (ddxr + kp * (xr - x) + kd * (dxr - dx) - Jdu).unsqueeze(-1)).squeeze(-1)
            # dynamically consistent null space: N = I − J⁺ J with J⁺ = M⁻¹ Jᵀ Λ
            N = torch.eye(n, dtype=q.dtype) - Minv_Jt @ Lam @ J_sim
            tau = (J_sim.transpose(-1, -2) @ F.unsqueeze(-1)).squeeze(-1) + b_sim \
                + (N.transpose(-1, -2) @ (-kq * qvel).unsqueeze(-1)).squeeze(-1)
            err[k] = float((x - xr).norm(dim=-1).mean())
            for d, f in zip(datas, tau.numpy()):
                d.qfrc_applied[:] = f
                mujoco.mj_step(model, d)
    elapsed = time.perf_counter() - t0
    print(f"{B} UR5s in MuJoCo x {steps} steps, Thunder terms batched: {B * steps / elapsed:.3g} env-steps/s")
    print(f"final tracking error (mean over environments): {1e3 * err[-1]:.3f} mm")

    def draw(plt):
        plt.figure(figsize=(6, 3.5))
        plt.semilogy(np.arange(1, steps + 1) * model.opt.timestep, 1e3 * np.maximum(err, 1e-9))
        plt.xlabel("time (s)")
        plt.ylabel("mean |x − x*| (mm)")
        plt.title(f"operational-space control, {B} MuJoCo UR5s")
    save_plot(args.plot, draw)


if __name__ == "__main__":
    main()
