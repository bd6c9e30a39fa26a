"""`thunder identify`: identification from a log with a generated robot (thunder_torch.identify).

    thunder identify GEN_DIR LOG [--sample-rate HZ] [--friction viscous,coulomb] [--test-fraction 0.2]
                     [--prior-weight 1e-4] [--out DIR]

GEN_DIR: output of `thunder gen ROBOT --pytorch` (with the Y or Yr function). LOG: .npz (arrays q,
dq, tau and optionally ddq) or .csv (header q1.., dq1.., ddq1.., tau1..); without ddq pass
--sample-rate (ddq is estimated from dq). Fits the base parameters by weighted least squares, then
a physically consistent par_REG, reports both on the held-out last part of the log and writes
DIR/identified.json (base parameters with their std and combinations, par_REG, friction) and
DIR/report.md.
"""
import argparse
import json
import pathlib
import sys


def main(argv=None):
    p = argparse.ArgumentParser(prog="thunder identify", description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("gen_dir", help="output folder of thunder gen --pytorch")
    p.add_argument("log", help=".npz or .csv log")
    p.add_argument("--sample-rate", type=float, help="Hz; needed when the log has no ddq")
    p.add_argument("--friction", default="viscous,coulomb", help="friction columns: viscous, coulomb, none")
    p.add_argument("--test-fraction", type=float, default=0.2, help="last part of the log kept for the report")
    p.add_argument("--prior-weight", type=float, default=1e-4, help="pull of the file's values on the physical fit")
    p.add_argument("--out", default="identification", help="folder for identified.json and report.md")
    a = p.parse_args(argv)
    import numpy as np
    import torch
    import thunder_torch
    from thunder_torch import identify
    try:
        robot = thunder_torch.load(a.gen_dir, dtype=torch.float64, backend="torch")
        data = identify.Data.load(a.log, sample_rate=a.sample_rate)
    except (OSError, ValueError, RuntimeError) as e:
        print(f"thunder identify: error: {e}", file=sys.stderr)
        return 1
    if not 0 < a.test_fraction < 1:
        print("thunder identify: error: --test-fraction must be in (0, 1)", file=sys.stderr)
        return 2
    friction = () if a.friction == "none" else tuple(a.friction.split(","))
    k = int(len(data.q) * (1 - a.test_fraction))
    split = lambda s: identify.Data(data.q[s], data.dq[s], data.ddq[s], data.tau[s])  # noqa: E731
    train, test = split(slice(0, k)), split(slice(k, None))
    print(f"thunder identify: {len(train.q)} samples to fit, {len(test.q)} held out", file=sys.stderr)
    try:
        W, names = identify.regressor(robot, train, friction=friction)
        base = identify.BaseParameters.from_regressor(W, names)
    except (ValueError, RuntimeError) as e:
        print(f"thunder identify: error: {e}", file=sys.stderr)
        return 1
    fit = identify.least_squares(W, train.tau, base, weighted=True)
    nominal = robot.par_REG.detach()
    n_bodies = len(nominal) // 10
    print("thunder identify: physically consistent refinement (L-BFGS)", file=sys.stderr)
    par, fr = identify.refine(W, train.tau, n_bodies, start_par_REG=nominal, prior_par_REG=nominal,
                              prior_weight=a.prior_weight, iterations=300)
    Wt, _ = identify.regressor(robot, test, friction=friction)
    y = test.tau.numpy()

    def rms(theta):
        pred = (Wt.numpy() @ theta).reshape(y.shape)
        return np.sqrt(((pred - y) ** 2).mean(axis=0))

    span = np.maximum(y.max(axis=0) - y.min(axis=0), 1e-300)
    r_ls, r_ph = rms(fit.theta()), rms(np.concatenate([par.numpy(), fr.numpy()]))
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    nominal_beta = base.project(np.concatenate([nominal.numpy(), np.zeros(len(names) - len(nominal))]))
    result = {"robot": robot.robot, "names": names, "rank": base.rank, "condition": fit.condition,
              "base": [{"combination": base.describe(i), "estimate": float(fit.beta[i]), "std": float(fit.std[i]),
                        "nominal": float(nominal_beta[i])} for i in range(base.rank)],
              "par_REG_physical": par.tolist(), "friction_physical": dict(zip(names[len(nominal):], fr.tolist())),
              "heldout_rms": {"least_squares": r_ls.tolist(), "physical": r_ph.tolist()}}
    (out / "identified.json").write_text(json.dumps(result, indent=1))
    L = [f"# Identification of {robot.robot}", "", f"Log `{a.log}`: {len(train.q)} samples fitted, "
         f"{len(test.q)} held out. {len(names)} parameters, {base.rank} identifiable; condition number "
         f"{fit.condition:.3g}.", "", "| joint | RMS least squares | RMS physical | % of range |", "|---|---|---|---|"]
    for j in range(y.shape[1]):
        L.append(f"| {j + 1} | {r_ls[j]:.4g} | {r_ph[j]:.4g} | {100 * r_ph[j] / span[j]:.2f} % |")
    L += ["", "| base parameter | estimate | std | file |", "|---|---|---|---|"]
    L += [f"| {b['combination']} | {b['estimate']:.6g} | {b['std']:.3g} | {b['nominal']:.6g} |" for b in result["base"]]
    (out / "report.md").write_text("\n".join(L) + "\n")
    print(fit.table())
    print(f"held-out torque RMS per joint: least squares {np.array2string(r_ls, precision=4)}, "
          f"physical {np.array2string(r_ph, precision=4)}")
    print(f"wrote {out / 'identified.json'} and {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
