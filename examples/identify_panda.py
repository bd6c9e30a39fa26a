"""Identifies the Franka Panda's dynamic parameters from simulated joint torques.

    thunder gen robots/franka.yaml -o gen/franka --pytorch        # once
    python examples/identify_panda.py gen/franka [--plot loss.png] [--data measured.pt]

The "measured" torques come from the true parameters (the robot file's, as par_REG) through the
generated Slotine-Li regressor, tau = Yr(q, dq, dq, ddq) par_REG, plus 1 % noise; with --data they
are yours: a torch.save'd dict of float tensors q, dq, ddq, tau (each (samples, n)), of which the
first four fifths are fitted and the last fifth measures the error. The fit starts from the robot
file's parameters, each perturbed by up to 30 %, and minimizes the torque error with torch.optim
(L-BFGS) through the regressor layer; it reports the torque prediction error on fresh states.
The regressor is linear in par_REG, so this is a least-squares problem: the torques are
identified, while individual parameters that do not affect them (the non-base parameters) are
not, which is why the error is measured on torques.
"""
import argparse
import pathlib

import torch

import thunder_torch


def excitation(n_samples, n_joints, generator):
    q = (torch.rand(n_samples, n_joints, generator=generator, dtype=torch.float64) * 2 - 1) * 2.5
    dq = (torch.rand(n_samples, n_joints, generator=generator, dtype=torch.float64) * 2 - 1) * 2.0
    ddq = (torch.rand(n_samples, n_joints, generator=generator, dtype=torch.float64) * 2 - 1) * 4.0
    return q, dq, ddq


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("robot", nargs="?", default="gen/franka", help="output folder of thunder gen --pytorch")
    parser.add_argument("--plot", default="identify_panda_loss.png", help="where to save the loss curve (PNG)")
    parser.add_argument("--samples", type=int, default=4000)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--data", help="measured q, dq, ddq, tau (torch.save'd dict) instead of simulated torques")
    args = parser.parse_args()

    robot = thunder_torch.load(args.robot, dtype=torch.float64)
    gen = torch.Generator().manual_seed(0)
    true_reg = robot.par_REG.detach().clone()
    n = robot.n_joints

    if args.data:
        d = torch.load(args.data)
        q, dq, ddq, tau = (d[k].to(torch.float64) for k in ("q", "dq", "ddq", "tau"))
        k = len(q) * 4 // 5
        q_test, dq_test, ddq_test, tau_test = (x[k:] for x in (q, dq, ddq, tau))
        q, dq, ddq, tau_meas = q[:k], dq[:k], ddq[:k], tau[:k]
    else:
        # Training data: torques of the true robot plus 1 % noise.
        q, dq, ddq = excitation(args.samples, n, gen)
        tau_true = robot.Yr(q, dq, dq, ddq) @ true_reg
        tau_meas = tau_true + 0.01 * tau_true.std(0) * torch.randn(tau_true.shape, generator=gen, dtype=torch.float64)
        q_test, dq_test, ddq_test = excitation(1000, n, gen)
        tau_test = robot.Yr(q_test, dq_test, dq_test, ddq_test) @ true_reg
    # Start from the robot file's parameters, every one 30 % off.
    start = true_reg * (1 + 0.3 * (torch.rand(true_reg.shape, generator=gen, dtype=torch.float64) * 2 - 1))
    Y = robot.Yr(q, dq, dq, ddq)  # (samples, n, 10n), independent of the parameters

    # Fit through the regressor layer.
    estimate = torch.nn.Parameter(start.clone())
    scale = tau_meas.std(0)  # joints with large torques must not dominate the fit
    opt = torch.optim.LBFGS([estimate], lr=1, max_iter=20, line_search_fn="strong_wolfe")
    losses = []

    def closure():
        opt.zero_grad()
        loss = (((Y @ estimate - tau_meas) / scale) ** 2).mean()
        loss.backward()
        return loss

    Y_test = robot.Yr(q_test, dq_test, dq_test, ddq_test)

    def prediction_error():
        with torch.no_grad():
            return ((Y_test @ estimate - tau_test).norm() / tau_test.norm()).item()

    print(f"start: torque prediction error {100 * prediction_error():.2f} %")
    for it in range(args.iterations):
        loss = opt.step(closure).item()
        losses.append(loss)
        err = prediction_error()
        print(f"iteration {it + 1:3d}: loss {loss:.3e}, torque prediction error {100 * err:.3f} %")
        if it > 2 and abs(losses[-2] - loss) <= 1e-12 * max(loss, 1e-300):
            break
    err = prediction_error()
    print(f"final torque prediction error on fresh states: {100 * err:.3f} %")

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.semilogy(range(1, len(losses) + 1), losses, marker="o")
        ax.set_xlabel("L-BFGS iteration")
        ax.set_ylabel("normalized torque MSE")
        ax.set_title("Panda identification through Yr")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        print(f"loss curve: {pathlib.Path(args.plot).resolve()}")
    except ImportError:
        print("matplotlib not installed: no loss curve (pip install matplotlib)")
    if err >= 0.01:
        raise SystemExit(f"identification did not reach 1 % torque error ({100 * err:.3f} %)")


if __name__ == "__main__":
    main()
