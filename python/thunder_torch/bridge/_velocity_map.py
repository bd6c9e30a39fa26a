"""The map u = P(q) v between Thunder's velocity and a simulator's, and everything derived from it
(forces, mass matrix, Jacobians, J̇, accelerations, bias, Coriolis): the part that MuJoCo and
Isaac Lab share. A subclass says which base velocity blocks are world-frame and how the joints
are ordered; the formulas are in the package docstring (thunder_torch/bridge/__init__.py)."""
from __future__ import annotations

import functools
from typing import Mapping, NamedTuple, Optional, Sequence

import torch


class ThunderState(NamedTuple):
    """Thunder's (q, v) (Pinocchio's conventions, docs/FUNCTIONS.md)."""
    q: torch.Tensor   # (..., nq)
    v: torch.Tensor   # (..., nv)


def quat_to_rot(quat_xyzw: torch.Tensor) -> torch.Tensor:
    """Rotation matrix of a unit quaternion (x, y, z, w).

    Shape:
        quat_xyzw: (..., 4) -> (..., 3, 3)
    """
    x, y, z, w = quat_xyzw.unbind(-1)
    rows = [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
            2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
            2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]
    return torch.stack(rows, -1).reshape(*quat_xyzw.shape[:-1], 3, 3)


def _tensor(x, robot) -> torch.Tensor:
    """x as a tensor: tensors pass unchanged, arrays (MuJoCo's numpy data) take the robot
    module's dtype and device."""
    if isinstance(x, torch.Tensor):
        return x
    return torch.as_tensor(x, dtype=robot.dtype, device=robot.device)


def _arrays_to_tensors(method):
    """Lets a public map take numpy arrays (MuJoCo's qpos, qfrc_bias, ...) as well as tensors."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        args = [a if a is None else _tensor(a, self.robot) for a in args]
        kwargs = {k: (a if a is None else _tensor(a, self.robot)) for k, a in kwargs.items()}
        return method(self, *args, **kwargs)
    return wrapper


def _skew(w: torch.Tensor) -> torch.Tensor:
    """[w]× (..., 3) -> (..., 3, 3), so that [w]× x = w × x."""
    x, y, z = w.unbind(-1)
    o = torch.zeros_like(x)
    return torch.stack([o, -z, y, z, o, -x, -y, x, o], -1).reshape(*w.shape[:-1], 3, 3)


class _Bridge:
    """The map u = P(q) v shared by the simulators; a subclass names the layout.

    Attributes:
        robot: the thunder_torch module.
        floating: whether the robot has a floating base.
        joint_perm: LongTensor (n_joints,): the simulator's joint k is Thunder's joint
            joint_perm[k] (indices into the joint part of v, i.e. v[6 + joint_perm[k]] for a
            floating base).
        lin_world, ang_world: whether the simulator's base linear / angular velocity is in the
            world frame (else the base frame).
    """

    lin_world = True
    ang_world = False

    def __init__(self, robot, sim_joint_names: Sequence[str], who: str,
                 rename: Optional[Mapping[str, str]] = None):
        self.robot = robot
        self.floating = bool(robot.floating_base)
        names = list(robot.joints[1:] if self.floating else robot.joints)
        nb = 6 if self.floating else 0
        if len(names) != robot.nv - nb:
            raise ValueError(f"{who}: {robot.robot} has {robot.nv - nb} joint velocities but "
                             f"{len(names)} joint names (mimic joints are not supported by the bridge)")
        # a simulator model written apart from the URDF may name its joints otherwise
        sim = [(rename or {}).get(n, n) for n in sim_joint_names]
        missing = [n for n in names if n not in sim]
        extra = [n for n in sim if n not in names]
        if missing or extra or len(sim) != len(names):
            raise ValueError(f"{who}: joints do not match by name: Thunder's {robot.robot} has "
                             f"{missing or 'all'} missing in the simulator"
                             + (f", the simulator has extra {extra}" if extra else "")
                             + f" (Thunder: {names}; simulator: {sim})")
        self.sim_joint_names = list(sim_joint_names)
        self.joint_perm = torch.tensor([names.index(n) for n in sim], dtype=torch.long)
        # u = v[..., v_perm] after the base blocks are rotated: sim index k takes Thunder's v_perm[k]
        self._v_perm = torch.cat([torch.arange(nb), nb + self.joint_perm])
        self._v_inv = torch.argsort(self._v_perm)

    # -- the velocity map along one axis of x ------------------------------------------------
    def _idx(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return t.to(x.device)

    def _base(self, x: torch.Tensor, q: torch.Tensor, forward: bool, core: int) -> torch.Tensor:
        """Rotates the base blocks of x (..., nv) by R (forward) or Rᵀ; joints untouched.
        x's last `core` dims are not batch (1: a vector, 2: a matrix); its batch broadcasts
        against q's."""
        if not self.floating:
            return x
        R = quat_to_rot(q[..., 3:7])
        if not forward:
            R = R.transpose(-1, -2)
        batch = torch.broadcast_shapes(x.shape[:x.dim() - core], q.shape[:-1])
        x = x.expand(*batch, *x.shape[x.dim() - core:])
        R = R.expand(*batch, 3, 3)
        for _ in range(core - 1):   # the same R for every row of a matrix
            R = R.unsqueeze(-3)
        lin, ang = x[..., 0:3], x[..., 3:6]
        if self.lin_world:
            lin = (R @ lin.unsqueeze(-1)).squeeze(-1)
        if self.ang_world:
            ang = (R @ ang.unsqueeze(-1)).squeeze(-1)
        return torch.cat([lin, ang, x[..., 6:]], -1)

    def _to(self, x: torch.Tensor, q: torch.Tensor, dim: int = -1, core: int = 1) -> torch.Tensor:
        """P x along `dim` (P⁻ᵀ x too: P is orthogonal); core as in _base."""
        x = x.movedim(dim, -1)
        y = self._base(x, q, True, core).index_select(-1, self._idx(self._v_perm, x))
        return y.movedim(-1, dim)

    def _from(self, u: torch.Tensor, q: torch.Tensor, dim: int = -1, core: int = 1) -> torch.Tensor:
        """Pᵀ u = P⁻¹ u along `dim`."""
        u = u.movedim(dim, -1)
        x = self._base(u.index_select(-1, self._idx(self._v_inv, u)), q, False, core)
        return x.movedim(-1, dim)

    def _Sv(self, v: torch.Tensor) -> torch.Tensor:
        """S v = P⁻¹ Ṗ v: ω_b × v_b in the linear block (the angular block gives ω × ω = 0)."""
        if not self.floating or not self.lin_world:
            return torch.zeros_like(v)
        lin = torch.linalg.cross(v[..., 3:6], v[..., 0:3])
        return torch.cat([lin, torch.zeros_like(v[..., 3:])], -1)

    def _times_S(self, X: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """X S for X (..., r, nv): only the base columns of S are non-zero ([ω_b]× blocks)."""
        if not self.floating:
            return torch.zeros_like(X)
        batch = torch.broadcast_shapes(X.shape[:-2], v.shape[:-1])
        X = X.expand(*batch, *X.shape[-2:])
        W = _skew(v[..., 3:6]).expand(*batch, 3, 3)
        zero = torch.zeros_like(X[..., 0:3])
        lin = X[..., 0:3] @ W if self.lin_world else zero
        ang = X[..., 3:6] @ W if self.ang_world else zero
        return torch.cat([lin, ang, torch.zeros_like(X[..., 6:])], -1)

    # -- public maps ---------------------------------------------------------------------------
    @_arrays_to_tensors
    def P(self, q: torch.Tensor) -> torch.Tensor:
        """The velocity map u_sim = P(q) v as a matrix.

        Shape:
            q: (..., nq) -> (..., nv, nv)
        """
        eye = torch.eye(self.robot.nv, dtype=q.dtype, device=q.device)
        return self._to(eye.expand(*q.shape[:-1], -1, -1), q, -2, 2)

    @_arrays_to_tensors
    def P_dot(self, q: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Ṗ = P S, the time derivative of P along (q, v).

        Shape:
            q: (..., nq), v: (..., nv) -> (..., nv, nv)
        """
        eye = torch.eye(self.robot.nv, dtype=q.dtype, device=q.device)
        S = self._times_S(eye.expand(*v.shape[:-1], -1, -1), v)
        return self._to(S, q, -2, 2)

    @_arrays_to_tensors
    def force_to_sim(self, tau: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Generalized force in the simulator's dofs: P⁻ᵀ τ (for a floating base the first
        six are the base force and torque in the simulator's frames).

        Shape:
            tau: (..., nv), q: (..., nq) -> (..., nv)
        """
        return self._to(tau, q)

    @_arrays_to_tensors
    def force_from_sim(self, f: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Thunder's generalized force Pᵀ f of the simulator's generalized force f.

        Shape:
            f: (..., nv), q: (..., nq) -> (..., nv)
        """
        return self._from(f, q)

    @_arrays_to_tensors
    def M_to_sim(self, M: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Mass matrix in the simulator's velocity coordinates, P⁻ᵀ M P⁻¹.

        Shape:
            M: (..., nv, nv), q: (..., nq) -> (..., nv, nv)
        """
        return self._to(self._to(M, q, -1, 2), q, -2, 2)

    @_arrays_to_tensors
    def M_from_sim(self, M_sim: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Thunder's mass matrix Pᵀ M_sim P.

        Shape:
            M_sim: (..., nv, nv), q: (..., nq) -> (..., nv, nv)
        """
        return self._from(self._from(M_sim, q, -1, 2), q, -2, 2)

    @_arrays_to_tensors
    def J_to_sim(self, J: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """A Jacobian (any rows, e.g. Thunder's 6×nv J_<frame>) acting on the simulator's
        velocity: J P⁻¹ (its columns in the simulator's dof order).

        Shape:
            J: (..., r, nv), q: (..., nq) -> (..., r, nv)
        """
        return self._to(J, q, -1, 2)

    @_arrays_to_tensors
    def J_from_sim(self, J_sim: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Thunder's Jacobian J_sim P of a Jacobian acting on the simulator's velocity.

        Shape:
            J_sim: (..., r, nv), q: (..., nq) -> (..., r, nv)
        """
        return self._from(J_sim, q, -1, 2)

    @_arrays_to_tensors
    def J_dot_to_sim(self, J_dot: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                     J: torch.Tensor) -> torch.Tensor:
        """d/dt (J P⁻¹) = (J̇ − J S) P⁻¹, so that J_sim a_sim + J̇_sim u = J dv + J̇ v.

        Shape:
            J_dot, J: (..., r, nv), q: (..., nq), v: (..., nv) -> (..., r, nv)
        """
        return self._to(J_dot - self._times_S(J, v), q, -1, 2)

    @_arrays_to_tensors
    def J_dot_from_sim(self, J_dot_sim: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                       J: torch.Tensor) -> torch.Tensor:
        """Inverse of J_dot_to_sim: J̇ = J̇_sim P + J S (J: Thunder's Jacobian).

        Shape:
            J_dot_sim, J: (..., r, nv), q: (..., nq), v: (..., nv) -> (..., r, nv)
        """
        return self._from(J_dot_sim, q, -1, 2) + self._times_S(J, v)

    @_arrays_to_tensors
    def acc_to_sim(self, dv: torch.Tensor, q: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Simulator acceleration (MuJoCo's qacc) of Thunder's dv: P dv + Ṗ v = P (dv + S v).

        Shape:
            dv, v: (..., nv), q: (..., nq) -> (..., nv)
        """
        return self._to(dv + self._Sv(v), q)

    @_arrays_to_tensors
    def acc_from_sim(self, acc: torch.Tensor, q: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Thunder's dv of a simulator acceleration: P⁻¹ acc − S v.

        Shape:
            acc, v: (..., nv), q: (..., nq) -> (..., nv)
        """
        return self._from(acc, q) - self._Sv(v)

    @_arrays_to_tensors
    def bias_to_sim(self, h: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                    M: torch.Tensor) -> torch.Tensor:
        """Bias force in the simulator's dofs (MuJoCo's qfrc_bias) of Thunder's h = C v + G:
        P⁻ᵀ (h − M S v) = P⁻ᵀ h − M_sim Ṗ v.

        Shape:
            h, v: (..., nv), q: (..., nq), M: (..., nv, nv) -> (..., nv)
        """
        return self._to(h - (M @ self._Sv(v).unsqueeze(-1)).squeeze(-1), q)

    @_arrays_to_tensors
    def bias_from_sim(self, b: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                      M: torch.Tensor) -> torch.Tensor:
        """Thunder's h = C v + G of the simulator's bias b (M: Thunder's): Pᵀ b + M S v.

        Shape:
            b, v: (..., nv), q: (..., nq), M: (..., nv, nv) -> (..., nv)
        """
        return self._from(b, q) + (M @ self._Sv(v).unsqueeze(-1)).squeeze(-1)

    @_arrays_to_tensors
    def C_to_sim(self, C: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                 M: torch.Tensor) -> torch.Tensor:
        """Coriolis matrix acting on the simulator's velocity: P⁻ᵀ (C − M S) P⁻¹, so that
        C_sim u = bias_to_sim(C v, ...) (M: Thunder's).

        Shape:
            C, M: (..., nv, nv), q: (..., nq), v: (..., nv) -> (..., nv, nv)
        """
        return self.M_to_sim(C - self._times_S(M, v), q)

    @_arrays_to_tensors
    def C_from_sim(self, C_sim: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                   M: torch.Tensor) -> torch.Tensor:
        """Inverse of C_to_sim: C = Pᵀ C_sim P + M S (M: Thunder's).

        Shape:
            C_sim, M: (..., nv, nv), q: (..., nq), v: (..., nv) -> (..., nv, nv)
        """
        return self.M_from_sim(C_sim, q) + self._times_S(M, v)

    @property
    def _inv_joint(self):
        return torch.argsort(self.joint_perm)
