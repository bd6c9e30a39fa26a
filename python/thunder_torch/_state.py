"""A robot state's checks and its update, shared by the module, the time stepping and the ground
(one place below all three): a floating base's quaternion must not be zero, a step length is
finite and positive, and q ⊕ v dt moves a configuration on its manifold."""
from __future__ import annotations

import numpy as np
import torch


def in_transform():
    """True inside a torch.func transform (vmap, grad, jvp, jacrev, ...): the inputs are wrapped
    tensors without storage, so they must reach an autograd.Function with vmap and jvp rules."""
    return torch._C._functorch.maybe_current_level() is not None


def check_quaternions(fname, name, q):
    """ValueError when a floating base's configuration q (..., nq) has a zero base quaternion
    q[..., 3:7]: the generated rotation of a zero quaternion is the identity, a silent wrong
    orientation. Other non-unit quaternions are the caller's to normalise (as in Pinocchio).
    Skipped while torch.compile traces and inside torch.func transforms: their tensors hold no
    data to test."""
    if compiling() or in_transform():
        return
    if q.device.type == "cpu":
        # numpy on the tensor's memory: one thread, no intra-op pool (a torch reduction of this
        # strided slice woke torch's threads against the native kernels' and cost ~0.4 ms)
        a = q.detach().numpy().reshape(-1, q.shape[-1])[:, 3:7]
        zero = np.flatnonzero(np.einsum("ij,ij->i", a, a) <= 1e-24)
        row = int(zero[0]) if zero.size else None
    else:
        zero = ((q.detach()[..., 3:7] ** 2).sum(-1) <= 1e-24).flatten()
        row = int(zero.nonzero()[0]) if bool(zero.any()) else None
    if row is not None:
        where = f" in batch row {row}" if q.dim() > 1 else ""
        raise ValueError(f"{fname}: {name}[..., 3:7] (the base quaternion x, y, z, w) is zero{where}; "
                         "a zero quaternion is no orientation (the identity is [0, 0, 0, 1])")


def dt_tensor(robot, dt, batch_shape=None):
    """dt as a tensor of the module's dtype: a number, or a tensor of one value or one per batch
    row (shape = the batch shape of q, or broadcastable to it). Every value finite and > 0: a NaN,
    inf, 0 or negative step would integrate silently into wrong states."""
    if isinstance(dt, bool) or not isinstance(dt, (int, float, torch.Tensor)):
        raise TypeError(f"dt must be a number of seconds or a tensor (one per batch row), got "
                        f"{type(dt).__name__} {dt!r}")
    if isinstance(dt, torch.Tensor):
        if dt.is_complex() or dt.dtype == torch.bool:
            raise TypeError(f"dt must be a real tensor, got {dt.dtype}")
        t = dt.to(dtype=robot.dtype, device=robot.device)
        if batch_shape is not None and t.dim() > 0:
            try:
                torch.broadcast_shapes(t.shape, tuple(batch_shape))
            except RuntimeError:
                raise ValueError(f"dt of shape {tuple(t.shape)} does not broadcast against the batch shape "
                                 f"{tuple(batch_shape)} of q (give one dt per batch row: shape "
                                 f"{tuple(batch_shape)})") from None
            if len(t.shape) > len(batch_shape):
                raise ValueError(f"dt of shape {tuple(t.shape)} has more dimensions than the batch shape "
                                 f"{tuple(batch_shape)} of q")
        if not compiling() and not bool(torch.isfinite(t).all() & (t > 0).all()):
            raise ValueError("dt must be finite and > 0 in every row, got "
                             f"{t.flatten()[~(torch.isfinite(t.flatten()) & (t.flatten() > 0))][:3].tolist()}")
        return t
    if not (dt > 0 and dt != float("inf")):
        raise ValueError(f"dt must be a finite number of seconds > 0, got {dt!r}")
    return torch.tensor(float(dt), dtype=robot.dtype, device=robot.device)


def compiling() -> bool:
    """Inside torch.compile a data-dependent check would break the graph: skip it there."""
    compiler = getattr(torch, "compiler", None)
    return bool(compiler is not None and hasattr(compiler, "is_compiling") and compiler.is_compiling())


def check_state(robot, q, dq, where):
    """q (..., nq) and dq (..., nv) of one batch shape; a floating base's quaternion not zero."""
    for name, x in (("q", q), ("dq", dq)):
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{where}: {name} must be a torch.Tensor, got {type(x).__name__}")
    nq, nv = getattr(robot, "nq", q.shape[-1]), getattr(robot, "nv", dq.shape[-1])
    if q.dim() == 0 or q.shape[-1] != nq or dq.dim() == 0 or dq.shape[-1] != nv:
        raise ValueError(f"{where}: q must be (..., nq={nq}) and dq (..., nv={nv}), got {tuple(q.shape)} and "
                         f"{tuple(dq.shape)}")
    if q.shape[:-1] != dq.shape[:-1]:
        raise ValueError(f"{where}: q {tuple(q.shape)} and dq {tuple(dq.shape)} must have the same batch shape "
                         f"({tuple(q.shape[:-1])} vs {tuple(dq.shape[:-1])})")
    if robot.floating_base:
        check_quaternions(where, "q", q)


def integrate(robot, q, v, dt):
    """q ⊕ v dt: on the manifold for a floating base (the generated `integrate`); dt is 0-d or
    one per batch row. q comes from a checked state (step and rollout check the configuration
    they are given; integrate keeps the quaternion's norm)."""
    h = dt.unsqueeze(-1) if dt.dim() > 0 else dt
    if not robot.floating_base:
        return q + v * h
    if not hasattr(robot, "integrate"):
        raise RuntimeError("step: a floating-base robot needs the generated `integrate` function "
                           "(regenerate without excluding it from --functions)")
    # one dt for the batch as a stride-0 column of q's batch shape: the native call plan takes
    # it as it is (a (1,) dt against a batch sends the call down the general path)
    return robot._call_unchecked("integrate", q, v, h if dt.dim() > 0 else dt.reshape(1).expand(*q.shape[:-1], 1))
