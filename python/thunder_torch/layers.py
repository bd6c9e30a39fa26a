"""Layers composed from a robot module's generated functions.

Each layer owns the robot module, so its parameters are the robot's (generate with
``thunder gen ROBOT --symb DYN`` (and ``Dl``) to train the inertial (and friction) parameters),
and it composes as any nn.Module does: nn.Sequential, torch.func.functional_call, vmap, grad,
DistributedDataParallel, torch.save.
"""
from __future__ import annotations

import torch


class InverseDynamics(torch.nn.Module):
    """Joint torques tau = M(q) ddq + C(q, dq) dq + G(q) (+ dl(dq) when the robot has link
    friction, + dc(dq) when it was generated with Coulomb friction), by the generated
    Newton-Euler function `tau` (the robot module's ``inverse_dynamics``).

    Args:
        robot: a module from ``thunder_torch.load`` with the function `tau`.

    Shape:
        - q: (..., nq); dq, ddq: (..., nv)
        - output: (..., nv), ... = the broadcast batch shape of the inputs
    """

    def __init__(self, robot: torch.nn.Module):
        super().__init__()
        if not hasattr(robot, "tau"):
            raise ValueError("InverseDynamics: the robot module has no `tau` function: it was not generated "
                             "into this folder (add tau to `thunder gen --functions`, or generate without "
                             "--functions)")
        self.robot = robot

    @property
    def with_friction(self) -> bool:
        return hasattr(self.robot, "dl")

    @property
    def with_coulomb(self) -> bool:
        return hasattr(self.robot, "dc")

    def forward(self, q: torch.Tensor, dq: torch.Tensor, ddq: torch.Tensor) -> torch.Tensor:
        return self.robot.inverse_dynamics(q, dq, ddq)


class ForwardDynamics(torch.nn.Module):
    """Joint accelerations ddq with M(q) ddq + C(q, dq) dq + G(q) + friction = torque, by the
    generated articulated-body function `FD`.

    Args:
        robot: a module from ``thunder_torch.load`` with the function `FD`.

    Shape:
        - q: (..., nq); dq, torque: (..., nv)
        - output: (..., nv), ... = the broadcast batch shape of the inputs
    """

    def __init__(self, robot: torch.nn.Module):
        super().__init__()
        if not hasattr(robot, "FD"):
            raise ValueError("ForwardDynamics: the robot module has no `FD` function: it was not generated "
                             "into this folder (add FD to `thunder gen --functions`, or generate without "
                             "--functions)")
        self.robot = robot

    def forward(self, q: torch.Tensor, dq: torch.Tensor, torque: torch.Tensor) -> torch.Tensor:
        return self.robot.FD(q, dq, torque)
