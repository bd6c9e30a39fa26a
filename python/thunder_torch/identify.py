"""Dynamic parameter identification with the generated regressors.

The joint torques are linear in the inertial parameters par_REG (per body: m, m c, inertia about
the body frame origin) and in the joint friction coefficients: tau = Y(q, dq, ddq) par_REG +
diag(dq) fv + diag(sign(dq)) fc. This module builds that linear model from data, finds the
identifiable (base) parameters, estimates them by ordinary or weighted least squares with their
standard deviations, and refines a physically consistent estimate with torch optimisers through
the log-Cholesky parametrisation of the pseudo-inertia (Rucker & Wensing 2022).

    from thunder_torch import identify
    data = identify.Data(q, dq, ddq, tau)                     # (N, nv) tensors, or Data.load("log.npz")
    W, names = identify.regressor(robot, data)                 # (N nv, p), p = 10 bodies + 2 nv friction
    base = identify.BaseParameters.from_regressor(W, names)    # QR with column pivoting
    fit = identify.least_squares(W, data.tau, base, weighted=True)
    print(fit.table())                                        # base parameters, std, their combinations
    par_REG, friction = identify.refine(W, data.tau, n_bodies, start_par_REG=robot.par_REG,
                                        prior_par_REG=robot.par_REG, prior_weight=1e-3)

Excitation: `optimize_excitation` finds finite Fourier series trajectories that minimise the
condition number of the stacked base regressor within joint limits; `Excitation.write_csv`
writes them for a controller to play.

Requirements on the robot: the generated `Y` (or `Yr`) function. Friction columns are built here
(viscous and Coulomb per joint), whatever the robot file says about friction.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np
import torch

__all__ = ["Data", "estimate_acceleration", "regressor", "BaseParameters", "LeastSquaresFit", "least_squares",
           "LogCholesky", "refine", "physically_consistent", "Excitation", "optimize_excitation"]

INERTIAL = ("m", "mx", "my", "mz", "Ixx", "Ixy", "Ixz", "Iyy", "Iyz", "Izz")


@dataclass
class Data:
    """Joint trajectories: q (N, nq), dq, ddq, tau (N, nv), float64."""
    q: torch.Tensor
    dq: torch.Tensor
    ddq: torch.Tensor
    tau: torch.Tensor

    def __post_init__(self):
        for name in ("q", "dq", "ddq", "tau"):
            x = getattr(self, name)
            if isinstance(x, torch.Tensor):
                x = x.detach()
            try:
                x = torch.as_tensor(x, dtype=torch.float64)
            except (TypeError, ValueError, RuntimeError) as e:
                raise ValueError(f"identify.Data: {name} is not a numeric array ({e})") from None
            if x.dim() != 2:
                raise ValueError(f"identify.Data: {name} must have shape (samples, joints), got {tuple(x.shape)}")
            if not torch.isfinite(x).all():
                bad = int((~torch.isfinite(x)).any(dim=1).nonzero()[0])
                raise ValueError(f"identify.Data: {name} has a NaN or infinite value (first in sample {bad})")
            setattr(self, name, x)
        n = len(self.q)
        if n == 0:
            raise ValueError("identify.Data: the log has no samples")
        for name in ("dq", "ddq", "tau"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"identify.Data: {name} has {len(getattr(self, name))} samples, q has {n}")
        if not (self.dq.shape[1] == self.ddq.shape[1] == self.tau.shape[1]):
            raise ValueError(f"identify.Data: dq, ddq and tau must have the same number of columns, got "
                             f"{self.dq.shape[1]}, {self.ddq.shape[1]} and {self.tau.shape[1]}")

    @classmethod
    def load(cls, path, sample_rate: Optional[float] = None, cutoff_hz: Optional[float] = None):
        """From an .npz (arrays q, dq, tau, optionally ddq) or a .csv with columns named q1.., dq1..,
        ddq1.., tau1.. (header row, comma separated). Without ddq, ddq is estimated from dq by
        central differences after a zero-phase low-pass filter (4th-order Butterworth at cutoff_hz,
        default a tenth of the sample rate, below the Nyquist frequency sample_rate / 2);
        sample_rate (Hz, > 0) is then required. Raises ValueError naming the file and what is wrong."""
        path = str(path)
        _check_rate(sample_rate, cutoff_hz)
        if path.endswith(".npz"):
            try:
                with np.load(path) as z:
                    d = dict(z)
            except OSError:
                raise
            except Exception as e:  # np.load's messages for a file that is not an archive vary
                raise ValueError(f"identify.Data.load: {path} is not a NumPy .npz archive ({e}); write it with "
                                 "numpy.savez(path, q=..., dq=..., tau=...)") from None
        elif path.endswith(".csv"):
            d = _read_csv(path)
        else:
            raise ValueError(f"identify.Data.load: {path}: expected a .npz or .csv file")
        for key in ("q", "dq", "tau"):
            if key not in d:
                raise ValueError(f"identify.Data.load: {path} has no {key} (columns {key}1, {key}2, ... in a .csv)")
        if "ddq" not in d:
            if sample_rate is None:
                raise ValueError(f"identify.Data.load: {path} has no ddq; pass sample_rate (thunder identify: --sample-rate) to estimate it")
            if len(d["dq"]) < 16:
                raise ValueError(f"identify.Data.load: {path} has {len(d['dq'])} samples: too few to filter dq "
                                 "into ddq (at least 16; or give ddq)")
            d["ddq"] = estimate_acceleration(d["dq"], sample_rate, cutoff_hz)
        return cls(*(torch.as_tensor(np.asarray(d[k], float), dtype=torch.float64) for k in ("q", "dq", "ddq", "tau")))


def _check_rate(sample_rate, cutoff_hz):
    """sample_rate > 0 and finite; 0 < cutoff_hz < sample_rate / 2 (the Nyquist frequency)."""
    if sample_rate is not None:
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, float)) or not math.isfinite(sample_rate) \
                or sample_rate <= 0:
            raise ValueError(f"identify: sample_rate must be a finite number of Hz > 0, got {sample_rate!r}")
    if cutoff_hz is not None:
        if isinstance(cutoff_hz, bool) or not isinstance(cutoff_hz, (int, float)) or not math.isfinite(cutoff_hz) \
                or cutoff_hz <= 0:
            raise ValueError(f"identify: cutoff_hz must be a finite number of Hz > 0, got {cutoff_hz!r}")
        if sample_rate is not None and cutoff_hz >= sample_rate / 2:
            raise ValueError(f"identify: cutoff_hz {cutoff_hz} Hz is not below the Nyquist frequency "
                             f"{sample_rate / 2} Hz (sample_rate / 2): choose a lower cutoff")


def _read_csv(path):
    """Columns q1.., dq1.., ddq1.., tau1.. of a comma-separated file with a header row; the indices
    of each group must be 1..n without gaps (q1..q6,q8 is an error, not 7 joints)."""
    import re
    import warnings
    with open(path, "r", errors="replace") as f:
        header = f.readline().strip()
    if not header:
        raise ValueError(f"identify.Data.load: {path} is empty (expected a header row q1,..,dq1,..,tau1,.. and samples)")
    if "," not in header:
        sep = next((c for c in ";\t|" if c in header), None)
        raise ValueError(f"identify.Data.load: {path}: the header has no ',' "
                         + (f"(it is separated by {sep!r}: write the file comma separated)" if sep else
                            "(expected comma-separated columns q1,..,dq1,..,tau1,..)"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an empty body: handled below
        try:
            table = np.genfromtxt(path, delimiter=",", names=True, ndmin=1)
        except ValueError as e:
            raise ValueError(f"identify.Data.load: {path}: not a table of numbers with one value per column ({e})") from None
    cols = table.dtype.names or ()
    if table.size == 0 or table.shape == ():
        raise ValueError(f"identify.Data.load: {path} has a header but no samples")
    d = {}
    for key in ("q", "dq", "ddq", "tau"):
        found = {int(c[len(key):]): c for c in cols if re.fullmatch(re.escape(key) + r"\d+", c)}
        if not found:
            continue
        if sorted(found) != list(range(1, len(found) + 1)):
            raise ValueError(f"identify.Data.load: {path}: columns {key}{sorted(found)} must be {key}1..{key}n "
                             f"without gaps (found indices {sorted(found)})")
        d[key] = np.stack([table[found[i]] for i in range(1, len(found) + 1)], axis=1)
        if not np.isfinite(d[key]).all():
            raise ValueError(f"identify.Data.load: {path}: column group {key} has an empty or non-numeric entry "
                             f"(first in sample {int(np.argwhere(~np.isfinite(d[key]))[0, 0])})")
    return d


def estimate_acceleration(dq, sample_rate: float, cutoff_hz: Optional[float] = None):
    """ddq from sampled dq: zero-phase Butterworth low-pass (order 4, cutoff_hz, default
    sample_rate / 10), then central differences."""
    from scipy.signal import butter, filtfilt
    _check_rate(sample_rate, cutoff_hz)
    dq = np.asarray(dq, float)
    cutoff = cutoff_hz or sample_rate / 10
    b, a = butter(4, cutoff / (sample_rate / 2))
    smooth = filtfilt(b, a, dq, axis=0)
    return np.gradient(smooth, 1.0 / sample_rate, axis=0)


def regressor(robot, data: Data, friction: Sequence[str] = ("viscous", "coulomb"),
              coulomb_smoothing: float = 0.0):
    """The stacked linear model: W (N nv, p) with tau.reshape(-1) = W theta, and the names of
    theta's entries (par_REG's element names, then fv.<joint>, fc.<joint>)."""
    if isinstance(friction, str):  # one model: iterating "viscous" would give 'v', 'i', ...
        friction = () if friction == "none" else tuple(f.strip() for f in friction.split(","))
    for f in friction:
        if f not in ("viscous", "coulomb"):
            raise ValueError(f"identify.regressor: unknown friction model {f!r} (viscous, coulomb)")
    nv_robot = getattr(robot, "nv", None)
    if nv_robot is not None and data.dq.shape[1] != nv_robot:
        raise ValueError(f"identify.regressor: the log has {data.dq.shape[1]} joint columns (dq, ddq, tau), "
                         f"the robot {robot.robot if hasattr(robot, 'robot') else ''} has nv = {nv_robot}")
    nq_robot = getattr(robot, "nq", None)
    if nq_robot is not None and data.q.shape[1] != nq_robot:
        raise ValueError(f"identify.regressor: the log's q has {data.q.shape[1]} columns, the robot has nq = {nq_robot}")
    with torch.no_grad():
        if hasattr(robot, "Y"):
            Y = robot.Y(data.q, data.dq, data.ddq)
        elif hasattr(robot, "Yr"):
            Y = robot.Yr(data.q, data.dq, data.dq, data.ddq)
        else:
            raise RuntimeError("identify.regressor: the robot module has neither Y nor Yr (generate them: "
                               "thunder gen ROBOT --pytorch, or add Y to --functions)")
    N, nv = data.dq.shape
    still = [j + 1 for j in range(nv) if float(data.dq[:, j].abs().max()) == 0.0
             and float((data.q[:, j] - data.q[0, j]).abs().max()) == 0.0] if data.q.shape[1] == nv else []
    if still:
        import warnings
        warnings.warn(f"identify.regressor: joint(s) {still} do not move in the log (q and dq constant): the "
                      "parameters they excite cannot be identified; record an exciting trajectory "
                      "(identify.optimize_excitation)", stacklevel=2)
    blocks = [Y.to(torch.float64)]
    names = list(robot.param_elements["par_REG"])
    joints = list(getattr(robot, "joints", [])) or [f"joint{j + 1}" for j in range(nv)]
    joints = joints[-nv:] if len(joints) >= nv else [f"joint{j + 1}" for j in range(nv)]
    eye = torch.eye(nv, dtype=torch.float64)
    if "viscous" in friction:
        blocks.append(data.dq.unsqueeze(-1) * eye)
        names += [f"fv.{j}" for j in joints]
    if "coulomb" in friction:
        s = torch.tanh(data.dq / coulomb_smoothing) if coulomb_smoothing > 0 else torch.sign(data.dq)
        blocks.append(s.unsqueeze(-1) * eye)
        names += [f"fc.{j}" for j in joints]
    W = torch.cat(blocks, dim=-1).reshape(N * nv, -1)
    return W, names


@dataclass
class BaseParameters:
    """The identifiable combinations of theta: beta = theta[independent] + K theta[dependent].

    The rank is the number of singular values of W (columns scaled to unit norm, so that units do
    not decide) above `tol` times the largest; the default tol is max(1e-10, max(W.shape) eps):
    structurally dependent columns sit at rounding level (a Kinova arm with exact torques: 1e-13,
    which a fixed 1e-9 on QR's diagonal kept), combinations the data excite less than 1e-10 carry
    no information. The columns are chosen by QR with column pivoting (W P = Q R); `condition` is
    the condition number of the chosen (scaled) columns. W theta = W[:, independent] beta for
    every theta."""
    names: List[str]
    independent: np.ndarray
    dependent: np.ndarray
    K: np.ndarray
    tol: float
    condition: float = float("nan")

    @classmethod
    def from_regressor(cls, W, names: Sequence[str], tol: Optional[float] = None):
        from scipy.linalg import qr
        A = np.asarray(W.detach() if isinstance(W, torch.Tensor) else W, float)
        if A.ndim != 2:
            raise ValueError(f"identify: W must be a matrix (equations, parameters), got shape {A.shape}")
        if len(names) != A.shape[1]:
            raise ValueError(f"identify: {len(names)} names for {A.shape[1]} columns of W")
        if A.shape[0] < A.shape[1]:
            raise ValueError(f"identify: {A.shape[0]} equations for {A.shape[1]} parameters: too few samples")
        # columns scaled to unit norm first: the rank decision must not depend on units
        norms = np.linalg.norm(A, axis=0)
        keep = norms > 0
        if not keep.any():
            raise ValueError("identify: the regressor is zero (the robot does not move in the log and feels no gravity)")
        scale = np.where(keep, norms, 1.0)
        As = A / scale
        sv = np.linalg.svd(As, compute_uv=False)
        if tol is None:
            tol = max(1e-10, max(A.shape) * np.finfo(float).eps)
        r = max(1, int((sv > tol * sv[0]).sum()))
        _, R, piv = qr(As, mode="economic", pivoting=True)
        ind, dep = piv[:r], piv[r:]
        # in unscaled units: beta = theta_ind + K theta_dep with K = diag(1/s_ind) R11^-1 R12 diag(s_dep)
        K = np.linalg.solve(R[:r, :r], R[:r, r:]) if len(dep) else np.zeros((r, 0))
        K = K / scale[ind][:, None] * scale[dep][None, :]
        order = np.argsort(ind)   # base parameters in the order of theta
        cond = float(np.linalg.cond(As[:, ind]))
        if r < A.shape[1] and cond > 1e8:
            import warnings
            warnings.warn(f"identify: the {r} base parameters are poorly excited (condition number {cond:.3g}): "
                          "their estimates are unreliable; record a more exciting trajectory", stacklevel=2)
        return cls(list(names), ind[order], dep, K[order], float(tol), cond)

    @property
    def rank(self) -> int:
        return len(self.independent)

    def project(self, theta) -> np.ndarray:
        """beta for a full parameter vector theta (e.g. the nominal or a CAD model)."""
        t = np.asarray(theta, float)
        return t[self.independent] + self.K @ t[self.dependent]

    def full(self, beta) -> np.ndarray:
        """A theta with these base parameters (dependent entries 0; gives the same torques)."""
        t = np.zeros(len(self.names))
        t[self.independent] = np.asarray(beta, float)
        return t

    def columns(self, W):
        return W[:, torch.as_tensor(self.independent)] if isinstance(W, torch.Tensor) else W[:, self.independent]

    def describe(self, k: int, eps: float = 1e-10) -> str:
        """Base parameter k as the combination of standard parameters it stands for."""
        terms = [self.names[self.independent[k]]]
        for j, c in zip(self.dependent, self.K[k]):
            if abs(c) > eps:
                terms.append(f"{'+' if c > 0 else '-'} {abs(c):.6g} {self.names[j]}")
        return " ".join(terms)


def identifiable_rank(robot, friction: Sequence[str] = ("viscous", "coulomb"), samples: int = 100,
                      seed: int = 0) -> int:
    """How many parameter combinations any log could identify: the rank of the regressor over
    random states (generic positions, velocities and accelerations excite every combination that
    is not a structural identity). A log whose BaseParameters.rank is below it does not excite
    the robot enough (a constant pose, one joint moving)."""
    nv, nq = robot.nv, getattr(robot, "nq", robot.nv)
    g = torch.Generator().manual_seed(seed)
    q = 4 * torch.rand(samples, nq, generator=g, dtype=torch.float64) - 2
    if nq != nv:   # a floating base: unit quaternions at [3:7]
        q[:, 3:7] = q[:, 3:7] / q[:, 3:7].norm(dim=1, keepdim=True)
    data = Data(q, torch.randn(samples, nv, generator=g, dtype=torch.float64),
                torch.randn(samples, nv, generator=g, dtype=torch.float64), torch.zeros(samples, nv, dtype=torch.float64))
    W, names = regressor(robot, data, friction=friction)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BaseParameters.from_regressor(W, names).rank


@dataclass
class LeastSquaresFit:
    base: BaseParameters
    beta: np.ndarray
    std: np.ndarray
    residual_rms: np.ndarray   # per joint
    condition: float
    weighted: bool

    def theta(self) -> np.ndarray:
        return self.base.full(self.beta)

    def table(self) -> str:
        rows = [f"{'base parameter':60s} {'estimate':>14s} {'std':>12s}"]
        for k in range(self.base.rank):
            rows.append(f"{self.base.describe(k)[:60]:60s} {self.beta[k]:14.6g} {self.std[k]:12.3g}")
        return "\n".join(rows)


def least_squares(W, tau, base: BaseParameters, weighted: bool = False) -> LeastSquaresFit:
    """Ordinary (or weighted: rows scaled by 1/sigma_j, sigma_j the joint's residual std of the
    ordinary fit) least squares on the base parameters; std from sigma^2 (A'A)^-1."""
    A = np.asarray(base.columns(W.detach() if isinstance(W, torch.Tensor) else W), float)
    y = np.asarray(tau.detach() if isinstance(tau, torch.Tensor) else tau, float)
    nv = y.shape[1]
    y = y.reshape(-1)
    beta, *_ = np.linalg.lstsq(A, y, rcond=None)
    res = (y - A @ beta).reshape(-1, nv)
    sigma = np.sqrt((res ** 2).mean(axis=0))
    w = np.ones(len(y))
    if weighted:
        w = np.tile(1.0 / np.maximum(sigma, 1e-12 * max(1.0, float(np.abs(y).max()))), len(y) // nv)
        beta, *_ = np.linalg.lstsq(A * w[:, None], y * w, rcond=None)
        res = (y - A @ beta).reshape(-1, nv)
    Aw = A * w[:, None]
    dof = max(1, len(y) - A.shape[1])
    s2 = float(((y - A @ beta) * w) @ ((y - A @ beta) * w)) / dof
    cov = s2 * np.linalg.pinv(Aw.T @ Aw)
    return LeastSquaresFit(base, beta, np.sqrt(np.maximum(np.diag(cov), 0)), np.sqrt((res ** 2).mean(axis=0)),
                           float(np.linalg.cond(Aw)), weighted)


class LogCholesky(torch.nn.Module):
    """par_REG of n bodies from 10 n unconstrained numbers: every value is a physically realisable
    body (m > 0, inertia positive definite, triangle inequalities), because the pseudo-inertia
    J = [[tr(I)/2 - I, m c], [m c', m]] is U U' with U = e^alpha [[e^d1, s12, s13, t1],
    [0, e^d2, s23, t2], [0, 0, e^d3, t3], [0, 0, 0, 1]] (Rucker & Wensing 2022; Pinocchio's
    LogCholeskyParameters (alpha, d1, d2, d3, s12, s23, s13, t1, t2, t3), same order)."""

    def __init__(self, par_REG):
        super().__init__()
        self.theta = torch.nn.Parameter(self.from_par_REG(torch.as_tensor(par_REG, dtype=torch.float64)))

    @staticmethod
    def to_par_REG(theta):
        th = theta.reshape(-1, 10)
        a, d1, d2, d3, s12, s23, s13, t1, t2, t3 = th.unbind(-1)
        z, o = torch.zeros_like(a), torch.ones_like(a)
        U = torch.stack([torch.stack([d1.exp(), s12, s13, t1], -1), torch.stack([z, d2.exp(), s23, t2], -1),
                         torch.stack([z, z, d3.exp(), t3], -1), torch.stack([z, z, z, o], -1)], -2)
        U = U * a.exp()[:, None, None]
        J = U @ U.transpose(-1, -2)
        S = J[:, :3, :3]
        I = torch.diagonal(S, dim1=-2, dim2=-1).sum(-1)[:, None, None] * torch.eye(3, dtype=J.dtype) - S
        out = torch.stack([J[:, 3, 3], J[:, 0, 3], J[:, 1, 3], J[:, 2, 3], I[:, 0, 0], I[:, 0, 1], I[:, 0, 2],
                           I[:, 1, 1], I[:, 1, 2], I[:, 2, 2]], -1)
        return out.reshape(-1)

    @staticmethod
    def from_par_REG(par_REG):
        """The log-Cholesky numbers of physically consistent bodies (ValueError otherwise)."""
        p = par_REG.reshape(-1, 10)
        out = []
        for b, row in enumerate(p.tolist()):
            J = pseudo_inertia(row)
            try:   # J = U U' with U upper triangular: Cholesky of the reversed matrix
                L = np.linalg.cholesky(J[::-1, ::-1])
            except np.linalg.LinAlgError:
                raise ValueError(f"identify.LogCholesky: body {b} is not physically consistent "
                                 "(pseudo-inertia not positive definite)") from None
            U = L[::-1, ::-1]
            e = U[3, 3]
            U = U / e
            out.append([math.log(e), math.log(U[0, 0]), math.log(U[1, 1]), math.log(U[2, 2]), U[0, 1], U[1, 2],
                        U[0, 2], U[0, 3], U[1, 3], U[2, 3]])
        return torch.tensor(out, dtype=torch.float64).reshape(-1)

    def forward(self):
        return self.to_par_REG(self.theta)


def physically_consistent(par_REG, tol: float = 0.0) -> bool:
    """Every body's pseudo-inertia is positive definite (m > 0, I > 0, triangle inequalities)."""
    return all(np.linalg.eigvalsh(pseudo_inertia(row)).min() > tol
               for row in torch.as_tensor(par_REG).reshape(-1, 10).tolist())


def pseudo_inertia(par_REG_body):
    """The 4x4 pseudo-inertia [[tr(I)/2 - I, m c], [m c', m]] of one body's 10 par_REG entries
    (m, mx, my, mz, Ixx, Ixy, Ixz, Iyy, Iyz, Izz; inertia about the body frame origin)."""
    m, mx, my, mz, ixx, ixy, ixz, iyy, iyz, izz = par_REG_body
    I = np.array([[ixx, ixy, ixz], [ixy, iyy, iyz], [ixz, iyz, izz]])
    J = np.zeros((4, 4))
    J[:3, :3] = np.trace(I) / 2 * np.eye(3) - I
    J[:3, 3] = J[3, :3] = [mx, my, mz]
    J[3, 3] = m
    return J


def refine(W, tau, n_bodies: int, start_par_REG, prior_par_REG=None, prior_weight: float = 0.0,
           friction_start=None, iterations: int = 200):
    """A physically consistent par_REG (and friction) that fits the torques: L-BFGS on the
    log-Cholesky numbers, from a consistent start (the file's values), minimising
    mean((W theta - tau)^2) + prior_weight mean((par_REG - prior)^2); the prior also fixes the
    combinations the data cannot see (without it they stay near the start). Returns (par_REG, friction) tensors."""
    # Plain values: a par_REG that requires grad (a module generated with --symb DYN) would tie
    # the closure to its graph ("backward through the graph a second time").
    plain = lambda x: (x.detach() if isinstance(x, torch.Tensor) else torch.as_tensor(x)).to(torch.float64)  # noqa: E731
    W = plain(W)
    y = plain(tau).reshape(-1)
    start_par_REG = plain(start_par_REG).reshape(-1)
    if isinstance(n_bodies, bool) or not isinstance(n_bodies, int) or n_bodies < 1:
        raise ValueError(f"identify.refine: n_bodies must be a positive int, got {n_bodies!r}")
    if W.dim() != 2 or W.shape[0] != y.numel():
        raise ValueError(f"identify.refine: W {tuple(W.shape)} and tau ({y.numel()} values) do not match")
    if len(start_par_REG) != 10 * n_bodies or W.shape[1] < 10 * n_bodies:
        raise ValueError(f"identify.refine: n_bodies = {n_bodies} needs start_par_REG of {10 * n_bodies} values and "
                         f"at least as many columns of W; got {len(start_par_REG)} values and {W.shape[1]} columns "
                         f"(n_bodies is len(robot.par_REG) // 10)")
    lc = LogCholesky(start_par_REG)
    n_fric = W.shape[1] - 10 * n_bodies
    fr = torch.nn.Parameter(torch.zeros(n_fric, dtype=torch.float64) if friction_start is None
                            else torch.as_tensor(friction_start, dtype=torch.float64).clone())
    prior = None if prior_par_REG is None else plain(prior_par_REG).reshape(-1)
    if prior is not None and len(prior) != 10 * n_bodies:
        raise ValueError(f"identify.refine: prior_par_REG has {len(prior)} values, n_bodies = {n_bodies} needs {10 * n_bodies}")
    if not (prior_weight >= 0 and math.isfinite(prior_weight)):
        raise ValueError(f"identify.refine: prior_weight must be a finite number >= 0, got {prior_weight!r}")
    scale = float(y.square().mean())
    opt = torch.optim.LBFGS([lc.theta, fr], lr=1, max_iter=iterations, history_size=50,
                            line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-15)

    def closure():
        opt.zero_grad()
        p = lc()
        loss = (W @ torch.cat([p, fr]) - y).square().mean() / scale
        if prior is not None and prior_weight > 0:
            loss = loss + prior_weight * (p - prior).square().mean() / max(float(prior.square().mean()), 1e-30)
        loss.backward()
        return loss

    opt.step(closure)
    return lc().detach(), fr.detach()


@dataclass
class Excitation:
    """A finite Fourier series per joint (Swevers et al. 1997), periodic with period 2 pi / wf:
    q_j(t) = q0_j + sum_k a_jk / (wf k) sin(wf k t) - b_jk / (wf k) cos(wf k t)."""
    q0: torch.Tensor   # (nv,)
    a: torch.Tensor    # (nv, H)
    b: torch.Tensor    # (nv, H)
    wf: float

    def __call__(self, t):
        t = torch.as_tensor(t, dtype=torch.float64).reshape(-1, 1, 1)
        k = torch.arange(1, self.a.shape[1] + 1, dtype=torch.float64)
        w = self.wf * k
        s, c = torch.sin(w * t), torch.cos(w * t)
        q = self.q0 + ((self.a / w) * s - (self.b / w) * c).sum(-1)
        dq = (self.a * c + self.b * s).sum(-1)
        ddq = (-self.a * w * s + self.b * w * c).sum(-1)
        return q, dq, ddq

    def write_csv(self, path, sample_rate: float, duration: Optional[float] = None):
        """t, q1.., dq1.., ddq1.. at sample_rate (Hz) over one period (or duration): the reference a
        position/velocity controller plays."""
        T = duration or 2 * math.pi / self.wf
        t = torch.arange(0, T, 1.0 / sample_rate, dtype=torch.float64)
        with torch.no_grad():
            q, dq, ddq = self(t)
        n = q.shape[1]
        header = ",".join(["t"] + [f"{p}{j + 1}" for p in ("q", "dq", "ddq") for j in range(n)])
        np.savetxt(str(path), torch.cat([t[:, None], q, dq, ddq], 1).numpy(), delimiter=",", header=header,
                   comments="")


def optimize_excitation(robot, q_limits, dq_limit, ddq_limit, harmonics: int = 5, period: float = 10.0,
                        samples: int = 200, iterations: int = 100, seed: int = 0, q_center=None):
    """Fourier coefficients that minimise the condition number of the stacked base regressor over
    one period, inside joint position limits q_limits = (lower, upper) (nv each) and symmetric
    velocity / acceleration limits (scalars or nv), enforced as penalties on the sampled
    trajectory (checked by the caller on a finer grid: Excitation.__call__). Returns
    (Excitation, condition number at the start, at the end)."""
    g = torch.Generator().manual_seed(seed)
    nv = robot.nv
    lo, hi = (torch.as_tensor(x, dtype=torch.float64).expand(nv) for x in q_limits)
    dq_lim = torch.as_tensor(dq_limit, dtype=torch.float64).expand(nv)
    ddq_lim = torch.as_tensor(ddq_limit, dtype=torch.float64).expand(nv)
    q0 = (lo + hi) / 2 if q_center is None else torch.as_tensor(q_center, dtype=torch.float64)
    wf = 2 * math.pi / period
    a = torch.nn.Parameter(0.1 * torch.randn(nv, harmonics, generator=g, dtype=torch.float64) * dq_lim[:, None] / harmonics)
    b = torch.nn.Parameter(0.1 * torch.randn(nv, harmonics, generator=g, dtype=torch.float64) * dq_lim[:, None] / harmonics)
    t = torch.linspace(0, period, samples + 1, dtype=torch.float64)[:-1]
    probe = Data(*(x.detach() for x in Excitation(q0, a, b, wf)(t)), torch.zeros(samples, nv, dtype=torch.float64))
    W0, names = regressor(robot, probe, friction=())
    rng = torch.Generator().manual_seed(seed + 1)
    # the base columns from a rich random excitation (the structural rank does not depend on it)
    rich = Data(lo + (hi - lo) * torch.rand(4 * samples, nv, generator=rng, dtype=torch.float64),
                dq_lim * (2 * torch.rand(4 * samples, nv, generator=rng, dtype=torch.float64) - 1),
                ddq_lim * (2 * torch.rand(4 * samples, nv, generator=rng, dtype=torch.float64) - 1),
                torch.zeros(4 * samples, nv, dtype=torch.float64))
    base = BaseParameters.from_regressor(regressor(robot, rich, friction=())[0], names)
    cols = torch.as_tensor(base.independent)

    def condition(exc, grad=True):
        q, dq, ddq = exc(t)
        with torch.set_grad_enabled(grad):
            Y = robot.Y(q, dq, ddq) if hasattr(robot, "Y") else robot.Yr(q, dq, dq, ddq)
            A = Y.reshape(samples * nv, -1)[:, cols]
            A = A / A.norm(dim=0).clamp_min(1e-12)
            s = torch.linalg.svdvals(A)
            return s[0] / s[-1], q, dq, ddq

    with torch.no_grad():
        c0 = float(condition(Excitation(q0, a, b, wf), grad=False)[0])
    opt = torch.optim.Adam([a, b], lr=0.02)
    for _ in range(iterations):
        cond, q, dq, ddq = condition(Excitation(q0, a, b, wf))
        over = (torch.relu(q - hi) + torch.relu(lo - q)).square().sum() \
            + torch.relu(dq.abs() - dq_lim).square().sum() + torch.relu(ddq.abs() - ddq_lim).square().sum()
        loss = torch.log(cond) + 1e3 * over
        opt.zero_grad()
        loss.backward()
        opt.step()
    exc = Excitation(q0, a.detach(), b.detach(), wf)
    with torch.no_grad():
        c1 = float(condition(exc, grad=False)[0])
    return exc, c0, c1
