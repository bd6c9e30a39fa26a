"""Trajectory optimisation through contact dynamics: a Go1 standing on the ground learns to squat
and rise again, by gradients through a rollout with thunder_torch.Ground.

    python examples/contact_trajopt.py [--work gen/contact_trajopt] [--iterations 40] [--plot trajopt.png]
    python examples/contact_trajopt.py --short       # what the test suite runs (a few iterations)

The decision variables are joint-target offsets at a few knots (linear in between) added to the
nominal stance of a joint PD controller with gravity compensation through the feet; the loss is
the squared error of the base height to a squat profile z_ref(t) = z0 − depth · sin(π t / T) plus
a penalty on the base's horizontal drift. The rollout (semi-implicit Euler, hard contacts with
friction μ = 1) is differentiated by autograd: the gradient is that of the contact mode each
step selected (all four feet sticking here). Adam; the loss per iteration is saved as a PNG.
"""
import argparse

import torch

from go1_ground import FEET, go1_with_ground, standing_pose, total_mass
from sim_robots import save_plot


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="gen/contact_trajopt", help="folder for the URDF and generated code")
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=0.6, help="horizon")
    parser.add_argument("--short", action="store_true", help="3 iterations, 0.16 s (the test suite's run)")
    parser.add_argument("--plot", default="contact_trajopt.png", help="loss curve (PNG)")
    args = parser.parse_args()
    if args.short:
        args.iterations, args.seconds = 3, 0.16
    torch.set_num_threads(1)
    robot, ground, _ = go1_with_ground(args.work)
    dt = 2e-3
    steps = int(round(args.seconds / dt))
    q0 = standing_pose(robot, drop=-1e-4)[None]          # on the floor (0.1 mm in: every foot in contact)
    dq0 = torch.zeros(1, robot.nv, dtype=torch.float64)
    q_nom = q0[0, 7:].clone()
    weight = torch.zeros(len(FEET), 3, dtype=torch.float64)
    weight[:, 2] = total_mass(robot) * 9.81 / len(FEET)
    # explicit PD at 2 ms: kd dt / I_calf must stay well under 2 for a lifted leg, hence kd = 1.5
    kp, kd, knots = 60.0, 1.5, 5
    t = torch.arange(steps + 1, dtype=torch.float64) * dt
    z_ref = q0[0, 2] - 0.04 * torch.sin(torch.pi * t / args.seconds)
    offsets = torch.zeros(knots, 12, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([offsets], lr=0.05)

    def controller(time, q, dq):
        s = time / args.seconds * (knots - 1)             # linear interpolation between the knots
        i = min(int(s), knots - 2)
        target = q_nom + offsets[i] + (s - i) * (offsets[i + 1] - offsets[i])
        ff = -(weight.reshape(-1) @ robot.J_contact(q)[..., 6:])
        tau_j = kp * (target - q[..., 7:]) - kd * dq[..., 6:] + ff
        return torch.cat([torch.zeros(*q.shape[:-1], 6, dtype=q.dtype), tau_j], -1)

    history = []
    for it in range(args.iterations):
        q, dq, _ = robot.rollout(q0, dq0, controller, steps, dt, with_time=True, contact=ground)
        track = (q[:, 0, 2] - z_ref).square().mean()
        loss = track + (q[:, 0, :2] - q0[0, :2]).square().sum(-1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(float(track.detach().sqrt()))
        print(f"iteration {it:3d}: base height RMS error {history[-1] * 1e3:.3f} mm")
    print(f"RMS height error: first {history[0] * 1e3:.3f} mm, last {history[-1] * 1e3:.3f} mm")
    print(f"deepest foot over the last rollout: {-float(ground.heights(q.detach()).min()) * 1e3:.3f} mm")

    def draw(plt):
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.semilogy([h * 1e3 for h in history])
        ax.set_xlabel("Adam iteration")
        ax.set_ylabel("base height RMS error (mm)")
        ax.set_title(f"Go1 squat through contact dynamics ({steps} steps)")
    save_plot(args.plot, draw)


if __name__ == "__main__":
    main()
