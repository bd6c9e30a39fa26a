"""Isaac Lab's conventions (from its ArticulationData documentation; Isaac Lab itself cannot run
on our machines, see docs/SIMULATORS.md for what was verified): root pose [position, quaternion
w x y z] and velocity [linear, angular] in the world frame, joints in the articulation's order,
6 floating-base columns [linear, angular] (world) first in Jacobians and the mass matrix."""
from __future__ import annotations

from typing import Mapping, NamedTuple, Optional, Sequence, Tuple

import torch

from ._velocity_map import ThunderState, _Bridge, _tensor, quat_to_rot


class IsaacLabState(NamedTuple):
    """A floating-base articulation's state as Isaac Lab's ArticulationData holds it."""
    root_state_w: torch.Tensor   # (..., 13)
    joint_pos: torch.Tensor      # (..., n_joints), joint_names order
    joint_vel: torch.Tensor


class IsaacLabJointState(NamedTuple):
    """A fixed-base articulation's state: its joints only."""
    joint_pos: torch.Tensor
    joint_vel: torch.Tensor


class IsaacLabBridge(_Bridge):
    """Thunder ↔ Isaac Lab (see `isaaclab`)."""

    lin_world, ang_world = True, True

    def __init__(self, robot, joint_names: Sequence[str], quat_order: str = "wxyz",
                 root_com_pos_b: Optional[torch.Tensor] = None,
                 rename: Optional[Mapping[str, str]] = None):
        super().__init__(robot, joint_names, "bridge.isaaclab", rename)
        if quat_order not in ("wxyz", "xyzw"):
            raise ValueError(f"bridge.isaaclab: quat_order must be 'wxyz' or 'xyzw', got {quat_order!r}")
        self.quat_order = quat_order
        self.root_com_pos_b = None if root_com_pos_b is None else torch.as_tensor(root_com_pos_b)

    def _joints_to_thunder(self, x):
        return x.index_select(-1, self._idx(self._inv_joint, x))

    def _joints_from_thunder(self, x):
        return x.index_select(-1, self._idx(self.joint_perm, x))

    def _com_shift(self, R: torch.Tensor, ang_w: torch.Tensor) -> torch.Tensor:
        """ω × (R c): velocity of the root CoM minus that of the root origin (0 without c)."""
        if self.root_com_pos_b is None:
            return torch.zeros_like(ang_w)
        c = self.root_com_pos_b.to(ang_w.device, ang_w.dtype)
        return torch.linalg.cross(ang_w, (R @ c.unsqueeze(-1)).squeeze(-1).expand_as(ang_w))

    def to_thunder(self, *args: torch.Tensor, root_state_w: Optional[torch.Tensor] = None,
                   joint_pos: Optional[torch.Tensor] = None,
                   joint_vel: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Thunder's (q, v) of Isaac Lab's state.

        Floating base: ``to_thunder(root_state_w, joint_pos, joint_vel)``; root_state_w =
        [position, quaternion (w, x, y, z), linear velocity, angular velocity], velocities in the
        world frame; the linear one of the root link's origin (Isaac Lab's ``root_link_state_w``;
        for ``root_state_w``, whose linear velocity is the root body's CoM's, build the bridge
        with ``root_com_pos_b``). Fixed base: ``to_thunder(joint_pos, joint_vel)`` (a root state
        given first is accepted and ignored: the base pose is the model's). Joints in the order of
        ``joint_names``. Keywords work too.

        Shape:
            root_state_w: (..., 13), joint_pos, joint_vel: (..., n_joints)
            -> q: (..., nq), v: (..., nv)
        """
        names = ["root_state_w", "joint_pos", "joint_vel"] if self.floating else ["joint_pos", "joint_vel"]
        if not self.floating and len(args) == 3:   # Isaac Lab has a root state for fixed bases too
            args = args[1:]
        root_state_w = None if not self.floating else root_state_w
        given = dict(zip(names, args))
        for k, x in (("root_state_w", root_state_w), ("joint_pos", joint_pos), ("joint_vel", joint_vel)):
            if x is not None:
                given[k] = x
        if len(args) > len(names) or set(given) != set(names):
            raise TypeError(f"bridge.isaaclab.to_thunder: expected ({', '.join(names)}) for "
                            f"{self.robot.robot} ({'floating' if self.floating else 'fixed'} base), got "
                            f"{len(args)} positional argument(s) and {sorted(set(given) - set(names[:len(args)]))}")
        jp, jv = (self._joints_to_thunder(_tensor(given[k], self.robot)) for k in ("joint_pos", "joint_vel"))
        if not self.floating:
            return ThunderState(jp, jv)
        s = _tensor(given["root_state_w"], self.robot)
        quat = s[..., 3:7] if self.quat_order == "xyzw" else torch.cat([s[..., 4:7], s[..., 3:4]], -1)
        q = torch.cat([s[..., 0:3], quat, jp], -1)
        R = quat_to_rot(quat)
        lin_w = s[..., 7:10] - self._com_shift(R, s[..., 10:13])
        Rt = R.transpose(-1, -2)
        lin = (Rt @ lin_w.unsqueeze(-1)).squeeze(-1)
        ang = (Rt @ s[..., 10:13].unsqueeze(-1)).squeeze(-1)
        return ThunderState(q, torch.cat([lin, ang, jv], -1))

    def from_thunder(self, q: torch.Tensor, v: torch.Tensor):
        """Isaac Lab's state of Thunder's (q, v): (root_state_w, joint_pos, joint_vel) for a
        floating base, (joint_pos, joint_vel) for a fixed one (as `to_thunder` takes them).

        Shape:
            q: (..., nq), v: (..., nv) -> root_state_w: (..., 13), joint_pos, joint_vel: (..., n_joints)
        """
        q, v = _tensor(q, self.robot), _tensor(v, self.robot)
        nb = 7 if self.floating else 0
        jp = self._joints_from_thunder(q[..., nb:])
        jv = self._joints_from_thunder(v[..., 6 if self.floating else 0:])
        if not self.floating:
            return IsaacLabJointState(jp, jv)
        u = self._base(v, q, True, 1)
        lin = u[..., 0:3] + self._com_shift(quat_to_rot(q[..., 3:7]), u[..., 3:6])
        quat = q[..., 3:7] if self.quat_order == "xyzw" else torch.cat([q[..., 6:7], q[..., 3:6]], -1)
        return IsaacLabState(torch.cat([q[..., 0:3], quat, lin, u[..., 3:6]], -1), jp, jv)
