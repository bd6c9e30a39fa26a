"""Per-environment dynamic parameters: each batch element its own physically consistent par_DYN
(domain randomisation of masses, centres of mass and inertias)."""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import torch


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
    layout = [".mass", ".CoM_x", ".CoM_y", ".CoM_z", ".Ixx", ".Ixy", ".Ixz", ".Iyy", ".Iyz", ".Izz"]
    if len(elements) % 10 or any(not elements[10 * k + i].endswith(e) for k in range(n_links)
                                 for i, e in enumerate(layout)):
        raise ValueError(f"randomize_par_DYN: {robot.robot}'s par_DYN is not 10 entries per link "
                         f"({', '.join(e[1:] for e in layout)})")
    names = [elements[10 * k].rsplit(".", 1)[0] for k in range(n_links)]
    if links is not None and set(links) - set(names):
        raise ValueError(f"randomize_par_DYN: unknown links {sorted(set(links) - set(names))} "
                         f"(par_DYN has {names})")
    mask = torch.tensor([(links is None or names[k] in links) and float(base[10 * k]) > 0
                         for k in range(n_links)], dtype=base.dtype, device=base.device)
    shape = (*batch_shape, n_links)
    u = torch.rand(shape, generator=generator, dtype=base.dtype).to(base.device)
    s = 1 + mask * (mass_scale[0] - 1 + u * (mass_scale[1] - mass_scale[0]))
    d = (torch.rand((*shape, 3), generator=generator, dtype=base.dtype).to(base.device) * 2 - 1)
    d = d * com_offset * mask.unsqueeze(-1)
    per = base.reshape(n_links, 10).expand(*shape, 10)
    # [m, CoM_xyz, Ixx Ixy Ixz Iyy Iyz Izz] (docs/FUNCTIONS.md: inertia entries about the CoM)
    out = torch.cat([per[..., 0:1] * s.unsqueeze(-1), per[..., 1:4] + d, per[..., 4:10] * s.unsqueeze(-1)], -1)
    return out.reshape(*batch_shape, n_links * 10)
