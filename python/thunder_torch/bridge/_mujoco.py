"""MuJoCo's conventions: qpos [x y z, qw qx qy qz, joints], qvel [world linear velocity of the root
body origin, body-frame angular velocity, joints], dofs in the model's body order."""
from __future__ import annotations

from typing import Mapping, NamedTuple, Optional, Tuple

import torch

from ._velocity_map import ThunderState, _arrays_to_tensors, _Bridge


class MujocoState(NamedTuple):
    """MuJoCo's (qpos, qvel) of the robot."""
    qpos: torch.Tensor   # (..., nq)
    qvel: torch.Tensor   # (..., nv)


class MujocoBridge(_Bridge):
    """Thunder ↔ MuJoCo (see `mujoco`)."""

    lin_world, ang_world = True, False

    def __init__(self, robot, mj_model, rename: Optional[Mapping[str, str]] = None):
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
        super().__init__(robot, names, "bridge.mujoco", rename)
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
        # direct-drive actuators (joint transmission, force = gain * ctrl): ctrl = qfrc[dof] / gain
        self._act_dof, self._act_gain, self._act_other = [], [], []
        for a in range(mj_model.nu):
            direct = (mj_model.actuator_trntype[a] == mj.mjtTrn.mjTRN_JOINT
                      and mj_model.actuator_gaintype[a] == mj.mjtGain.mjGAIN_FIXED
                      and mj_model.actuator_biastype[a] == mj.mjtBias.mjBIAS_NONE
                      and mj_model.actuator_dyntype[a] == mj.mjtDyn.mjDYN_NONE)
            if not direct:
                self._act_other.append(mj_model.actuator(a).name or str(a))
                continue
            j = int(mj_model.actuator_trnid[a, 0])
            self._act_dof.append(int(mj_model.jnt_dofadr[j]))
            self._act_gain.append(float(mj_model.actuator_gear[a, 0] * mj_model.actuator_gainprm[a, 0]))

    @_arrays_to_tensors
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
        return ThunderState(q, self._from(qvel, q))

    @_arrays_to_tensors
    def from_thunder(self, q: torch.Tensor, v: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """MuJoCo's (qpos, qvel) of Thunder's (q, v).

        Shape:
            q: (..., nq), v: (..., nv) -> qpos: (..., nq), qvel: (..., nv)
        """
        x = torch.cat([q[..., 0:3], q[..., 6:7], q[..., 3:6], q[..., 7:]], -1) if self.floating else q
        return MujocoState(x.index_select(-1, self._idx(self._q_scatter, x)), self._to(v, q))

    @_arrays_to_tensors
    def force_to_ctrl(self, qfrc: torch.Tensor) -> torch.Tensor:
        """data.ctrl that makes the model's motor actuators apply the joint forces qfrc (MuJoCo's
        dof order, e.g. force_to_sim(tau, q)): ctrl = qfrc[dof] / (gear · gain). Forces on dofs
        without an actuator (a floating base) are dropped; ctrlrange clamping is MuJoCo's.

        Shape:
            qfrc: (..., nv) -> (..., nu)
        """
        if self._act_other:
            raise ValueError(f"bridge.mujoco.force_to_ctrl: actuators {self._act_other} are not direct "
                             "joint motors (joint transmission, fixed gain, no bias or dynamics)")
        idx = torch.tensor(self._act_dof, dtype=torch.long, device=qfrc.device)
        gain = torch.tensor(self._act_gain, dtype=qfrc.dtype, device=qfrc.device)
        return qfrc.index_select(-1, idx) / gain
