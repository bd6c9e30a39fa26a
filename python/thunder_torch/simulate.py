"""Batched, differentiable time stepping on the generated forward dynamics.

`step` and `rollout` integrate M(q) ddq + C dq + G + friction = tau: free-moving robots (arms in
the air, floating bases in free fall) without `contact=`, and robots on a ground plane with
`contact=thunder_torch.Ground(...)` (hard contacts of the --contacts frames, thunder_torch/ground.py).
There are no collisions between bodies or joint limits: next to a physics simulator (MuJoCo,
Isaac) use M, C, G, J of the module for the controller and let the simulator step the world
(examples/simulate_panda.py, docs/SIMULATION.md).

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

from ._state import check_state, compiling, dt_tensor, in_transform, integrate

INTEGRATORS = ("semi_implicit_euler", "rk4")


def _rollout_into_buffers(advance, steps, q0, dq0):
    """rollout without autograd: each step's state and torques are copied into the preallocated
    trajectory while they are still in cache, and the step's own tensors are freed (a stack of
    the whole trajectory at the end read it all back from memory: ~0.8 ms a step for 4096 Go1s)."""
    q, dq = q0, dq0
    Q = dQ = Tau = None
    for k in range(steps):
        (q, ), (dq, ), (tau, ) = advance(k, k + 1, q, dq)
        if Q is None:
            Q = q0.new_empty((steps + 1, *q0.shape))
            dQ = dq0.new_empty((steps + 1, *dq0.shape))
            Tau = tau.new_empty((steps, *tau.shape))
            Q[0].copy_(q0)
            dQ[0].copy_(dq0)
        Q[k + 1].copy_(q)
        dQ[k + 1].copy_(dq)
        Tau[k].copy_(tau)
    return Q, dQ, Tau


def _check_integrator(robot, integrator, where):
    if integrator not in INTEGRATORS:
        raise ValueError(f"{where}: integrator must be one of {', '.join(INTEGRATORS)}, got {integrator!r}")
    if not hasattr(robot, "FD"):
        raise RuntimeError(f"{where}: this module has no FD function (regenerate with FD in --functions)")


def step(robot, q: torch.Tensor, dq: torch.Tensor, tau: torch.Tensor, dt: Union[float, torch.Tensor],
         integrator: str = "semi_implicit_euler", contact=None) -> Tuple[torch.Tensor, torch.Tensor]:
    """One step of length `dt` with the torques `tau` held constant: returns (q_next, dq_next).

    q (..., nq), dq and tau (..., nv) of one batch shape; dt > 0 seconds: a number, a 0-d tensor,
    or one step per batch row (a tensor of q's batch shape, or broadcastable to it). A NaN, inf,
    zero or negative dt, and a zero base quaternion q[..., 3:7] of a floating base, are errors.
    integrator: "semi_implicit_euler" (dq' = dq + dt FD(q, dq, tau), q' = q ⊕ dq' dt: symplectic,
    one FD evaluation) or "rk4" (classical Runge-Kutta, four FD evaluations; on a floating base the
    stages are combined in the tangent space of q, as MuJoCo's RK4 does).
    contact: a `thunder_torch.Ground` of this robot (hard contacts of its --contacts frames with a
    plane, solved at the velocity level; semi-implicit Euler only), or None (free motion).
    `contact.step(...)` returns the contact forces too.
    """
    _check_integrator(robot, integrator, "step")
    _check_contact(robot, contact, integrator, "step")
    check_state(robot, q, dq, "step")
    dt = dt_tensor(robot, dt, q.shape[:-1])
    return _step(robot, q, dq, tau, dt, integrator, contact)


def _check_contact(robot, contact, integrator, where):
    """contact is None or a Ground built for this very module; contacts need semi-implicit Euler."""
    if contact is None:
        return
    from .ground import Ground
    if not isinstance(contact, Ground):
        raise TypeError(f"{where}: contact must be a thunder_torch.Ground (or None), got {type(contact).__name__}")
    if contact.robot is not robot:
        raise ValueError(f"{where}: this Ground was built for another module (Ground(robot, ...) with the robot "
                         "that steps)")
    if integrator != "semi_implicit_euler":
        raise ValueError(f"{where}: contacts are solved at the velocity level, once per step: use "
                         f"integrator='semi_implicit_euler' with contact=, got {integrator!r}")


def _step(robot, q, dq, tau, dt, integrator, contact=None):
    """step without the checks (rollout checks once)."""
    if contact is not None:
        q1, dq1, _ = contact._step(q, dq, tau, dt, with_info=False)
        return q1, dq1
    h = dt.unsqueeze(-1) if dt.dim() > 0 else dt
    # q was checked by step / rollout; the stages' configurations come out of integrate
    fd = lambda *args: robot._call_unchecked("FD", *args)  # noqa: E731
    a1 = fd(q, dq, tau)
    if integrator == "semi_implicit_euler":
        v = dq + h * a1
        return integrate(robot, q, v, dt), v
    half = h / 2
    v2 = dq + half * a1
    a2 = fd(integrate(robot, q, dq, dt / 2), v2, tau)
    v3 = dq + half * a2
    a3 = fd(integrate(robot, q, v2, dt / 2), v3, tau)
    v4 = dq + h * a3
    a4 = fd(integrate(robot, q, v3, dt), v4, tau)
    v_mean = (dq + 2 * v2 + 2 * v3 + v4) / 6
    return integrate(robot, q, v_mean, dt), dq + h * (a1 + 2 * a2 + 2 * a3 + a4) / 6


def rollout(robot, q0: torch.Tensor, dq0: torch.Tensor,
            controller: Union[Callable[..., torch.Tensor], torch.Tensor], steps: int,
            dt: Union[float, torch.Tensor], integrator: str = "semi_implicit_euler",
            with_time: bool = False, checkpoint: Optional[int] = None, contact=None
            ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Simulates `steps` steps from (q0, dq0): returns (q, dq, tau) stacked over time,
    shapes (steps + 1, ..., nq), (steps + 1, ..., nv), (steps, ..., nv).

    controller: a callable `controller(q, dq) -> tau` (a PD law, a policy network: any
    torch.nn.Module), `controller(t, q, dq)` with `with_time=True` (t = k dt, a float), or a tensor
    of torques (steps, ..., nv) played open loop. checkpoint=K recomputes K steps at a time in the
    backward pass instead of storing them (see the module docstring for the memory it saves).
    contact: a `thunder_torch.Ground` (see `step`), or None.
    """
    if isinstance(steps, bool) or not isinstance(steps, int):
        raise TypeError(f"rollout: steps must be an int (a number of steps), got {type(steps).__name__} {steps!r}")
    if steps < 0:
        raise ValueError(f"rollout: steps must be >= 0, got {steps}")
    _check_integrator(robot, integrator, "rollout")
    _check_contact(robot, contact, integrator, "rollout")
    check_state(robot, q0, dq0, "rollout")
    h = dt_tensor(robot, dt, q0.shape[:-1])
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
        """The states and torques of steps k0..k1-1, as lists."""
        qs, dqs, taus = [], [], []
        for k in range(k0, k1):
            tau = control(k, q, dq)
            if k == k0 == 0 and (not isinstance(tau, torch.Tensor) or tau.shape[-1:] != dq.shape[-1:]):
                raise ValueError(f"rollout: the controller must return tau of shape (..., nv={dq.shape[-1]}), got "
                                 f"{tuple(tau.shape) if isinstance(tau, torch.Tensor) else type(tau).__name__}")
            q, dq = _step(robot, q, dq, tau, h, integrator, contact)
            qs.append(q)
            dqs.append(dq)
            taus.append(tau)
        return qs, dqs, taus

    def no_tau():
        return torch.zeros((0, *dq0.shape), dtype=dq0.dtype, device=dq0.device)

    if checkpoint is not None and checkpoint < 1:
        raise ValueError(f"rollout: checkpoint must be a positive number of steps, got {checkpoint}")
    if not (checkpoint and torch.is_grad_enabled()):
        if steps and not torch.is_grad_enabled() and not in_transform() and not compiling():
            return _rollout_into_buffers(advance, steps, q0, dq0)
        # one stack of the whole trajectory (a stack per chunk and a cat copied it twice)
        qs, dqs, taus = advance(0, steps, q0, dq0)
        return (torch.stack([q0, *qs]), torch.stack([dq0, *dqs]), torch.stack(taus) if taus else no_tau())

    def chunk_of(k0, k1, q, dq):
        return tuple(torch.stack(x) for x in advance(k0, k1, q, dq))

    from torch.utils.checkpoint import checkpoint as ckpt
    qs, dqs, taus = [q0.unsqueeze(0)], [dq0.unsqueeze(0)], []
    q, dq = q0, dq0
    for k0 in range(0, steps, checkpoint):
        cq, cdq, ctau = ckpt(chunk_of, k0, min(steps, k0 + checkpoint), q, dq, use_reentrant=False)
        qs.append(cq)
        dqs.append(cdq)
        taus.append(ctau)
        q, dq = cq[-1], cdq[-1]
    return torch.cat(qs), torch.cat(dqs), (torch.cat(taus) if taus else no_tau())
