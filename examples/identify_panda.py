"""Identifies the Franka Panda's dynamic parameters from joint torques with thunder_torch.identify.

    thunder gen robots/franka.yaml -o gen/franka --pytorch        # once
    python examples/identify_panda.py gen/franka [--data measured.npz] [--plot fit.png]

Data: with --data, yours (.npz with arrays q, dq, ddq, tau of shape (samples, 7), or a .csv with
columns q1.. dq1.. ddq1.. tau1..; without ddq give --sample-rate and it is estimated from dq), of
which the first four fifths are fitted and the last fifth measures the error; without it,
torques of the robot file's parameters through the generated regressor plus 1 % noise.

Pipeline: stacked regressor with viscous and Coulomb friction columns, the identifiable base
parameters (pivoted QR), weighted least squares on them (with standard deviations), then a
physically consistent estimate (log-Cholesky parametrisation, L-BFGS from the file's values with
a light prior towards them). Prints the base-parameter table against the file's values, the
held-out torque error of both estimates, and plots measured vs predicted torques (PNG).
"""
import argparse

import numpy as np
import torch

import thunder_torch
from thunder_torch import identify


def excitation(n_samples, n_joints, generator):
    u = lambda s: torch.rand(n_samples, n_joints, generator=generator, dtype=torch.float64) * 2 - 1  # noqa: E731
    return u(0) * 2.5, u(1) * 2.0, u(2) * 4.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("robot", nargs="?", default="gen/franka", help="output folder of thunder gen --pytorch")
    parser.add_argument("--data", help="measured data (.npz or .csv, see above) instead of simulated torques")
    parser.add_argument("--sample-rate", type=float, help="Hz, to estimate ddq when the data has none")
    parser.add_argument("--samples", type=int, default=4000, help="simulated samples (without --data)")
    parser.add_argument("--prior-weight", type=float, default=1e-4, help="pull towards the file's values")
    parser.add_argument("--plot", default="identify_panda_fit.png", help="measured vs predicted torques (PNG)")
    args = parser.parse_args()

    robot = thunder_torch.load(args.robot, dtype=torch.float64)
    nominal = robot.par_REG.detach().clone()
    n_bodies = len(nominal) // 10
    if args.data:
        if args.data.endswith(".pt"):   # a torch.save'd dict of tensors (q, dq, ddq, tau)
            d = torch.load(args.data)
            data = identify.Data(*(d[k] for k in ("q", "dq", "ddq", "tau")))
        else:
            data = identify.Data.load(args.data, sample_rate=args.sample_rate)
        k = len(data.q) * 4 // 5
        train = identify.Data(data.q[:k], data.dq[:k], data.ddq[:k], data.tau[:k])
        test = identify.Data(data.q[k:], data.dq[k:], data.ddq[k:], data.tau[k:])
    else:
        gen = torch.Generator().manual_seed(0)
        reg = robot.Yr if hasattr(robot, "Yr") else None

        def simulated(n, noise):
            q, dq, ddq = excitation(n, robot.nv, gen)
            tau = reg(q, dq, dq, ddq) @ nominal
            tau = tau + noise * tau.std(0) * torch.randn(tau.shape, generator=gen, dtype=torch.float64)
            return identify.Data(q, dq, ddq, tau)
        train, test = simulated(args.samples, 0.01), simulated(1000, 0.0)

    W, names = identify.regressor(robot, train)
    base = identify.BaseParameters.from_regressor(W, names)
    fit = identify.least_squares(W, train.tau, base, weighted=True)
    print(f"{len(names)} parameters, {base.rank} identifiable combinations; condition number of the "
          f"weighted base regressor {fit.condition:.3g}")
    nominal_full = np.concatenate([nominal.numpy(), np.zeros(len(names) - len(nominal))])
    nominal_beta = base.project(nominal_full)
    print(f"{'base parameter':52s} {'identified':>12s} {'std':>10s} {'file':>12s}")
    for k in range(base.rank):
        print(f"{base.describe(k)[:52]:52s} {fit.beta[k]:12.5g} {fit.std[k]:10.2g} {nominal_beta[k]:12.5g}")

    par, friction = identify.refine(W, train.tau, n_bodies, start_par_REG=nominal, prior_par_REG=nominal,
                                    prior_weight=args.prior_weight, iterations=300)
    assert identify.physically_consistent(par)
    Wt, _ = identify.regressor(robot, test)
    tau_test = test.tau.numpy()

    def error(theta):
        pred = (Wt.numpy() @ theta).reshape(tau_test.shape)
        return pred, np.linalg.norm(pred - tau_test) / np.linalg.norm(tau_test)

    pred_ls, err_ls = error(fit.theta())
    pred_phys, err_phys = error(np.concatenate([par.numpy(), friction.numpy()]))
    rms = np.sqrt(((pred_phys - tau_test) ** 2).mean(axis=0))
    span = tau_test.max(axis=0) - tau_test.min(axis=0)
    print("held-out torque RMS error per joint (physical estimate): "
          + ", ".join(f"{r:.3g} N m ({100 * r / s:.2f} % of range)" for r, s in zip(rms, span)))
    print(f"least-squares torque prediction error on fresh states: {100 * err_ls:.3f} %")
    print(f"final torque prediction error on fresh states (physically consistent estimate): {100 * err_phys:.3f} %")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        n = tau_test.shape[1]
        fig, axes = plt.subplots(n, 1, figsize=(7, 1.4 * n), sharex=True)
        show = slice(0, min(200, len(tau_test)))
        for j, ax in enumerate(np.atleast_1d(axes)):
            ax.plot(tau_test[show, j], label="measured", lw=1)
            ax.plot(pred_phys[show, j], "--", label="predicted", lw=1)
            ax.set_ylabel(f"tau{j + 1}")
        np.atleast_1d(axes)[0].legend(loc="upper right", fontsize=7)
        np.atleast_1d(axes)[-1].set_xlabel("held-out sample")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=100)
        print(f"saved {args.plot}")
    except ImportError:
        print("matplotlib not installed: no plot (pip install matplotlib)")
    if err_phys >= 0.01:
        raise SystemExit(f"identification did not reach 1 % torque error ({100 * err_phys:.3f} %)")


if __name__ == "__main__":
    main()
