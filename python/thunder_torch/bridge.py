"""Thunder next to a simulator: the maps between Thunder's coordinates and MuJoCo's or Isaac Lab's.

Thunder (Pinocchio's free-flyer) writes a floating base as q = [x y z, qx qy qz qw, joints] and
v = [v_b, ω_b, dq]: the linear velocity of the base origin and the angular velocity, both in the
BASE frame, joints in Pinocchio's order. Simulators differ (DESIGN.md, "Simulator conventions"):

- MuJoCo's free joint: qpos = [x y z, qw qx qy qz, ...], qvel = [R v_b (world), ω_b (body), ...],
  dofs in the model's body order.
- Isaac Lab: root pose (position, quaternion w x y z), root velocity [R v_b, R ω_b] (both world),
  joints in the articulation's order.

Both are a configuration-dependent linear map of the velocity, u = P(q) v, with
P = blockdiag(R or I, R or I, Π) (Π a permutation). Everything else follows from P (power is
invariant: uᵀ f_sim = vᵀ τ):

    forces        f_sim = P⁻ᵀ τ                     τ = Pᵀ f_sim
    mass matrix   M_sim = P⁻ᵀ M P⁻¹
    Jacobians     J_sim = J P⁻¹
    accelerations a_sim = P dv + Ṗ v               (Ṗ = P S, S = P⁻¹Ṗ)
    bias          b_sim = P⁻ᵀ (h − M S v)          (= P⁻ᵀ h − M_sim Ṗ v)
    Coriolis      C_sim = P⁻ᵀ (C − M S) P⁻¹
    J̇             J̇_sim = (J̇ − J S) P⁻¹            (so J̇_sim u = J̇ v − J S v)

R is a rotation and Π a permutation, so P is orthogonal: P⁻¹ = Pᵀ and P⁻ᵀ = P. S has one
block [ω_b]× per world-frame velocity block (R⁻¹Ṙ = [ω_b]×, R = R(q), Ṙ = R [ω_b]×); for a fixed
base P = Π and S = 0.

State arguments (q, v, and M or J where a map needs them) are always Thunder's, as returned by
`to_thunder`. Every map works on torch tensors with any leading batch shape and is differentiable.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import torch

__all__ = ["mujoco", "isaaclab", "MujocoBridge", "IsaacLabBridge", "randomize_par_DYN"]


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

    def __init__(self, robot, sim_joint_names: Sequence[str], who: str):
        self.robot = robot
        self.floating = bool(robot.floating_base)
        names = list(robot.joints[1:] if self.floating else robot.joints)
        nb = 6 if self.floating else 0
        if len(names) != robot.nv - nb:
            raise ValueError(f"{who}: {robot.robot} has {robot.nv - nb} joint velocities but "
                             f"{len(names)} joint names (mimic joints are not supported by the bridge)")
        sim = list(sim_joint_names)
        missing = [n for n in names if n not in sim]
        extra = [n for n in sim if n not in names]
        if missing or extra or len(sim) != len(names):
            raise ValueError(f"{who}: joints do not match by name: Thunder's {robot.robot} has "
                             f"{missing or 'all'} missing in the simulator"
                             + (f", the simulator has extra {extra}" if extra else "")
                             + f" (Thunder: {names}; simulator: {sim})")
        self.sim_joint_names = sim
        self.joint_perm = torch.tensor([names.index(n) for n in sim], dtype=torch.long)
        self._nb = nb
        # u = v[..., v_perm] after the base blocks are rotated: sim index k takes Thunder's v_perm[k]
        self._v_perm = torch.cat([torch.arange(nb), nb + self.joint_perm])
        self._v_inv = torch.argsort(self._v_perm)

    # -- the velocity map along one axis of x ------------------------------------------------
    def _idx(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return t.to(x.device)

    def _base(self, x: torch.Tensor, q: torch.Tensor, forward: bool) -> torch.Tensor:
        """Rotates the base blocks of x (..., nv) by R (forward) or Rᵀ; joints untouched."""
        if not self.floating:
            return x
        R = quat_to_rot(q[..., 3:7])
        if not forward:
            R = R.transpose(-1, -2)
        extra = x.dim() - q.dim()
        for _ in range(extra):
            R = R.unsqueeze(-3)
        lin, ang = x[..., 0:3], x[..., 3:6]
        if self.lin_world:
            lin = (R @ lin.unsqueeze(-1)).squeeze(-1)
        if self.ang_world:
            ang = (R @ ang.unsqueeze(-1)).squeeze(-1)
        return torch.cat([lin, ang, x[..., 6:]], -1)

    def _to(self, x: torch.Tensor, q: torch.Tensor, dim: int = -1) -> torch.Tensor:
        """P x along `dim` (P⁻ᵀ x too: P is orthogonal)."""
        x = x.movedim(dim, -1)
        y = self._base(x, q, True).index_select(-1, self._idx(self._v_perm, x))
        return y.movedim(-1, dim)

    def _from(self, u: torch.Tensor, q: torch.Tensor, dim: int = -1) -> torch.Tensor:
        """Pᵀ u = P⁻¹ u along `dim`."""
        u = u.movedim(dim, -1)
        x = self._base(u.index_select(-1, self._idx(self._v_inv, u)), q, False)
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
        W = _skew(v[..., 3:6])
        for _ in range(X.dim() - v.dim() - 1):   # X's rows broadcast by matmul itself
            W = W.unsqueeze(-3)
        zero = torch.zeros_like(X[..., 0:3])
        lin = X[..., 0:3] @ W if self.lin_world else zero
        ang = X[..., 3:6] @ W if self.ang_world else zero
        return torch.cat([lin, ang, torch.zeros_like(X[..., 6:])], -1)

    # -- public maps ---------------------------------------------------------------------------
    def P(self, q: torch.Tensor) -> torch.Tensor:
        """The velocity map u_sim = P(q) v as a matrix.

        Shape:
            q: (..., nq) -> (..., nv, nv)
        """
        eye = torch.eye(self.robot.nv, dtype=q.dtype, device=q.device)
        return self._to(eye.expand(*q.shape[:-1], -1, -1), q, dim=-2)

    def P_dot(self, q: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Ṗ = P S, the time derivative of P along (q, v).

        Shape:
            q: (..., nq), v: (..., nv) -> (..., nv, nv)
        """
        eye = torch.eye(self.robot.nv, dtype=q.dtype, device=q.device)
        S = self._times_S(eye.expand(*v.shape[:-1], -1, -1), v)
        return self._to(S, q, dim=-2)

    def force_to_sim(self, tau: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Generalized force in the simulator's dofs: P⁻ᵀ τ (for a floating base the first
        six are the base force and torque in the simulator's frames).

        Shape:
            tau: (..., nv), q: (..., nq) -> (..., nv)
        """
        return self._to(tau, q)

    def force_from_sim(self, f: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Thunder's generalized force Pᵀ f of the simulator's generalized force f.

        Shape:
            f: (..., nv), q: (..., nq) -> (..., nv)
        """
        return self._from(f, q)

    def M_to_sim(self, M: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Mass matrix in the simulator's velocity coordinates, P⁻ᵀ M P⁻¹.

        Shape:
            M: (..., nv, nv), q: (..., nq) -> (..., nv, nv)
        """
        return self._to(self._to(M, q, -1), q, -2)

    def M_from_sim(self, M_sim: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Thunder's mass matrix Pᵀ M_sim P.

        Shape:
            M_sim: (..., nv, nv), q: (..., nq) -> (..., nv, nv)
        """
        return self._from(self._from(M_sim, q, -1), q, -2)

    def J_to_sim(self, J: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """A Jacobian (any rows, e.g. Thunder's 6×nv J_<frame>) acting on the simulator's
        velocity: J P⁻¹ (its columns in the simulator's dof order).

        Shape:
            J: (..., r, nv), q: (..., nq) -> (..., r, nv)
        """
        return self._to(J, q, -1)

    def J_from_sim(self, J_sim: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        """Thunder's Jacobian J_sim P of a Jacobian acting on the simulator's velocity.

        Shape:
            J_sim: (..., r, nv), q: (..., nq) -> (..., r, nv)
        """
        return self._from(J_sim, q, -1)

    def J_dot_to_sim(self, J_dot: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                     J: torch.Tensor) -> torch.Tensor:
        """d/dt (J P⁻¹) = (J̇ − J S) P⁻¹, so that J_sim a_sim + J̇_sim u = J dv + J̇ v.

        Shape:
            J_dot, J: (..., r, nv), q: (..., nq), v: (..., nv) -> (..., r, nv)
        """
        return self._to(J_dot - self._times_S(J, v), q, -1)

    def J_dot_from_sim(self, J_dot_sim: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                       J: torch.Tensor) -> torch.Tensor:
        """Inverse of J_dot_to_sim: J̇ = J̇_sim P + J S (J: Thunder's Jacobian).

        Shape:
            J_dot_sim, J: (..., r, nv), q: (..., nq), v: (..., nv) -> (..., r, nv)
        """
        return self._from(J_dot_sim, q, -1) + self._times_S(J, v)

    def acc_to_sim(self, dv: torch.Tensor, q: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Simulator acceleration (MuJoCo's qacc) of Thunder's dv: P dv + Ṗ v = P (dv + S v).

        Shape:
            dv, v: (..., nv), q: (..., nq) -> (..., nv)
        """
        return self._to(dv + self._Sv(v), q)

    def acc_from_sim(self, acc: torch.Tensor, q: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Thunder's dv of a simulator acceleration: P⁻¹ acc − S v.

        Shape:
            acc, v: (..., nv), q: (..., nq) -> (..., nv)
        """
        return self._from(acc, q) - self._Sv(v)

    def bias_to_sim(self, h: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                    M: torch.Tensor) -> torch.Tensor:
        """Bias force in the simulator's dofs (MuJoCo's qfrc_bias) of Thunder's h = C v + G:
        P⁻ᵀ (h − M S v) = P⁻ᵀ h − M_sim Ṗ v.

        Shape:
            h, v: (..., nv), q: (..., nq), M: (..., nv, nv) -> (..., nv)
        """
        return self._to(h - (M @ self._Sv(v).unsqueeze(-1)).squeeze(-1), q)

    def bias_from_sim(self, b: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                      M: torch.Tensor) -> torch.Tensor:
        """Thunder's h = C v + G of the simulator's bias b (M: Thunder's): Pᵀ b + M S v.

        Shape:
            b, v: (..., nv), q: (..., nq), M: (..., nv, nv) -> (..., nv)
        """
        return self._from(b, q) + (M @ self._Sv(v).unsqueeze(-1)).squeeze(-1)

    def C_to_sim(self, C: torch.Tensor, q: torch.Tensor, v: torch.Tensor,
                 M: torch.Tensor) -> torch.Tensor:
        """Coriolis matrix acting on the simulator's velocity: P⁻ᵀ (C − M S) P⁻¹, so that
        C_sim u = bias_to_sim(C v, ...) (M: Thunder's).

        Shape:
            C, M: (..., nv, nv), q: (..., nq), v: (..., nv) -> (..., nv, nv)
        """
        return self.M_to_sim(C - self._times_S(M, v), q)

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


class MujocoBridge(_Bridge):
    """Thunder ↔ MuJoCo (see `mujoco`)."""

    lin_world, ang_world = True, False

    def __init__(self, robot, mj_model):
        import mujoco as mj
        free = [j for j in range(mj_model.njnt) if mj_model.jnt_type[j] == mj.mjtJoint.mjJNT_FREE]
        ball = [j for j in range(mj_model.njnt) if mj_model.jnt_type[j] == mj.mjtJoint.mjJNT_BALL]
        if ball:
            raise ValueError("bridge.mujoco: ball joints are not supported")
        if len(free) != (1 if robot.floating_base else 0):
            hint = (" (add one to the root body with mujoco.MjSpec: spec.body(ROOT).add_freejoint())"
                    if robot.floating_base else "")
            raise ValueError(f"bridge.mujoco: {robot.robot} has {'a' if robot.floating_base else 'no'} "
                             f"floating base but the MuJoCo model has {len(free)} free joint(s){hint}")
        hinges = [j for j in range(mj_model.njnt) if j not in free]
        names = [mj_model.joint(j).name for j in hinges]
        super().__init__(robot, names, "bridge.mujoco")
        if mj_model.nq != robot.nq or mj_model.nv != robot.nv:
            raise ValueError(f"bridge.mujoco: the MuJoCo model has nq={mj_model.nq}, nv={mj_model.nv}; "
                             f"{robot.robot} has nq={robot.nq}, nv={robot.nv}")
        # Thunder-ordered layouts [pos, quat wxyz, joints] / [lin, ang, joints] -> qpos / qvel
        qadr = [int(mj_model.jnt_qposadr[j]) for j in hinges]
        dadr = [int(mj_model.jnt_dofadr[j]) for j in hinges]
        inv = torch.argsort(self.joint_perm)
        q_src = [0] * robot.nq   # q_src[i]: qpos index of Thunder-layout entry i
        v_src = [0] * robot.nv
        nb = 0
        if free:
            a, d = int(mj_model.jnt_qposadr[free[0]]), int(mj_model.jnt_dofadr[free[0]])
            q_src[0:7] = range(a, a + 7)
            v_src[0:6] = range(d, d + 6)
            nb = 7
        for i in range(len(hinges)):          # Thunder joint i is the simulator's joint inv[i]
            q_src[nb + i] = qadr[int(inv[i])]
            v_src[(6 if free else 0) + i] = dadr[int(inv[i])]
        self._q_gather = torch.tensor(q_src)
        self._q_scatter = torch.argsort(self._q_gather)
        self._v_gather = torch.tensor(v_src)
        self._v_scatter = torch.argsort(self._v_gather)
        # the map along dofs: sim dof k takes Thunder-layout entry _v_scatter[k]
        self._v_perm = self._v_scatter.clone()
        self._v_inv = self._v_gather.clone()

    def to_thunder(self, qpos: torch.Tensor, qvel: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Thunder's (q, v) of MuJoCo's (qpos, qvel).

        Shape:
            qpos: (..., nq), qvel: (..., nv) -> q: (..., nq), v: (..., nv)
        """
        x = qpos.index_select(-1, self._idx(self._q_gather, qpos))
        if self.floating:
            q = torch.cat([x[..., 0:3], x[..., 4:7], x[..., 3:4], x[..., 7:]], -1)
        else:
            q = x
        return q, self._from(qvel, q)

    def from_thunder(self, q: torch.Tensor, v: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """MuJoCo's (qpos, qvel) of Thunder's (q, v).

        Shape:
            q: (..., nq), v: (..., nv) -> qpos: (..., nq), qvel: (..., nv)
        """
        x = torch.cat([q[..., 0:3], q[..., 6:7], q[..., 3:6], q[..., 7:]], -1) if self.floating else q
        return x.index_select(-1, self._idx(self._q_scatter, x)), self._to(v, q)


class IsaacLabBridge(_Bridge):
    """Thunder ↔ Isaac Lab (see `isaaclab`)."""

    lin_world, ang_world = True, True

    def __init__(self, robot, joint_names: Sequence[str]):
        super().__init__(robot, joint_names, "bridge.isaaclab")

    def _joints_to_thunder(self, x):
        return x.index_select(-1, self._idx(self._inv_joint, x))

    def _joints_from_thunder(self, x):
        return x.index_select(-1, self._idx(self.joint_perm, x))

    def to_thunder(self, *args: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Thunder's (q, v) of Isaac Lab's state.

        Floating base: ``to_thunder(root_state_w, joint_pos, joint_vel)``, root_state_w =
        [position, quaternion (w, x, y, z), linear velocity, angular velocity], all in the world
        frame, the velocity of the root link's origin (Isaac Lab's ``root_link_state_w``).
        Fixed base: ``to_thunder(joint_pos, joint_vel)``. Joints in the order of ``joint_names``.

        Shape:
            root_state_w: (..., 13), joint_pos, joint_vel: (..., n_joints)
            -> q: (..., nq), v: (..., nv)
        """
        if len(args) != (3 if self.floating else 2):
            raise TypeError("bridge.isaaclab.to_thunder: expected "
                            + ("(root_state_w, joint_pos, joint_vel)" if self.floating
                               else "(joint_pos, joint_vel)") + f", got {len(args)} arguments")
        *root, joint_pos, joint_vel = args
        jp, jv = self._joints_to_thunder(joint_pos), self._joints_to_thunder(joint_vel)
        if not self.floating:
            return jp, jv
        s = root[0]
        q = torch.cat([s[..., 0:3], s[..., 4:7], s[..., 3:4], jp], -1)
        R = quat_to_rot(q[..., 3:7]).transpose(-1, -2)
        lin = (R @ s[..., 7:10].unsqueeze(-1)).squeeze(-1)
        ang = (R @ s[..., 10:13].unsqueeze(-1)).squeeze(-1)
        return q, torch.cat([lin, ang, jv], -1)

    def from_thunder(self, q: torch.Tensor, v: torch.Tensor):
        """Isaac Lab's state of Thunder's (q, v): (root_state_w, joint_pos, joint_vel) for a
        floating base, (joint_pos, joint_vel) for a fixed one (as `to_thunder` takes them).

        Shape:
            q: (..., nq), v: (..., nv) -> root_state_w: (..., 13), joint_pos, joint_vel: (..., n_joints)
        """
        nb = 7 if self.floating else 0
        jp = self._joints_from_thunder(q[..., nb:])
        jv = self._joints_from_thunder(v[..., 6 if self.floating else 0:])
        if not self.floating:
            return jp, jv
        u = self._base(v, q, True)
        root = torch.cat([q[..., 0:3], q[..., 6:7], q[..., 3:6], u[..., 0:6]], -1)
        return root, jp, jv


def mujoco(robot, mj_model) -> MujocoBridge:
    """The bridge between a Thunder robot module and a MuJoCo model of the same robot.

    Joints are matched by name (hinge and slide joints); a floating base is MuJoCo's free joint
    (matched by type: add one with ``mujoco.MjSpec``, ``spec.body(root).add_freejoint()``).
    MuJoCo's free joint: qpos [x y z, qw qx qy qz], qvel [linear velocity of the body origin in
    the world frame, angular velocity in the body frame].

    Args:
        robot: a module from ``thunder_torch.load``.
        mj_model: ``mujoco.MjModel`` whose joints are the robot's (same URDF).

    Returns:
        a MujocoBridge with to_thunder / from_thunder, force_to_sim / force_from_sim, the matrix
        maps (M_to_sim, J_to_sim, C_to_sim, J_dot_to_sim and their inverses), acc_to_sim /
        acc_from_sim, bias_to_sim / bias_from_sim, and P(q), P_dot(q, v).
    """
    return MujocoBridge(robot, mj_model)


def isaaclab(robot, joint_names: Sequence[str]) -> IsaacLabBridge:
    """The bridge between a Thunder robot module and an Isaac Lab articulation.

    Args:
        robot: a module from ``thunder_torch.load``.
        joint_names: the articulation's ``joint_names`` (the order of joint_pos, joint_vel,
            efforts and of the joint columns of Jacobians and mass matrix).

    Isaac Lab's layouts (its ArticulationData and PhysX views): root state [position, quaternion
    (w, x, y, z), linear velocity, angular velocity] in the world frame; generalized velocity,
    mass matrix (``get_generalized_mass_matrices``) and Jacobian columns (``get_jacobians``)
    with 6 floating-base columns first, [linear, angular] in the world frame, then the joints in
    ``joint_names`` order; Jacobian rows [linear; angular] in the world frame.
    """
    return IsaacLabBridge(robot, joint_names)


def randomize_par_DYN(robot, batch_shape: Sequence[int], mass_scale: Tuple[float, float] = (0.8, 1.2),
                      com_offset: float = 0.0, generator: Optional[torch.Generator] = None,
                      links: Optional[Sequence[str]] = None) -> torch.Tensor:
    """Per-environment dynamic parameters: each link's mass scaled by s ~ U(mass_scale), its
    inertia about the centre of mass by the same s (the body made uniformly denser or lighter:
    positive mass, positive definite inertia and the triangle inequalities are kept exactly),
    and its centre of mass moved by a uniform offset in [−com_offset, com_offset]³ (the inertia
    about the CoM unchanged, so consistency is kept again).

    Pass the result as ``par_DYN=`` to any function of a robot generated with ``--symb DYN``:
    ``robot.M(q, par_DYN=par)`` with q (*batch_shape, nq) evaluates each environment with its own
    parameters in one batched call.

    Args:
        robot: a module from ``thunder_torch.load`` (with par_DYN).
        batch_shape: leading shape of the result, e.g. (num_envs,).
        mass_scale: range of the per-link scale s.
        com_offset: half-width of the CoM offset, in metres.
        generator: optional torch.Generator (reproducible draws).
        links: names of the links to randomise (default: every link with a positive mass).

    Shape:
        returns (*batch_shape, n_par_DYN), the module's dtype and device.
    """
    base = robot.par_DYN.detach()
    elements = robot.param_elements["par_DYN"]
    n_links = len(elements) // 10
    names = [elements[10 * k].rsplit(".", 1)[0] for k in range(n_links)]
    mask = torch.tensor([(links is None or names[k] in links) and float(base[10 * k]) > 0
                         for k in range(n_links)], dtype=base.dtype, device=base.device)
    shape = (*batch_shape, n_links)
    u = torch.rand(shape, generator=generator, dtype=base.dtype).to(base.device)
    s = 1 + mask * (mass_scale[0] - 1 + u * (mass_scale[1] - mass_scale[0]))
    d = (torch.rand((*shape, 3), generator=generator, dtype=base.dtype).to(base.device) * 2 - 1)
    d = d * com_offset * mask.unsqueeze(-1)
    per = base.reshape(n_links, 10).expand(*shape, 10)
    # [m, CoM_xyz, Ixx Ixy Ixz Iyy Iyz Izz] (DESIGN.md: inertia entries about the CoM)
    out = torch.cat([per[..., 0:1] * s.unsqueeze(-1), per[..., 1:4] + d, per[..., 4:10] * s.unsqueeze(-1)], -1)
    return out.reshape(*batch_shape, n_links * 10)
