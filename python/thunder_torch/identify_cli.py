"""`thunder identify`: identification from a log with a generated robot (thunder_torch.identify).

    thunder identify GEN_DIR LOG [--sample-rate HZ] [--friction viscous,coulomb] [--test-fraction 0.2]
                     [--prior-weight 1e-4] [--out DIR] [--force]

GEN_DIR: output of `thunder gen ROBOT --pytorch` (with the Y or Yr function). LOG: .npz (arrays q,
dq, tau and optionally ddq) or .csv (header q1.., dq1.., ddq1.., tau1..); without ddq pass
--sample-rate (ddq is estimated from dq). Fits the base parameters by weighted least squares, then
a physically consistent par_REG, reports both on the held-out last part of the log and writes
DIR/identified.json (base parameters with their std and combinations, par_REG, friction) and
DIR/report.md; earlier results there are replaced only with --force. Every input is checked
before the fit: an error names what is wrong, never a traceback.
"""
import argparse
import json
import pathlib
import sys


def _fail(message, status=1):
    print(f"thunder identify: error: {message}", file=sys.stderr)
    return status


def _check_out(out: pathlib.Path, force: bool):
    """--out must be a folder (or not exist); earlier results in it are kept unless --force."""
    if out.exists() and not out.is_dir():
        return f"--out {out} is an existing file, not a folder: choose a folder for identified.json and report.md"
    if not force:
        old = [n for n in ("identified.json", "report.md") if (out / n).exists()]
        if old:
            return f"--out {out} already holds {' and '.join(old)}: pass --force to replace them, or choose another --out"
    return None


def main(argv=None):
    lines = __doc__.split("\n")
    p = argparse.ArgumentParser(prog="thunder identify", description=lines[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(lines[1:]).strip("\n"))
    p.add_argument("gen_dir", help="output folder of thunder gen --pytorch")
    p.add_argument("log", help=".npz or .csv log")
    p.add_argument("--sample-rate", type=float, help="Hz; needed when the log has no ddq")
    p.add_argument("--friction", default="viscous,coulomb", help="friction columns: viscous, coulomb, none")
    p.add_argument("--test-fraction", type=float, default=0.2, help="last part of the log kept for the report")
    p.add_argument("--prior-weight", type=float, default=1e-4, help="pull of the file's values on the physical fit")
    p.add_argument("--out", default="identification", help="folder for identified.json and report.md")
    p.add_argument("--force", action="store_true", help="replace identified.json and report.md in --out")
    a = p.parse_args(argv)
    import math
    if not (a.prior_weight >= 0 and math.isfinite(a.prior_weight)):
        return _fail(f"--prior-weight must be a finite number >= 0, got {a.prior_weight}", 2)
    if not 0 < a.test_fraction < 1:
        return _fail("--test-fraction must be in (0, 1)", 2)
    if a.sample_rate is not None and not (a.sample_rate > 0 and math.isfinite(a.sample_rate)):
        return _fail(f"--sample-rate must be a finite number of Hz > 0, got {a.sample_rate}", 2)
    friction = () if a.friction == "none" else tuple(f.strip() for f in a.friction.split(","))
    for f in friction:
        if f not in ("viscous", "coulomb"):
            return _fail(f"--friction: unknown model {f!r} (viscous, coulomb, or none)", 2)
    out = pathlib.Path(a.out)
    why = _check_out(out, a.force)  # before minutes of fitting
    if why:
        return _fail(why, 2)
    try:
        return _run(a, friction, out)
    except (OSError, ValueError, RuntimeError, KeyError) as e:
        return _fail(e)


def _run(a, friction, out):
    import warnings
    import numpy as np
    import torch
    import thunder_torch
    from thunder_torch import identify
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        robot = thunder_torch.load(a.gen_dir, dtype=torch.float64, backend="torch")
        data = identify.Data.load(a.log, sample_rate=a.sample_rate)
        k = int(len(data.q) * (1 - a.test_fraction))
        if k < 1 or k >= len(data.q):
            raise ValueError(f"--test-fraction {a.test_fraction} of {len(data.q)} samples leaves {k} to fit and "
                             f"{len(data.q) - k} held out: both need at least one sample")
        split = lambda s: identify.Data(data.q[s], data.dq[s], data.ddq[s], data.tau[s])  # noqa: E731
        train, test = split(slice(0, k)), split(slice(k, None))
        print(f"thunder identify: {len(train.q)} samples to fit, {len(test.q)} held out", file=sys.stderr)
        W, names = identify.regressor(robot, train, friction=friction)
        if W.shape[0] < W.shape[1]:
            raise ValueError(f"{len(train.q)} samples to fit give {W.shape[0]} equations for {W.shape[1]} parameters: "
                             "use a longer log or a smaller --test-fraction")
        base = identify.BaseParameters.from_regressor(W, names)
        possible = identify.identifiable_rank(robot, friction=friction)
        if base.rank < possible:
            warnings.warn(f"the log excites {base.rank} of the {possible} parameter combinations this robot's "
                          f"torques can identify: {possible - base.rank} stay at arbitrary values (a log that "
                          "barely moves?); record a richer trajectory (thunder_torch.identify.optimize_excitation)")
        fit = identify.least_squares(W, train.tau, base, weighted=True)
    for w in caught:
        print(f"thunder identify: warning: {w.message}", file=sys.stderr)
    nominal = robot.par_REG.detach()
    n_bodies = len(nominal) // 10
    par = fr = None
    if identify.physically_consistent(nominal):
        print("thunder identify: physically consistent refinement (L-BFGS)", file=sys.stderr)
        par, fr = identify.refine(W, train.tau, n_bodies, start_par_REG=nominal, prior_par_REG=nominal,
                                  prior_weight=a.prior_weight, iterations=300)
    else:
        print("thunder identify: warning: the robot file's inertial parameters are not physically consistent "
              "(a pseudo-inertia is not positive definite), so the physically consistent refinement, which starts "
              "from them, is skipped; fix the file's masses and inertias to get it", file=sys.stderr)
    Wt, _ = identify.regressor(robot, test, friction=friction)
    y = test.tau.numpy()

    def rms(theta):
        pred = (Wt.numpy() @ theta).reshape(y.shape)
        return np.sqrt(((pred - y) ** 2).mean(axis=0))

    span = np.maximum(y.max(axis=0) - y.min(axis=0), 1e-300)
    r_ls = rms(fit.theta())
    r_ph = rms(np.concatenate([par.numpy(), fr.numpy()])) if par is not None else np.full(y.shape[1], np.nan)
    out.mkdir(parents=True, exist_ok=True)
    nominal_beta = base.project(np.concatenate([nominal.numpy(), np.zeros(len(names) - len(nominal))]))
    result = {"robot": robot.robot, "names": names, "rank": base.rank, "condition": fit.condition,
              "base_condition": base.condition,
              "base": [{"combination": base.describe(i), "estimate": float(fit.beta[i]), "std": float(fit.std[i]),
                        "nominal": float(nominal_beta[i])} for i in range(base.rank)],
              "par_REG_physical": par.tolist() if par is not None else None,
              "friction_physical": dict(zip(names[len(nominal):], fr.tolist())) if fr is not None else None,
              "heldout_rms": {"least_squares": r_ls.tolist(),
                              "physical": r_ph.tolist() if par is not None else None}}
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
