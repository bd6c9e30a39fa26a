"""A ground plane for `step` / `rollout`: hard contacts of the `--contacts` frames, solved at the
velocity level with the generated `impulse_contact` (time stepping in the manner of Stewart &
Trinkle / Anitescu, the scheme MuJoCo, Drake and Bullet use, with rigid instead of soft contacts).

One step of length h from (q, v) with torques tau (semi-implicit Euler), per batch row:

  1. heights of the frame origins above the plane, s_i = n·p_i − height (p_i from p_contact);
     candidates: s_i <= tolerance.
  2. free velocity v_free = v + h FD(q, v, tau) (the step without contact).
  3. the candidates are held: impulse_contact(q, v_free, active, e) gives v⁺ with
     J_i v⁺ = −e J_i v_free on their rows (the foot stops) and the impulse P (= h × the mean
     contact force over the step). A contact whose normal impulse comes out negative would pull
     (it separates): it is released and the rest re-solved (`iterations` passes at most; the last
     pass's solution is kept).
  4. Coulomb friction on the impulse: a held contact whose tangential impulse exceeds μ P_n
     slides: it keeps its normal row only and receives the friction impulse μ P_n t̂ (t̂: the
     direction of its sticking tangential impulse, smoothed norm), P_n and the others' impulses
     solved in torch with J_contact and M_inv on the rows concerned (a fixed point over P_n).
     A released contact that would still sink slides the same way (it pulled only because its
     tangential rows were held).
  5. q⁺ = q ⊕ h v⁺ (the manifold's integrate for a floating base).

Because the impulse of a resting contact is h × its force, one solve handles impacts and resting
contacts alike, and the cone bounds the friction a step can apply (Coulomb: a foot under a
tangential load beyond μ f_n slides; below it, it stays). Penetration is bounded by one step of
approach (|v_n| h at the touchdown), no drift accumulates at rest (the normal velocity of a
resting contact is zeroed every step); `baumgarte` removes that fraction of a penetration per
step by a velocity that moves the positions only (a split impulse, as Box2D and Bullet do: the
correction does not stay in the velocity, so it injects no energy and cannot launch a foot).

6d contacts (`--contacts F:6d`): detection, normal impulse and friction use the frame origin and
the linear rows; the angular rows are held while the contact is active (a bilateral flat
contact: no tipping or centre-of-pressure limits, no torsional friction limit).

Gradients: every operation is a torch operation or a generated function, so autograd gives the
derivative of the step within the contact mode it selected (which contacts are active, which
slide); mode changes are not differentiated (the step is piecewise smooth).
"""
from __future__ import annotations

import math
from typing import Dict, Sequence, Tuple, Union

import torch

from ._state import check_quaternions, dt_tensor, integrate

_NEEDED = ("J_contact", "impulse_contact", "FD", "M_inv")


class Ground:
    """A plane {x : n·x = height} in contact with the `--contacts` frames of `robot`.

    Args:
        robot: a thunder_torch module generated with `--contacts F1,F2,...` (p_contact gives the
            heights; a module without it: T_w_<F> of `--frames F1,F2,...`), with FD, M_inv, J_contact and
            impulse_contact among its functions (and integrate for a floating base).
        height: offset of the plane along its normal (m): a point x is above the ground when
            n·x > height. For spherical feet of radius r centred at the frames, use the floor
            height + r.
        normal: the plane's normal (3 numbers, normalised here), pointing out of the ground.
        friction: Coulomb coefficient μ >= 0 (a number or a tensor broadcastable to the batch).
        restitution: coefficient e in [0, 1] of impulse_contact (0: contacts stop; a number or
            one per batch row).
        tolerance: a frame is a contact candidate when its height above the plane is <= this (m;
            above 0 so that a frame resting on the plane up to rounding stays in contact).
        baumgarte: fraction of a penetration removed per step (0 = off, <= 1): the positions are
            integrated with v⁺ + δ, δ giving the penetrating active contacts the normal velocity
            baumgarte · depth / h; the returned velocity is v⁺ (split impulse).
        iterations: impulse_contact passes that release pulling contacts (>= 1).
        smoothing: ε (N·s) of the smoothed norm sqrt(|P_t|² + ε²) of the sliding direction, so
            that its gradient is finite at P_t = 0.
    """

    def __init__(self, robot, height: float = 0.0, normal: Sequence[float] = (0.0, 0.0, 1.0),
                 friction: Union[float, torch.Tensor] = 1.0, restitution: Union[float, torch.Tensor] = 0.0,
                 tolerance: float = 1e-6, baumgarte: float = 0.0, iterations: int = 3, smoothing: float = 1e-9):
        self.robot = robot
        contacts: Dict[str, int] = dict(getattr(robot, "contacts", {}) or {})
        if not contacts:
            raise ValueError("Ground: this module declares no contact frames: regenerate it with "
                             "`thunder gen ... --contacts F1,F2,...` (the frames that touch "
                             "the ground, e.g. the feet)")
        self.frames = list(contacts)
        self.dims = [contacts[f] for f in self.frames]
        missing = [f for f in _NEEDED if not hasattr(robot, f)]
        # heights from p_contact (all frames in one call); a module generated before it existed
        # gives them by T_w_<frame> (--frames)
        self._positions = hasattr(robot, "p_contact")
        # optional (modules generated before it existed step with FD and impulse_contact alone):
        # it serves the whole batch when at least this fraction of the rows touches the plane,
        # from the instruction counts (go1: 8,839 against FD's 5,146 + impulse_contact's 6,117 per
        # touching row: 0.6)
        self._fuse_fraction = None
        if hasattr(robot, "step_contact"):
            count = {f["name"]: f.get("n_instructions") for f in robot.manifest.get("functions", [])}
            fused, fd, imp = (count.get(f) for f in ("step_contact", "FD", "impulse_contact"))
            self._fuse_fraction = (fused - fd) / imp if fused and fd and imp else 0.6
        if not self._positions:
            missing += [f"T_w_{f}" for f in self.frames if not hasattr(robot, f"T_w_{f}")]
        if robot.floating_base and not hasattr(robot, "integrate"):
            missing.append("integrate")
        if missing:
            raise ValueError(f"Ground: the module lacks {', '.join(missing)}: regenerate with `--contacts "
                             f"{','.join(self._spec())}` and these functions (or p_contact) in --functions "
                             "(or without --functions)")
        dtype, device = robot.dtype, robot.device
        n = torch.as_tensor(normal, dtype=dtype, device=device).flatten()
        if n.numel() != 3 or not bool(torch.isfinite(n).all()) or float(n.norm()) < 1e-12:
            raise ValueError(f"Ground: normal must be 3 finite numbers, not all zero, got {normal!r}")
        self.normal = n / n.norm()
        # (axis, sign) when the normal is a coordinate axis: projections become column views
        axes = [i for i in range(3) if float(self.normal[i]) != 0.0]
        self._axis = (axes[0], 1 if float(self.normal[axes[0]]) > 0 else -1) if len(axes) == 1 else None
        if not (isinstance(height, (int, float)) and abs(height) != float("inf") and height == height):
            raise ValueError(f"Ground: height must be a finite number of metres, got {height!r}")
        self.height = float(height)
        self.friction = self._nonnegative("friction", friction)
        self.restitution = self._nonnegative("restitution", restitution)
        if bool((self.restitution > 1).any()):
            raise ValueError("Ground: restitution must be in [0, 1]")
        if not (tolerance >= 0 and baumgarte >= 0 and baumgarte <= 1 and smoothing > 0):
            raise ValueError("Ground: tolerance >= 0, 0 <= baumgarte <= 1 and smoothing > 0 required")
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
            raise ValueError(f"Ground: iterations must be an int >= 1, got {iterations!r}")
        self.tolerance, self.baumgarte, self.iterations, self.smoothing = tolerance, baumgarte, iterations, smoothing
        # the linear rows of each contact in J_contact / the impulse (3 first rows of a 6d contact)
        offsets = [sum(self.dims[:i]) for i in range(len(self.dims))]
        self._lin = torch.tensor([o + r for o in offsets for r in range(3)], device=device)
        self._all3 = all(d == 3 for d in self.dims)
        self._offsets = offsets
        self._ones3 = torch.ones(3, dtype=dtype, device=device)
        self._axis_mask = torch.arange(3, device=device) == (self._axis[0] if self._axis else -1)
        self.m = sum(self.dims)

    def _spec(self):
        return [f if d == 3 else f"{f}:6d" for f, d in zip(self.frames, self.dims)]

    def _nonnegative(self, name, value):
        t = torch.as_tensor(value, dtype=self.robot.dtype, device=self.robot.device)
        if not bool(torch.isfinite(t).all()) or bool((t < 0).any()):
            raise ValueError(f"Ground: {name} must be finite and >= 0, got {value!r}")
        return t

    def __repr__(self):
        return (f"Ground(frames={self.frames}, height={self.height}, normal={self.normal.tolist()}, "
                f"friction={self.friction.tolist()}, restitution={self.restitution.tolist()})")

    # ------------------------------------------------------------------------------------------
    def heights(self, q: torch.Tensor) -> torch.Tensor:
        """Signed height of every contact frame's origin above the plane (..., k); < 0 penetrates."""
        if self.robot.floating_base:
            check_quaternions("Ground.heights", "q", q)
        return self._heights(q)

    def _heights(self, q):
        if self._positions:
            p = self._call("p_contact", q)
            return self._along(p.reshape(*p.shape[:-1], -1, 3)) - self.height
        return torch.stack([self._along(self._call(f"T_w_{f}", q)[..., :3, 3]) for f in self.frames], -1) \
            - self.height

    def _along(self, x):
        """(..., 3) -> (...): the components along the normal. An axis normal (the default z) is
        a view of one column; another normal a matrix-vector product on a 2-D view (a batched
        matmul or a sum over a size-3 axis costs 2-10x more at batch 4096)."""
        if self._axis is not None:
            i, sign = self._axis
            return x[..., i] if sign > 0 else -x[..., i]
        return (x.reshape(-1, 3) @ self.normal).reshape(x.shape[:-1])

    def _tangent_sq(self, x, xn):
        """|x − (n·x) n|² of (..., 3) vectors x with normal components xn."""
        if self._axis is not None:
            i = self._axis[0]
            return x[..., (i + 1) % 3].square() + x[..., (i + 2) % 3].square()
        return (x.square().reshape(-1, 3) @ self._ones3).reshape(xn.shape) - xn.square()

    @staticmethod
    def _rows(mask):
        """The batch rows of mask (B, k) with any True: None when every entry is True (every row,
        without a gather), else their indices (empty for none). A full reduction decides the two
        common cases: the reduction over the size-k axis costs 3x as much at batch 4096."""
        count = int(mask.sum())
        if count == mask.numel():
            return None
        if count == 0:
            return mask.new_empty(0, dtype=torch.long)
        return mask.any(-1).nonzero().flatten()

    def _row_indices(self, mask):
        """The indices of the batch rows of mask (B, k) with any True (every row's when all are)."""
        rows = self._rows(mask)
        return torch.arange(mask.shape[0], device=mask.device) if rows is None else rows

    def _beyond_cone(self, Pl, Pn, mu):
        """(..., k) bool: |P_t|² > (μ P_n)², the tangential impulse outside the friction cone. One
        friction coefficient and an axis normal: one matrix-vector product of the squared impulses
        with the weights (1, 1, −μ²) (the normal's axis −μ²)."""
        if self._axis is not None and mu.dim() == 0:
            w = torch.where(self._axis_mask, -mu * mu, self._ones3)
            return (Pl.square().reshape(-1, 3) @ w).reshape(Pn.shape) > 0
        return self._tangent_sq(Pl, Pn) > (mu * Pn).square()

    def _call(self, name, *args):
        """A generated function on the first of `args` it takes (a rigid body's M_inv takes no
        variable at all: a constant, broadcast by the caller). The configuration was checked by
        the public entry (step, heights)."""
        return self.robot._call_unchecked(name, *args[:len(self.robot._specs[name].vars)])

    def _lin_rows(self, x):
        """(B, m) -> (B, k, 3): the linear rows of each contact (a view when every contact is 3d)."""
        k = len(self.frames)
        return (x if self._all3 else x[:, self._lin]).reshape(x.shape[0], k, 3)

    def _lin_rows_J(self, J):
        """(b, m, nv) -> (b, k, 3, nv): the linear rows of each contact's Jacobian."""
        return (J if self._all3 else J[:, self._lin]).reshape(J.shape[0], len(self.frames), 3, J.shape[-1])

    def _scatter(self, lin):
        """(B, k, 3) -> (B, m), the angular rows of 6d contacts 0."""
        flat = lin.reshape(lin.shape[0], -1)
        if self._all3:
            return flat
        return flat.new_zeros(flat.shape[0], self.m).index_copy(1, self._lin, flat)

    def _per_row(self, value, batch, B):
        """friction / restitution (a number or a tensor broadcastable to the batch) -> (B,)."""
        return value.expand(batch).reshape(B) if value.dim() > 0 else value.expand(B)

    def step(self, q: torch.Tensor, dq: torch.Tensor, tau: torch.Tensor, h: Union[float, torch.Tensor]
             ) -> Tuple[torch.Tensor, torch.Tensor, Dict[str, torch.Tensor]]:
        """One semi-implicit Euler step with contacts: (q⁺, dq⁺, info). h: seconds, a number or a
        tensor, 0-d or one per batch row (a tensor is taken as `step`/`rollout` checked it). info: `force` (..., m) the mean contact force over the step
        (impulse / h, world-aligned at the frames, --contacts row order), `active` (..., k) bool
        (the contacts that pushed during the step), `sliding` (..., k) bool, `height` (..., k) the
        frames' heights above the plane at q.

        The batch is flattened; the re-solves (released contacts, sliding contacts, Baumgarte)
        run on the rows that need them only, so a batch where few environments change contact
        mode costs about one FD and one impulse_contact per step."""
        if self.robot.floating_base:
            check_quaternions("Ground.step", "q", q)
        return self._step(q, dq, tau, h, with_info=True)

    def _step(self, q, dq, tau, h, with_info):
        """`step` on a configuration checked by the caller (rollout checks q0 once; the steps'
        own configurations come out of `integrate`); the info dict only when asked for."""
        r, n = self.robot, self.normal
        batch = q.shape[:-1]
        if not isinstance(h, torch.Tensor):          # a number of seconds (checked: finite, > 0)
            h = dt_tensor(r, h, batch)
        B = math.prod(batch)
        q2, dq2, tau2 = q.reshape(B, -1), dq.reshape(B, -1), tau.expand(*batch, tau.shape[-1]).reshape(B, -1)
        # one step for the whole batch stays a 0-d tensor: broadcasting a (B, 1) column costs
        # every elementwise op of the step a strided pass
        hb = h.expand(batch).reshape(B).unsqueeze(-1) if h.dim() > 0 else h
        k = len(self.frames)
        s = self._heights(q2)                                            # (B, k)
        e = self._per_row(self.restitution, batch, B).unsqueeze(-1)
        mu = self.friction if self.friction.dim() == 0 else self._per_row(self.friction, batch, B).unsqueeze(-1)
        # candidates: on or under the plane. Contacts that would separate are released below by
        # the sign of their normal impulse (the complementarity condition), so no velocity test
        candidates = s <= self.tolerance
        active = candidates
        rows = self._rows(active)
        # step_contact (free velocity and first solve in one call, sharing M and its factorization)
        # over the whole batch when most rows touch the plane (_fuse_fraction); FD over the batch
        # and impulse_contact on the touching rows otherwise
        fused = self._fuse_fraction is not None and (rows is None or rows.numel() >= self._fuse_fraction * B)
        v_free = None if fused else torch.addcmul(dq2, hb, self._call("FD", q2, dq2, tau2))
        v_plus, P = v_free, None
        for it in range(self.iterations):
            if fused and it == 0:
                dt = hb if hb.dim() > 0 else h.reshape(1).expand(B, 1)
                v_free, v_plus, P = self._call("step_contact", q2, dq2, tau2, dt, active.to(dq2.dtype), e)
            elif rows is not None and rows.numel() == 0:
                break
            elif rows is None:         # every row: no gather / scatter
                v_plus, P = self._impulse(q2, v_free, active, e)
            else:
                vp, Pr = self._impulse(q2[rows], v_free[rows], active[rows], e[rows])
                if P is None:
                    P = v_free.new_zeros(B, self.m)
                v_plus, P = v_plus.index_copy(0, rows, vp), P.index_copy(0, rows, Pr)
            pull = active & (self._along(self._lin_rows(P)) < 0)
            if it == self.iterations - 1:
                break                  # no pass left to re-solve: keep this solution as it is
            rows = self._rows(pull)
            if rows is None or rows.numel():
                active = active & ~pull
        if P is None:
            P = v_free.new_zeros(B, self.m)
        Pl = self._lin_rows(P)
        Pn = self._along(Pl)
        sliding = active & self._beyond_cone(Pl, Pn, mu)
        # a released contact that now moves into the plane pulled only because its tangential rows
        # were held: it slides instead (normal row held, friction against its tangential velocity)
        released = None if active is candidates else candidates & ~active
        rows = candidates.new_empty(0, dtype=torch.long) if released is None else self._row_indices(released)
        Pt = None
        if rows.numel():
            Pt = Pl - Pn.unsqueeze(-1) * n
            Jl = self._lin_rows_J(self._call("J_contact", q2[rows]))
            vel = (Jl @ v_plus[rows].unsqueeze(-2).unsqueeze(-1)).squeeze(-1)          # (b, k, 3)
            vn = vel @ n
            readd = released[rows] & (vn < 0)
            vt = vel - vn.unsqueeze(-1) * n
            active = active.index_copy(0, rows, active[rows] | readd)
            sliding = sliding.index_copy(0, rows, sliding[rows] | readd)
            Pt = Pt.index_copy(0, rows, torch.where(readd.unsqueeze(-1), -vt, Pt[rows]))
        rows = self._row_indices(sliding)
        if rows.numel():
            if Pt is None:
                Pt = Pl - Pn.unsqueeze(-1) * n
            mu_r = (mu if mu.dim() > 0 else mu.expand(B, 1))[rows].squeeze(-1)
            vp, Pr = self._sliding_solve(q2[rows], v_free[rows], active[rows], sliding[rows], Pn[rows],
                                         Pt[rows], mu_r, e[rows])
            v_plus, P = v_plus.index_copy(0, rows, vp), P.index_copy(0, rows, Pr)
        v_pos = v_plus
        if self.baumgarte > 0:
            v_pos = self._push_out(q2, s, active & ~sliding, hb, v_plus)
        q_plus = integrate(r, q2, v_pos, hb.squeeze(-1) if h.dim() > 0 else h)
        info = None
        if with_info:
            info = {"force": (P / hb).reshape(*batch, self.m), "active": active.reshape(*batch, k),
                    "sliding": sliding.reshape(*batch, k), "height": s.reshape(*batch, k)}
        return q_plus.reshape(q.shape), v_plus.reshape(dq.shape), info

    def _sliding_solve(self, q, v_free, active, sliding, Pn, Pt, mu, e):
        """The impulse of the rows with a sliding contact, solved in torch with J_contact and M_inv:
        sticking contacts hold all their rows, a sliding contact holds its normal row only (and
        the angular rows of a 6d contact) and receives the friction impulse μ P_n t̂ on the cone's
        edge, t̂ the direction of its sticking tangential impulse (smoothed norm). P_n and the
        friction depend on each other: a few fixed-point passes (contractive for the μ of real
        materials). Returns (v⁺, P) of these rows."""
        n, dtype = self.normal, v_free.dtype
        b, k = q.shape[0], len(self.frames)
        J = self._call("J_contact", q)                                            # (b, m, nv)
        Minv = self._call("M_inv", q).expand(b, J.shape[-1], J.shape[-1])
        t_hat = Pt / torch.sqrt(Pt.square().sum(-1, keepdim=True) + self.smoothing ** 2)   # (b, k, 3)
        # T maps the contact rows to the constraint rows; `held` marks the constraint rows in use
        T = torch.zeros(b, self.m, self.m, dtype=dtype, device=q.device)
        held = torch.zeros(b, self.m, dtype=dtype, device=q.device)
        stick = (active & ~sliding).to(dtype)
        sl = sliding.to(dtype)
        eye3 = torch.eye(3, dtype=dtype, device=q.device)
        normal_row = torch.zeros(3, 3, dtype=dtype, device=q.device)
        normal_row[0] = n
        for i, (o, d) in enumerate(zip(self._offsets, self.dims)):
            T[:, o:o + 3, o:o + 3] = stick[:, i, None, None] * eye3 + sl[:, i, None, None] * normal_row
            held[:, o:o + 3] = stick[:, i, None] + sl[:, i, None] * torch.tensor([1.0, 0, 0], dtype=dtype)
            if d == 6:
                T[:, o + 3:o + 6, o + 3:o + 6] = (stick[:, i] + sl[:, i])[:, None, None] * eye3
                held[:, o + 3:o + 6] = (stick[:, i] + sl[:, i])[:, None]
        Jc = T @ J
        MiJct = Minv @ Jc.transpose(-1, -2)
        A = held.unsqueeze(-1) * (Jc @ MiJct) * held.unsqueeze(-2) + torch.diag_embed(1 - held)
        target = -e * (Jc @ v_free.unsqueeze(-1)).squeeze(-1)                    # restitution on held rows
        mv = lambda A, x: (A @ x.unsqueeze(-1)).squeeze(-1)  # noqa: E731
        for _ in range(3):
            friction = (mu.unsqueeze(-1) * Pn.clamp(min=0) * sl).unsqueeze(-1) * t_hat      # (b, k, 3)
            v_in = v_free + mv(Minv, mv(J.transpose(-1, -2), self._scatter(friction)))
            y = held * torch.linalg.solve(A, held * (target - mv(Jc, v_in)))
            Pn = torch.stack([y[:, o] for o in self._offsets], -1)                # sliding: the normal row
        v_plus = v_in + mv(MiJct, y)
        return v_plus, mv(T.transpose(-1, -2), y) + self._scatter(friction)

    def _impulse(self, q, v, active, e):
        return self._call("impulse_contact", q, v, active.to(v.dtype), e)

    def _push_out(self, q, s, active, hb, v_plus):
        """Baumgarte at the velocity level, on the rows with a penetrating active contact: the
        least-kinetic-energy velocity change δ that gives those contacts the normal velocity
        w = baumgarte · depth / h (other rows of the active contacts 0): δ = M⁻¹Jᵀy with
        (J M⁻¹ Jᵀ) y = w on the active rows (the others masked out of the system)."""
        depth = (-s).clamp(min=0) * active
        rows = self._row_indices(depth > 0)
        if rows.numel() == 0:
            return v_plus
        qs, act = q[rows], active[rows].to(q.dtype)
        J = self._call("J_contact", qs)
        w = self._scatter((self.baumgarte * depth[rows] / (hb[rows] if hb.dim() > 0 else hb)).unsqueeze(-1)
                          * self.normal)
        mask = act.repeat_interleave(torch.tensor(self.dims, device=q.device), dim=1)        # (b, m)
        MiJt = self._call("M_inv", qs) @ J.transpose(-1, -2)
        G = J @ MiJt
        A = mask.unsqueeze(-1) * G * mask.unsqueeze(-2) + torch.diag_embed(1 - mask)
        y = torch.linalg.solve(A, (mask * w).unsqueeze(-1))
        return v_plus.index_copy(0, rows, v_plus[rows] + (MiJt @ y).squeeze(-1))
