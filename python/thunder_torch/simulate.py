"""Batched, differentiable time stepping on the generated forward dynamics.

Thunder is a rigid-body dynamics engine, not a physics simulator: there are no contacts, joint
limits or collisions here. `step` and `rollout` integrate M(q) ddq + C dq + G + friction = tau
for free-moving robots (arms in the air, floating bases in free fall), which is what
trajectory optimisation, model-based RL and control design loops need; next to a physics
simulator (MuJoCo, Isaac) use M, C, G, J of the module for the controller and let the simulator
step the world (examples/simulate_panda.py, docs/SIMULATION.md).

Both functions work on any leading batch shape and on both backends; gradients flow to the
states, the torques and the module's parameters. Memory of the backward pass: autograd keeps the
inputs of every FD evaluation (about 4 nv + nq numbers per state and stage), so a rollout of T
steps of batch B keeps O(T B nv) numbers; `checkpoint=K` keeps only every K-th state and
recomputes the steps in between during the backward pass (memory O((T / K + K) B nv), one extra
forward).
"""
from __future__ import annotations

from typing import Callable, Optional, Tuple, Union

import torch

INTEGRATORS = ("semi_implicit_euler", "rk4")


def _dt_tensor(robot, dt):
    if isinstance(dt, torch.Tensor):
        return dt.to(dtype=robot.dtype, device=robot.device)
    return torch.tensor(float(dt), dtype=robot.dtype, device=robot.device)


def _integrate(robot, q, v, dt):
    """q ⊕ v dt: on the manifold for a floating base (the generated `integrate`)."""
    if not robot.floating_base:
        return q + v * dt
    if not hasattr(robot, "integrate"):
        raise RuntimeError("step: a floating-base robot needs the generated `integrate` function "
                           "(regenerate without excluding it from --functions)")
    return robot.integrate(q, v, dt.reshape(*dt.shape, 1) if dt.dim() > 0 else dt.reshape(1))


def step(robot, q: torch.Tensor, dq: torch.Tensor, tau: torch.Tensor, dt: Union[float, torch.Tensor],
         integrator: str = "semi_implicit_euler") -> Tuple[torch.Tensor, torch.Tensor]:
    """One step of length `dt` with the torques `tau` held constant: returns (q_next, dq_next).

    q (..., nq), dq and tau (..., nv); dt a float or a tensor that broadcasts against the batch.
    integrator: "semi_implicit_euler" (dq' = dq + dt FD(q, dq, tau), q' = q ⊕ dq' dt: symplectic,
    one FD evaluation) or "rk4" (classical Runge-Kutta, four FD evaluations; on a floating base the
    stages are combined in the tangent space of q, as MuJoCo's RK4 does).
    """
    if integrator not in INTEGRATORS:
        raise ValueError(f"step: integrator must be one of {', '.join(INTEGRATORS)}, got {integrator!r}")
    if not hasattr(robot, "FD"):
        raise RuntimeError("step: this module has no FD function (regenerate with FD in --functions)")
    dt = _dt_tensor(robot, dt)
    h = dt.unsqueeze(-1) if dt.dim() > 0 else dt
    a1 = robot.FD(q, dq, tau)
    if integrator == "semi_implicit_euler":
        v = dq + h * a1
        return _integrate(robot, q, v, dt), v
    half = h / 2
    v2 = dq + half * a1
    a2 = robot.FD(_integrate(robot, q, dq, dt / 2), v2, tau)
    v3 = dq + half * a2
    a3 = robot.FD(_integrate(robot, q, v2, dt / 2), v3, tau)
    v4 = dq + h * a3
    a4 = robot.FD(_integrate(robot, q, v3, dt), v4, tau)
    v_mean = (dq + 2 * v2 + 2 * v3 + v4) / 6
    return _integrate(robot, q, v_mean, dt), dq + h * (a1 + 2 * a2 + 2 * a3 + a4) / 6


def rollout(robot, q0: torch.Tensor, dq0: torch.Tensor,
            controller: Union[Callable[..., torch.Tensor], torch.Tensor], steps: int,
            dt: Union[float, torch.Tensor], integrator: str = "semi_implicit_euler",
            with_time: bool = False, checkpoint: Optional[int] = None
            ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Simulates `steps` steps from (q0, dq0): returns (q, dq, tau) stacked over time,
    shapes (steps + 1, ..., nq), (steps + 1, ..., nv), (steps, ..., nv).

    controller: a callable `controller(q, dq) -> tau` (a PD law, a policy network: any
    torch.nn.Module), `controller(t, q, dq)` with `with_time=True` (t = k dt, a float), or a tensor
    of torques (steps, ..., nv) played open loop. checkpoint=K recomputes K steps at a time in the
    backward pass instead of storing them (see the module docstring for the memory it saves).
    """
    if steps < 0:
        raise ValueError(f"rollout: steps must be >= 0, got {steps}")
    if isinstance(controller, torch.Tensor):
        if controller.shape[0] != steps:
            raise ValueError(f"rollout: a torque sequence needs shape (steps={steps}, ..., nv), "
                             f"got {tuple(controller.shape)}")
        sequence = controller
        control = lambda k, q, dq: sequence[k]  # noqa: E731
    elif callable(controller):
        t_step = float(dt) if not isinstance(dt, torch.Tensor) or dt.numel() == 1 else None
        if with_time and t_step is None:
            raise ValueError("rollout: with_time needs one dt for the whole batch")
        control = (lambda k, q, dq: controller(k * t_step, q, dq)) if with_time else \
            (lambda k, q, dq: controller(q, dq))
    else:
        raise TypeError("rollout: controller must be a callable (q, dq) -> tau or a tensor of torques")

    def advance(k0, k1, q, dq):
        qs, dqs, taus = [], [], []
        for k in range(k0, k1):
            tau = control(k, q, dq)
            q, dq = step(robot, q, dq, tau, dt, integrator)
            qs.append(q)
            dqs.append(dq)
            taus.append(tau)
        return torch.stack(qs), torch.stack(dqs), torch.stack(taus)

    qs, dqs, taus = [q0.unsqueeze(0)], [dq0.unsqueeze(0)], []
    q, dq = q0, dq0
    chunk = checkpoint if checkpoint else max(steps, 1)
    if checkpoint is not None and checkpoint < 1:
        raise ValueError(f"rollout: checkpoint must be a positive number of steps, got {checkpoint}")
    for k0 in range(0, steps, chunk):
        k1 = min(steps, k0 + chunk)
        if checkpoint and torch.is_grad_enabled():
            from torch.utils.checkpoint import checkpoint as ckpt
            cq, cdq, ctau = ckpt(advance, k0, k1, q, dq, use_reentrant=False)
        else:
            cq, cdq, ctau = advance(k0, k1, q, dq)
        qs.append(cq)
        dqs.append(cdq)
        taus.append(ctau)
        q, dq = cq[-1], cdq[-1]
    tau_all = torch.cat(taus) if taus else torch.zeros((0, *dq0.shape), dtype=dq0.dtype, device=dq0.device)
    return torch.cat(qs), torch.cat(dqs), tau_all
