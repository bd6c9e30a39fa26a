"""Thunder next to a simulator: the maps between Thunder's coordinates and MuJoCo's or Isaac Lab's.

Thunder (Pinocchio's free-flyer) writes a floating base as q = [x y z, qx qy qz qw, joints] and
v = [v_b, ω_b, dq]: the linear velocity of the base origin and the angular velocity, both in the
BASE frame, joints in Pinocchio's order. Simulators differ (docs/SIMULATORS.md):

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

from typing import Mapping, Optional, Sequence

import torch

from ._isaaclab import IsaacLabBridge, IsaacLabJointState, IsaacLabState
from ._mujoco import MujocoBridge, MujocoState
from ._velocity_map import ThunderState, quat_to_rot
from .parameters import randomize_par_DYN

__all__ = ["mujoco", "isaaclab", "MujocoBridge", "IsaacLabBridge", "randomize_par_DYN", "quat_to_rot",
           "ThunderState", "MujocoState", "IsaacLabState", "IsaacLabJointState"]


def mujoco(robot, mj_model, rename: Optional[Mapping[str, str]] = None) -> MujocoBridge:
    """The bridge between a Thunder robot module and a MuJoCo model of the same robot.

    Joints are matched by name (hinge and slide joints); a floating base is MuJoCo's free joint
    (matched by type: add one with ``mujoco.MjSpec``, ``spec.body(root).add_freejoint()``).
    MuJoCo's free joint: qpos [x y z, qw qx qy qz], qvel [linear velocity of the body origin in
    the world frame, angular velocity in the body frame].

    Args:
        robot: a module from ``thunder_torch.load``.
        mj_model: ``mujoco.MjModel`` whose joints are the robot's (same URDF).
        rename: optional {MuJoCo joint name: Thunder joint name} for models whose joints are
            named otherwise (an MJCF written apart from the URDF).

    Returns:
        a MujocoBridge with to_thunder / from_thunder, force_to_sim / force_from_sim,
        force_to_ctrl (motor actuators), the matrix
        maps (M_to_sim, J_to_sim, C_to_sim, J_dot_to_sim and their inverses), acc_to_sim /
        acc_from_sim, bias_to_sim / bias_from_sim, and P(q), P_dot(q, v).
    """
    return MujocoBridge(robot, mj_model, rename)


def isaaclab(robot, joint_names: Sequence[str], quat_order: str = "wxyz",
             root_com_pos_b: Optional[torch.Tensor] = None,
             rename: Optional[Mapping[str, str]] = None) -> IsaacLabBridge:
    """The bridge between a Thunder robot module and an Isaac Lab articulation.

    Args:
        robot: a module from ``thunder_torch.load``.
        joint_names: the articulation's ``joint_names`` (the order of joint_pos, joint_vel,
            efforts and of the joint columns of Jacobians and mass matrix).
        quat_order: quaternion layout in the root state: "wxyz" (Isaac Lab 1.x and 2.x) or
            "xyzw" (Isaac Lab 3.x root_link_pose_w).
        root_com_pos_b: the root body's centre of mass in its link frame (Isaac Lab's
            ``data.body_com_pos_b[:, 0]``, shape (3,) or (num_envs, 3)) when the root state's
            linear velocity is the CoM's (``root_state_w``, ``root_com_vel_w``); None when it is the
            root link origin's (``root_link_state_w``, ``root_link_vel_w``).
        rename: optional {Isaac Lab joint name: Thunder joint name} (a USD converted with other
            joint names).

    Isaac Lab's layouts (its ArticulationData and PhysX views): root state [position, quaternion
    (w, x, y, z), linear velocity, angular velocity] in the world frame; generalized velocity,
    mass matrix (``get_generalized_mass_matrices``) and Jacobian columns (``get_jacobians``)
    with 6 floating-base columns first, [linear, angular] in the world frame, then the joints in
    ``joint_names`` order; Jacobian rows [linear; angular] in the world frame.
    """
    return IsaacLabBridge(robot, joint_names, quat_order, root_com_pos_b, rename)
