"""Layers composed from a robot module's generated functions."""
from __future__ import annotations

import torch


class InverseDynamics(torch.nn.Module):
    """Joint torques tau = M(q) ddq + C(q, dq) dq + G(q) (+ dl(dq) when the robot has link
    friction, + dc(dq) when it was generated with Coulomb friction), by the generated
    Newton-Euler function `tau`.

    The layer owns the robot module, so its parameters are the robot's: generate with
    ``thunder gen ROBOT --symb DYN`` (and ``Dl``) to train the inertial (and friction) parameters.

    Shape:
        - q, dq, ddq: (..., n)
        - output: (..., n), ... = the broadcast batch shape of the inputs
    """

    def __init__(self, robot: torch.nn.Module):
        super().__init__()
        if not hasattr(robot, "tau"):
            raise ValueError("InverseDynamics: the robot module has no `tau` function "
                             "(regenerate it with a current `thunder gen`)")
        self.robot = robot
        self.with_friction = hasattr(robot, "dl")
        self.with_coulomb = hasattr(robot, "dc")

    def forward(self, q: torch.Tensor, dq: torch.Tensor, ddq: torch.Tensor) -> torch.Tensor:
        tau = self.robot.tau(q, dq, ddq)
        if self.with_friction:
            tau = tau + self.robot.dl(dq)
        if self.with_coulomb:
            tau = tau + self.robot.dc(dq)
        return tau
