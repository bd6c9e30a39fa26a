"""A torque sequence optimised by backpropagation through a batched rollout (differentiable
simulation) so that the Panda's hand reaches a target position at the final time.

    thunder gen robots/franka.yaml -o gen/franka_opt --pytorch --functions FD,T_0_ee,G,integrate
    python examples/optimize_trajectory.py gen/franka_opt [--iterations 100] [--plot loss.png]

The decision variables are the torques of every step (50 steps of 10 ms, semi-implicit Euler),
added to gravity compensation and a little joint damping (the rollout's controller is a callable
of (t, q, dq)); the loss is the squared distance of the hand to the target at the end plus a
penalty on the final velocity. Adam optimises several random initial guesses at once (a batch of
rollouts, one loss summed over them); the best distance per iteration is saved as a PNG.
"""
import argparse

import torch

import thunder_torch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("robot", nargs="?", default="gen/franka_opt", help="output folder of thunder gen --pytorch")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--guesses", type=int, default=8, help="rollouts optimised at once")
    parser.add_argument("--plot", default="optimize_trajectory_loss.png", help="loss curve (PNG)")
    args = parser.parse_args()

    robot = thunder_torch.load(args.robot, dtype=torch.float64)
    steps, dt, B, n = 50, 0.01, args.guesses, robot.nv
    q0 = torch.tensor([0.0, -0.5, 0.0, -2.0, 0.0, 1.5, 0.8], dtype=torch.float64).expand(B, n)
    dq0 = torch.zeros(B, n, dtype=torch.float64)
    with torch.no_grad():   # a reachable target: where another configuration puts the hand
        q_goal = torch.tensor([0.6, 0.2, -0.3, -1.6, 0.2, 1.9, 0.0], dtype=torch.float64)
        target = robot.T_0_ee(q_goal)[:3, 3]
    damping = 0.5   # N m s/rad: keeps the light wrist of every guess well-behaved at 10 ms
    g = torch.Generator().manual_seed(0)
    delta = (torch.randn(steps, B, n, generator=g, dtype=torch.float64) * 0.1).requires_grad_(True)
    opt = torch.optim.Adam([delta], lr=0.5)

    def controller(t, q, dq):
        return robot.G(q) - damping * dq + delta[round(t / dt)]

    history = []
    for it in range(args.iterations):
        q, dq, _ = robot.rollout(q0, dq0, controller, steps, dt, with_time=True)
        reach = (robot.T_0_ee(q[-1])[..., :3, 3] - target).square().sum(-1)
        loss = (reach + 1e-3 * dq[-1].square().sum(-1)).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(float(reach.detach().min().sqrt()))
        if it % 20 == 0 or it == args.iterations - 1:
            print(f"iteration {it:4d}: loss {float(loss):.4e}, best hand distance {history[-1] * 1000:.2f} mm")
    print(f"final hand distance to the target: {history[-1] * 1000:.2f} mm")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.semilogy(history)
        ax.set_xlabel("Adam iteration")
        ax.set_ylabel("best hand distance (m)")
        ax.set_title(f"torques through a {steps}-step rollout, {B} guesses")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=100)
        print(f"saved {args.plot}")
    except ImportError:
        print("matplotlib not installed: no plot")


if __name__ == "__main__":
    main()
