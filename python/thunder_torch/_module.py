"""The robot nn.Module built from manifest.json and the torch artifact."""
from __future__ import annotations

import hashlib
import inspect
import json
import math
import pathlib
from typing import Optional, Tuple

import torch

from . import _par_file
from ._state import check_quaternions, in_transform

# Default gradient engine: "reverse" (CasADi's reverse-mode schedule behind an autograd.Function)
# or "tape" (every schedule step recorded on the autograd tape). See docs/TORCH_ARTIFACT.md
# (gradients) for the measurements behind the default.
DEFAULT_GRAD_MODE = "reverse"


# Inputs that are configurations of the robot (function_builder.cpp): a floating base's holds the
# base quaternion at [3:7].
_CONFIGURATIONS = ("q", "q0", "q1")


class _FnSpec:
    """Everything a generated method needs: inputs, outputs, schedules."""

    def __init__(self, entry, manifest_fn, fwd, rev, params):
        self.name = entry["name"]
        self.description = manifest_fn.get("description", entry.get("description", ""))
        self.fwd, self.rev = fwd, rev
        self.vars = []    # (name, rows, cols)
        self.pars = []    # (name, rows*cols, symbolic index list or None for the full set)
        self.order = []   # ("var"|"par", position) in the function's input order
        man_in = {i["name"]: i for i in manifest_fn.get("inputs", [])}
        for sp in entry["inputs"]:
            name, rows, cols = sp["name"], sp["rows"], sp["cols"]
            is_par = man_in.get(name, {}).get("param", name in params)
            if is_par:
                if name not in params:
                    raise ValueError(f"thunder_torch: function '{self.name}': parameter input "
                                     f"'{name}' has no parameter set in the manifest")
                p = params[name]
                sym = [i for i, s in enumerate(p["symbolic"]) if s]
                size = rows * cols
                if size == len(sym):
                    idx = sym
                elif size == len(p["elements"]):
                    idx = None
                else:
                    raise ValueError(f"thunder_torch: function '{self.name}': input '{name}' has "
                                     f"{size} elements; set {name} has {len(p['elements'])}, "
                                     f"{len(sym)} symbolic")
                self.order.append(("par", len(self.pars)))
                self.pars.append((name, size, idx))
            else:
                self.order.append(("var", len(self.vars)))
                self.vars.append((name, rows, cols))
        self.outputs = [(sp["name"], sp["rows"], sp["cols"]) for sp in entry["outputs"]]
        self.sizes = [r * c for _, r, c in self.outputs]
        self.configs = []  # positions in vars of a floating base's configurations (q, q0, q1)


def _shape_str(rows, cols):
    return f"(..., {rows})" if cols == 1 else f"(..., {rows}, {cols})"


def _docstring(spec):
    lines = [spec.description or spec.name, "", "Args:"]
    for name, r, c in spec.vars:
        lines.append(f"    {name}: tensor {_shape_str(r, c)}")
    for name, size, idx in spec.pars:
        what = "symbolic elements" if idx is not None else "all elements"
        lines.append(f"    {name} (keyword, optional): full parameter vector (..., n_{name}) "
                     f"overriding the module's; the function uses its {size} {what}")
    lines += ["", "Returns:"]
    for name, r, c in spec.outputs:
        lines.append(f"    {name}: tensor {_shape_str(r, c)}")
    if len(spec.outputs) > 1:
        lines.append("    (as a tuple, in this order)")
    lines += ["", "Shape:"]
    for name, r, c in spec.vars:
        lines.append(f"    - {name}: {_shape_str(r, c)}, ... = any batch shape")
    for name, r, c in spec.outputs:
        lines.append(f"    - {name}: {_shape_str(r, c)}, ... = the broadcast batch shape of the inputs")
    lines.append("    Column vectors (rows, 1) are (..., rows); matrices keep both dimensions.")
    return "\n".join(lines)


def fold_vmap(info, in_dims, pieces, batch_axis, batch):
    """The vmap rule shared by both backends: a vmapped dimension of size V becomes part of the
    evaluation batch (B -> V*B, V outer), so one call of the schedule or kernel serves every
    vmapped instance. `batch_axis` is the axis of B in the pieces: 1 for the schedules' (n, B)
    blocks, 0 for the kernels' (B, n) inputs (where B may also be 1: a broadcast parameter).
    Returns the folded pieces and V."""
    V = info.batch_size
    out = []
    for p, d in zip(pieces, in_dims):
        p = p.unsqueeze(batch_axis) if d is None else p.movedim(d, batch_axis)
        shape = list(p.shape)
        shape[batch_axis], shape[batch_axis + 1] = V, batch
        out.append(p.expand(shape).flatten(batch_axis, batch_axis + 1))
    return out, V


def forward_mode(fn, primals, tangents):
    """The tangent J v of fn(*primals) along tangents v, for the jvp rules below (fn runs a
    schedule on the tape). Inside a torch.func transform: torch.func.jvp (its levels nest).
    Under torch.autograd.forward_ad dual tensors, whose levels do not nest and are switched off
    inside a jvp rule: the double-vjp identity J v = d/du <J^T u, v> by reverse mode twice
    (J^T u is linear in u, so u = 0 serves), about 3x the cost of forward mode."""
    # make_dual refuses primals and tangents whose elements share memory (expanded views)
    primals = [p.contiguous() for p in primals]
    tangents = [torch.zeros_like(p) if t is None else t.contiguous()
                for p, t in zip(primals, tangents)]
    if in_transform():
        return torch.func.jvp(fn, tuple(primals), tuple(tangents))[1]
    with torch.enable_grad():
        xs = [p.detach().requires_grad_() for p in primals]
        y = fn(*xs)
        u = torch.zeros_like(y, requires_grad=True)
        g = torch.autograd.grad(y, xs, u, create_graph=True, allow_unused=True)
        pairs = [(gi, t) for gi, t in zip(g, tangents) if gi is not None]
        if not pairs:
            return torch.zeros_like(y)
        jv, = torch.autograd.grad([gi for gi, _ in pairs], u, [t for _, t in pairs],
                                  allow_unused=True)
    return torch.zeros_like(y) if jv is None else jv


class _Eval(torch.autograd.Function):
    """Forward: the function's schedule. Backward: its reverse-mode (VJP) schedule, recorded on
    the tape when a graph of the gradient is wanted (create_graph=True), so second derivatives
    work. This class is what torch.compile traces (Dynamo refuses a Function with a custom jvp);
    eager calls use _EvalFunc below."""

    @staticmethod
    def forward(spec, batch, *pieces):
        ref = pieces[0]
        return spec.fwd.run(list(pieces), batch, ref.device, ref.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        spec, batch, *pieces = inputs
        ctx.spec, ctx.batch = spec, batch
        ctx.save_for_backward(*pieces, output)

    @staticmethod
    def backward(ctx, dY):
        saved = ctx.saved_tensors
        pieces, Y = list(saved[:-1]), saved[-1]
        # grad enabled here = a graph of the gradient is wanted: record the reverse schedule
        dX = ctx.spec.rev.run(pieces + [Y, dY], ctx.batch, Y.device, Y.dtype,
                              tape=torch.is_grad_enabled())
        grads, r = [], 0
        for i, p in enumerate(pieces):
            n = p.shape[0]
            grads.append(dX[r:r + n] if ctx.needs_input_grad[2 + i] else None)
            r += n
        return (None, None, *grads)


class _EvalFunc(_Eval):
    """_Eval composable with torch.func: the vmap rule folds the vmapped dimension into the batch
    (one schedule run for all instances); forward mode (torch.func.jvp, jacfwd, dual tensors)
    differentiates the forward schedule on the tape (every step is a torch operation), see
    forward_mode."""

    @staticmethod
    def setup_context(ctx, inputs, output):
        _Eval.setup_context(ctx, inputs, output)
        ctx.save_for_forward(*inputs[2:])

    @staticmethod
    def jvp(ctx, _spec, _batch, *tangents):
        spec, batch = ctx.spec, ctx.batch
        ref = ctx.saved_tensors[0]

        def run(*ps):
            return spec.fwd.run(list(ps), batch, ref.device, ref.dtype, tape=True)
        return forward_mode(run, ctx.saved_tensors[:len(tangents)], tangents)

    @staticmethod
    def vmap(info, in_dims, spec, batch, *pieces):
        folded, V = fold_vmap(info, in_dims[2:], pieces, 1, batch)
        Y = _EvalFunc.apply(spec, V * batch, *folded)
        return Y.unflatten(1, (V, batch)), 1


class ThunderModule(torch.nn.Module):
    """Base class of the generated robot modules (one subclass per robot, built by `load`)."""

    grad_mode = DEFAULT_GRAD_MODE
    _native_backend = None   # set by load(backend="native"|"auto"): thunder_torch._native

    def __init__(self, manifest, specs, dtype):
        super().__init__()
        self.robot = manifest.get("robot", "")
        self.n_joints = manifest.get("n_joints", 0)
        #: sizes of q and of the velocity dq (a floating base's q holds [x, y, z, qx, qy, qz, qw])
        self.nq = manifest.get("nq", self.n_joints)
        self.nv = manifest.get("nv", self.n_joints)
        self.floating_base = bool(manifest.get("floating_base", False))
        #: joint names in q order; frames with T_w_<id> / J_<id> functions ({name: id})
        self.joints = list(manifest.get("joints", []))
        self.frames = {f["name"]: f["id"] for f in manifest.get("frames", [])}
        #: --contacts in row order ({frame: 3 or 6 rows}): `active` of FD_contact / impulse_contact
        #: has one entry per contact, their outputs 3 or 6 rows each
        self.contacts = {c["name"]: c["dim"] for c in manifest.get("contacts", [])}
        self.manifest = manifest
        self._specs = specs
        self.param_elements = {}
        self.param_symbolic = {}
        self.param_descriptions = {}
        self.param_aliases = {}
        self._state = {}
        self._folded_sets = []  # sets with an element folded into the generated code
        self._seen = {}         # set -> (tensor, version) last checked against the folded values
        self.register_buffer("_ref", torch.zeros(0, dtype=dtype), persistent=False)
        for p in manifest.get("params", []):
            name = p["name"]
            self.param_elements[name] = list(p["elements"])
            self.param_symbolic[name] = list(p["symbolic"])
            self.param_descriptions[name] = p.get("description", "")
            # index names ("link3.mass") of a URDF robot's own element names ("panda_link3.mass")
            self.param_aliases[name] = {a: i for i, a in enumerate(p.get("aliases", [])) if a}
            if self._is_derived(name):
                continue
            t = torch.tensor([float(v) if v is not None else math.nan for v in p["values"]],
                             dtype=dtype)
            if any(p["symbolic"]):
                self.register_parameter(name, torch.nn.Parameter(t))
            else:
                self.register_buffer(name, t)
            folded = [i for i, sym in enumerate(p["symbolic"]) if not sym]
            if folded:
                # The values the generated code holds as constants, to tell a change from none.
                self.register_buffer(f"_folded_{name}", t.clone(), persistent=False)
                self.register_buffer(f"_folded_idx_{name}", torch.tensor(folded), persistent=False)
                self._folded_sets.append(name)
        self._remember_parameters()

    # -- parameters -------------------------------------------------------------------------
    def _is_derived(self, name):
        return (name == "par_REG" and "par_DYN" in self.param_elements
                and "par_DYN_to_REG" in self._specs)

    def param_vector(self, name):
        """The full vector of parameter set `name` (derived sets computed)."""
        if name not in self.param_elements:
            raise ValueError(f"{self.robot}: unknown parameter set '{name}' "
                             f"(sets: {', '.join(self.param_elements)})")
        self._verify_folded()
        return self._vector(name)

    def _alias(self, set_name, i):
        return next((a for a, k in self.param_aliases[set_name].items() if k == i), None)

    def _vector(self, name):
        return self.par_REG if self._is_derived(name) else getattr(self, name)

    # -- folded elements: generated as constants, so a change could not take effect ------------
    def _folded_error(self, where, set_name, i, value):
        element = self.param_elements[set_name][i]
        generated = getattr(self, f"_folded_{set_name}")[i].item()
        short = set_name[4:] if set_name.startswith("par_") else set_name
        return ValueError(
            f"{where}: {set_name}.{element}: cannot set it to {value!r}: it was folded into the "
            f"generated code as the constant {generated!r} at generation (it is not symbolic). "
            f"Regenerate with `thunder gen ROBOT --symb {short}` (or flag it `symb` in the robot "
            "file) to change it at run time")

    def _check_folded(self, where, set_name, value, rtol=0.0):
        """Raises unless every folded element of `value` (..., n) equals the generated one
        (within rtol * max(1, |v|) when rtol > 0)."""
        if set_name not in self._folded_sets:
            return
        idx = getattr(self, f"_folded_idx_{set_name}")
        gen = getattr(self, f"_folded_{set_name}")[idx]
        got = value.detach()[..., idx]
        if rtol > 0:
            ok = (got - gen).abs() <= rtol * gen.abs().clamp_min(1.0)
        else:
            ok = (got == gen) | (torch.isnan(got) & torch.isnan(gen))
        if bool(ok.all()):
            return
        row, col = (~ok).reshape(-1, idx.numel()).nonzero()[0].tolist()
        value = got.reshape(-1, idx.numel())[row, col].item()
        raise self._folded_error(where, set_name, int(idx[col]), value)

    def _remember_parameters(self):
        for name in self._folded_sets:
            t = self._parameters[name] if name in self._parameters else self._buffers[name]
            self._seen[name] = (t, t._version)

    def _verify_folded(self):
        """A folded element changed in place (robot.par_DYN[0] = 100, an optimizer step on a
        partly symbolic set) is caught here, at the next use: a version check per set, the
        values compared only when the tensor changed. Skipped while torch.compile traces."""
        if torch.compiler.is_compiling():
            return
        for name in self._folded_sets:
            t = self._parameters[name] if name in self._parameters else self._buffers[name]
            seen = self._seen[name]
            if t is seen[0] and t._version == seen[1]:
                continue
            self._check_folded(self.robot, name, t)
            self._seen[name] = (t, t._version)

    def __setattr__(self, name, value):
        elements = self.__dict__.get("param_elements")
        if elements is not None and name in elements and isinstance(value, torch.Tensor):
            if self._is_derived(name):
                raise ValueError(f"{self.robot}: {name} is derived from par_DYN: assign par_DYN, or "
                                 f"load_par a file that gives {name} (it recomputes par_DYN)")
            n = len(elements[name])
            if tuple(value.shape) != (n,):
                raise ValueError(f"{self.robot}: {name} must have shape ({n},), got {tuple(value.shape)}")
            self._check_folded(self.robot, name, value)
            super().__setattr__(name, value)
            self._remember_parameters()
            return
        super().__setattr__(name, value)

    @property
    def dtype(self):
        return self._ref.dtype

    @property
    def device(self):
        return self._ref.device

    def load_par(self, file):
        """Reads a parameter file (docs/FUNCTIONS.md format): any subset of sets and elements.

        Errors name FILE:LINE: SET.ELEMENT: an unknown set or element, a duplicate key, a value
        that is not a finite number, or a change to an element that was folded into the
        generated code (not symbolic: regenerate with --symb). Then nothing changes."""
        file = str(file)
        data = _par_file.read(file)
        lines = {}
        updates = {}
        for set_name, elems in data.items():
            if set_name not in self.param_elements:
                raise ValueError(f"{file}: unknown parameter set '{set_name}' "
                                 f"(known: {', '.join(self.param_elements)})")
            names = self.param_elements[set_name]
            for e, (v, line) in elems.items():
                i = names.index(e) if e in names else self.param_aliases[set_name].get(e)
                if i is None:
                    import difflib
                    close = difflib.get_close_matches(e, names, n=1)
                    raise ValueError(f"{file}:{line}: {set_name}.{e}: unknown element of {set_name}"
                                     + (f" (did you mean {close[0]!r}?)" if close else ""))
                if i in updates.get(set_name, {}):
                    raise ValueError(f"{file}:{line}: {set_name}.{e}: element given twice (as "
                                     f"{names[i]} and its alias {self._alias(set_name, i)})")
                updates.setdefault(set_name, {})[i] = v
                lines[set_name, i] = line
        staged = {}
        for set_name, vals in updates.items():
            if self._is_derived(set_name):
                continue
            t = getattr(self, set_name).detach().clone()
            for i, v in vals.items():
                t[i] = v  # in the module's dtype, as the generated constant is compared
                if (not self.param_symbolic[set_name][i]
                        and t[i] != getattr(self, f"_folded_{set_name}")[i]):
                    raise self._folded_error(f"{file}:{lines[set_name, i]}", set_name, i, v)
            staged[set_name] = t
        if "par_REG" in updates and self._is_derived("par_REG") and "par_DYN" not in updates:
            if "par_REG_to_DYN" not in self._specs:
                raise ValueError(f"{file}: par_REG given without par_DYN, and this robot has no "
                                 "par_REG_to_DYN function to recompute par_DYN")
            reg = self.par_REG.detach().clone()
            for i, v in updates["par_REG"].items():
                reg[i] = v
            with torch.no_grad():
                dyn = self.par_REG_to_DYN(par_REG=reg)
            # par_DYN through the map differs from the file's numbers by roundings: compare its
            # folded elements within 1000 ulps of the module's dtype.
            line = min(lines[s_, i] for (s_, i) in lines if s_ == "par_REG")
            self._check_folded(f"{file}:{line}", "par_DYN", dyn, rtol=1000 * torch.finfo(self.dtype).eps)
            if "par_DYN" in self._folded_sets:
                idx = self._folded_idx_par_DYN
                dyn[idx] = self._folded_par_DYN[idx]  # keep the folded values exact
            staged["par_DYN"] = dyn
        with torch.no_grad():
            for set_name, t in staged.items():
                getattr(self, set_name).copy_(t)
        self._remember_parameters()

    def save_par(self, file):
        """Writes every parameter set in the parameter-file format (values as %.17g)."""
        self._verify_folded()
        lines = [f"# Thunder parameters of {self.robot} (saved by thunder_torch)\n"]
        for name, elems in self.param_elements.items():
            vec = self._vector(name)
            vals = vec.detach().to("cpu", torch.float64).tolist()
            lines.append(f"{name}:\n")
            for e, v in zip(elems, vals):
                lines.append(f"  {e}: {_yaml_float(v)}\n")
        pathlib.Path(file).write_text("".join(lines), encoding="utf-8")

    # -- evaluation -------------------------------------------------------------------------
    def _call_unchecked(self, name, *args):
        """The generated function `name` on positional tensors whose configurations the caller
        has checked already (simulation inner loops: the zero-quaternion test of every call cost
        ~0.1 ms at batch 4096, four calls a step)."""
        return self._evaluate(self._specs[name], args, {}, check=False)

    def _evaluate(self, spec, args, kwargs, check=True):
        if check and spec.configs:
            for i in spec.configs:
                if i < len(args) and isinstance(args[i], torch.Tensor) and args[i].shape[-1:] == (self.nq,):
                    check_quaternions(spec.name, spec.vars[i][0], args[i])
        if self._native_backend is not None and not kwargs and not torch.compiler.is_compiling():
            # cached native call plan (torch.compile traces the general path)
            out = self._native_backend.fast(self, spec, args)
            if out is not NotImplemented:
                return out
        fname = spec.name
        par_names = {n for n, _, _ in spec.pars}
        for k in kwargs:
            if k not in par_names:
                if k in self.param_elements and not any(self.param_symbolic[k]):
                    short = k[4:] if k.startswith("par_") else k
                    raise ValueError(f"{fname}: {k} cannot be overridden: all of it was folded into "
                                     "the generated code at generation (no element is symbolic). "
                                     f"Regenerate with `thunder gen ROBOT --symb {short}` to pass it "
                                     "per call")
                raise TypeError(f"{fname}: unexpected keyword argument '{k}' "
                                f"(parameter inputs: {', '.join(sorted(par_names)) or 'none'})")
        if len(args) != len(spec.vars):
            names = ", ".join(n for n, _, _ in spec.vars) or "no variables"
            raise TypeError(f"{fname}: expected {len(spec.vars)} variable argument(s) ({names}), "
                            f"got {len(args)}")
        if self._folded_sets:
            self._verify_folded()
        dtype, device = self._ref.dtype, self._ref.device
        xs, batch_shapes = [], []
        for (name, rows, cols), x in zip(spec.vars, args):
            trail = (rows,) if cols == 1 else (rows, cols)
            self._check(fname, name, x, trail, dtype, device)
            xs.append((x, trail))
            batch_shapes.append(x.shape[:x.dim() - len(trail)])
        ps = []
        for name, size, idx in spec.pars:
            p = kwargs.get(name)
            full = len(self.param_elements[name])
            if p is None:
                p = self._vector(name)  # checked by _verify_folded above
            else:
                self._check(fname, name, p, (full,), dtype, device)
                if idx is not None and len(idx) != full:  # folded elements must keep their values
                    self._check_folded(f"{fname}({name}=...)", name, p)
            if idx is not None:
                p = p[..., torch.tensor(idx, device=device)] if len(idx) != full else p
            ps.append((p, (size,)))
            batch_shapes.append(p.shape[:-1])
        try:
            if not batch_shapes:
                batch = torch.Size()
            elif all(b == batch_shapes[0] for b in batch_shapes):  # the common case, ~15 us cheaper
                batch = torch.Size(batch_shapes[0])
            else:
                batch = torch.broadcast_shapes(*batch_shapes)
        except RuntimeError:
            raise ValueError(f"{fname}: batch shapes of the inputs do not broadcast: "
                             + ", ".join(str(tuple(s)) for s in batch_shapes)) from None
        if self._native_backend is not None:  # compiled kernels (thunder_torch/_native.py)
            out = self._native_backend.evaluate(self, spec, xs, ps, batch)
            if out is not None:
                return out
        B = math.prod(batch)
        pieces = []
        for kind, i in spec.order:
            t, trail = xs[i] if kind == "var" else ps[i]
            n = math.prod(trail)
            pieces.append(t.expand(*batch, *trail).reshape(B, n).t())
        # inside a torch.func transform the autograd.Function carries the vmap and jvp rules
        need_grad = ((torch.is_grad_enabled() and any(p.requires_grad for p in pieces))
                     or in_transform())
        # index tensors for this device/dtype are cached outside the autograd.Function (so that
        # torch.compile sees no side effect inside it)
        spec.fwd.prepare(device, dtype)
        if need_grad and self.grad_mode == "reverse":
            spec.rev.prepare(device, dtype)
            Y = (_Eval if torch.compiler.is_compiling() else _EvalFunc).apply(spec, B, *pieces)
        else:
            Y = spec.fwd.run(pieces, B, device, dtype, tape=need_grad)
        outs, r = [], 0
        for name, rows, cols in spec.outputs:
            n = rows * cols
            y = Y[r:r + n].t()
            r += n
            outs.append(y.reshape(*batch, rows) if cols == 1 else y.reshape(*batch, rows, cols))
        return outs[0] if len(outs) == 1 else tuple(outs)

    @staticmethod
    def _check(fname, name, x, trail, dtype, device):
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{fname}: argument '{name}' must be a torch.Tensor of shape "
                            f"(..., {', '.join(map(str, trail))}), got {type(x).__name__}")
        if x.dtype != dtype:
            raise TypeError(f"{fname}: argument '{name}' must have dtype {dtype} (the module's), "
                            f"got {x.dtype}")
        if x.device != device:
            raise ValueError(f"{fname}: argument '{name}' must be on device {device} (the "
                             f"module's), got {x.device}")
        if x.dim() < len(trail) or tuple(x.shape[x.dim() - len(trail):]) != trail:
            raise ValueError(f"{fname}: argument '{name}' must have shape "
                             f"(..., {', '.join(map(str, trail))}), got {tuple(x.shape)}")

    def step(self, q, dq, tau, dt, integrator="semi_implicit_euler", contact=None):
        """One simulation step: (q_next, dq_next); see thunder_torch.simulate.step."""
        from .simulate import step
        return step(self, q, dq, tau, dt, integrator, contact=contact)

    def rollout(self, q0, dq0, controller, steps, dt, integrator="semi_implicit_euler", with_time=False,
                checkpoint=None, contact=None):
        """(q, dq, tau) over `steps` steps under `controller`; see thunder_torch.simulate.rollout."""
        from .simulate import rollout
        return rollout(self, q0, dq0, controller, steps, dt, integrator, with_time, checkpoint, contact=contact)

    def prepare(self):
        """Moves every schedule's index tensors to the module's device/dtype now (done by load
        and .to()), so that the first call, and torch.compile's guards, see no cache filling."""
        for spec in self._specs.values():
            spec.fwd.prepare(self.device, self.dtype)
            spec.rev.prepare(self.device, self.dtype)
        return self

    def _apply(self, fn, *args, **kwargs):
        out = super()._apply(fn, *args, **kwargs)
        if getattr(self, "_specs", None) is not None and hasattr(self, "_ref"):
            self.prepare()
            self._remember_parameters()
        return out

    # -- nn.Module protocol ------------------------------------------------------------------
    def inverse_dynamics(self, q: torch.Tensor, dq: torch.Tensor, ddq: torch.Tensor) -> torch.Tensor:
        """Joint torques tau = M(q) ddq + C(q, dq) dq + G(q), plus the link friction dl(dq) and
        the Coulomb friction dc(dq) where the robot was generated with them (the generated
        Newton-Euler function `tau` plus those terms).

        Shape:
            - q: (..., nq), dq and ddq: (..., nv)
            - output: (..., nv), ... = the broadcast batch shape of the inputs
        """
        if "tau" not in self._specs:
            raise ValueError(f"{self.robot}: inverse dynamics needs the generated function `tau` "
                             "(regenerate without --functions, or with tau in its list)")
        tau = self.tau(q, dq, ddq)
        if "dl" in self._specs:
            tau = tau + self.dl(dq)
        if "dc" in self._specs:
            tau = tau + self.dc(dq)
        return tau

    def forward(self, q: torch.Tensor, dq: Optional[torch.Tensor] = None,
                ddq: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Inverse dynamics (see `inverse_dynamics`): ``robot(q, dq, ddq)`` gives the joint torques.

        With one argument, it is the concatenation ``[q, dq, ddq]`` (..., nq + 2 nv), so that the
        robot can be one stage of an ``nn.Sequential``.

        Shape:
            - q: (..., nq), dq and ddq: (..., nv); or one input (..., nq + 2 nv)
            - output: (..., nv)
        """
        if dq is None and ddq is None:
            n = self.nq + 2 * self.nv
            if not isinstance(q, torch.Tensor) or q.dim() < 1 or q.shape[-1] != n:
                got = tuple(q.shape) if isinstance(q, torch.Tensor) else type(q).__name__
                raise ValueError(f"{self.robot}: forward(x) takes x = [q, dq, ddq] of shape "
                                 f"(..., {n}) (nq + 2 nv), got {got}; or call robot(q, dq, ddq)")
            q, dq, ddq = q.split([self.nq, self.nv, self.nv], dim=-1)
        elif dq is None or ddq is None:
            raise TypeError(f"{self.robot}: forward takes (q, dq, ddq) or one tensor [q, dq, ddq]")
        return self.inverse_dynamics(q, dq, ddq)

    # -- pickling: the class is made per robot by make_module, so pickle cannot name it --------
    def __reduce__(self):
        source = self.__dict__.get("_source")
        if source is None:
            raise TypeError(f"{self.robot}: only a module made by thunder_torch.load can be "
                            "pickled (it is rebuilt from its generation folder)")
        path, backend = source
        state = {k: v.detach().cpu() for k, v in self.state_dict().items()}
        requires_grad = {n: p.requires_grad for n, p in self.named_parameters()}
        extra = {"grad_mode": self.__dict__.get("grad_mode", type(self).grad_mode),
                 "training": self.training, "requires_grad": requires_grad}
        extra["generation"] = _generation_digest(self.manifest)
        return (_rebuild, (path, str(self.dtype).replace("torch.", ""), str(self.device), backend,
                           state, extra))

    def schedule_stats(self):
        """{function: {"forward": {...}, "reverse": {...}}} of the level schedules."""
        return {n: {"forward": s.fwd.stats, "reverse": s.rev.stats} for n, s in self._specs.items()}

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            # A function of the catalog that this folder lacks: say so and how to add it, rather
            # than a bare "has no attribute" (hasattr(robot, name) stays False).
            specs = self.__dict__.get("_specs")
            if specs is None or name.startswith("_") or not (name[:1].isupper() or "_" in name or name in _LOWER):
                raise
            import difflib
            close = difflib.get_close_matches(name, list(specs), n=1)
            raise AttributeError(
                f"{type(self).__name__} has no function {name!r}: it was not generated into this folder"
                + (f" (did you mean {close[0]!r}?)" if close else "")
                + f". Regenerate with `thunder gen ROBOT --pytorch --functions {','.join([*specs, name])}`, or "
                "without --functions for every function (docs/FUNCTIONS.md lists them)") from None

    def extra_repr(self):
        return (f"robot={self.robot!r}, nq={self.nq}, nv={self.nv}, floating_base={self.floating_base}, "
                f"functions={list(self._specs)}")


# Generated function names without an upper-case letter or '_' (for the missing-function message).
_LOWER = ("tau", "dl", "dc", "k", "d", "dm", "com", "integrate")


def _generation_digest(manifest):
    """sha256 of the manifest without its artifact list (what the functions and sets are)."""
    body = {k: v for k, v in manifest.items() if k != "artifacts"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _rebuild(path, dtype, device, backend, state, extra):
    """Unpickles a ThunderModule: loads `path` again (the manifest checks that the generated
    files are the ones pickled against), then restores the parameters and flags."""
    from . import load
    module = load(path, device=device, dtype=getattr(torch, dtype), backend=backend)
    if _generation_digest(module.manifest) != extra["generation"]:
        raise ValueError(f"unpickling {module.robot}: {path} was regenerated since the module was "
                         "pickled (its manifest differs): load it with thunder_torch.load and "
                         "load_state_dict the parameters you need")
    module.load_state_dict(state)
    for name, flag in extra["requires_grad"].items():
        module.get_parameter(name).requires_grad_(flag)
    if extra["grad_mode"] != type(module).grad_mode:
        module.grad_mode = extra["grad_mode"]
    module.train(extra["training"])
    return module


def _yaml_float(v):
    if math.isnan(v):
        return ".nan"
    if math.isinf(v):
        return ".inf" if v > 0 else "-.inf"
    s = f"{v:.17g}"
    if "e" in s and "." not in s:  # YAML 1.1 floats need a dot: 1e-05 -> 1.0e-05
        m, e = s.split("e")
        s = f"{m}.0e{e}"
    elif "e" not in s and "." not in s:
        s += ".0"
    return s


def _signature(spec, with_vars=True):
    """The inspect.Signature of a generated method: the function's variables by name (positional
    or keyword), its parameter sets as optional keyword-only overrides, tensors in and out."""
    P = inspect.Parameter
    params = [P("self", P.POSITIONAL_OR_KEYWORD)]
    if with_vars:
        params += [P(name, P.POSITIONAL_OR_KEYWORD, annotation=torch.Tensor)
                   for name, _, _ in spec.vars]
    params += [P(name, P.KEYWORD_ONLY, default=None, annotation=Optional[torch.Tensor])
               for name, _, _ in spec.pars]
    ret = torch.Tensor if len(spec.outputs) == 1 else Tuple[(torch.Tensor,) * len(spec.outputs)]
    return inspect.Signature(params, return_annotation=ret)


def _bind(spec, args, kwargs):
    """Moves variables passed by keyword (M(q=q)) into the positional arguments, as the signature
    says; None for a parameter override means the module's own values."""
    args = list(args)
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    names = [n for n, _, _ in spec.vars]
    for name in names[:len(args)]:
        if name in kwargs:
            raise TypeError(f"{spec.name}() got multiple values for argument '{name}'")
    for name in names[len(args):]:
        if name not in kwargs:
            if any(n in kwargs for n in names[len(args):]) or args:
                raise TypeError(f"{spec.name}() missing argument '{name}'")
            break
        args.append(kwargs.pop(name))
    return tuple(args), kwargs


def _make_method(spec):
    def method(self, *args, **kwargs):
        if kwargs:
            args, kwargs = _bind(spec, args, kwargs)
        return self._evaluate(spec, args, kwargs)
    method.__name__ = spec.name
    method.__qualname__ = spec.name
    method.__doc__ = _docstring(spec)
    method.__signature__ = _signature(spec)
    method.__annotations__ = {p.name: p.annotation for p in method.__signature__.parameters.values()
                              if p.annotation is not inspect.Parameter.empty}
    method.__annotations__["return"] = method.__signature__.return_annotation
    return method


def _make_getter(spec):
    def getter(self, **kwargs):
        args = []
        for name, _, _ in spec.vars:
            if name not in self._state:
                raise ValueError(f"get_{spec.name}: state '{name}' is not set (call set_{name})")
            args.append(self._state[name])
        return self._evaluate(spec, args, kwargs)
    getter.__signature__ = _signature(spec, with_vars=False)
    getter.__name__ = f"get_{spec.name}"
    getter.__doc__ = (f"{spec.name} evaluated at the stored state "
                      f"({', '.join(n for n, _, _ in spec.vars) or 'no variables'}).")
    return getter


def _make_setter(name, rows, cols):
    trail = (rows,) if cols == 1 else (rows, cols)

    def setter(self, value):
        self._check(f"set_{name}", name, value, trail, self._ref.dtype, self._ref.device)
        self._state[name] = value
    setter.__name__ = f"set_{name}"
    setter.__doc__ = f"Stores state '{name}' ({_shape_str(rows, cols)}) for the get_* methods."
    return setter


def make_module(manifest, schedules, dtype):
    params = {p["name"]: p for p in manifest.get("params", [])}
    man_fns = {f["name"]: f for f in manifest.get("functions", [])}
    specs = {}
    for name, (entry, fwd, rev) in schedules.items():
        specs[name] = _FnSpec(entry, man_fns.get(name, {}), fwd, rev, params)
        if manifest.get("floating_base"):
            nq = manifest.get("nq")
            specs[name].configs = [i for i, (n, r, c) in enumerate(specs[name].vars)
                                   if n in _CONFIGURATIONS and r == nq and c == 1]
    attrs = {"__doc__": f"Thunder functions of robot {manifest.get('robot', '')!r} "
                        f"(generated by {manifest.get('generator', 'thunder')})."}
    variables = {}
    for name, spec in specs.items():
        if hasattr(ThunderModule, name) or hasattr(torch.nn.Module, name):
            raise ValueError(f"thunder_torch: function name '{name}' clashes with a module attribute")
        attrs[name] = _make_method(spec)
        attrs[f"get_{name}"] = _make_getter(spec)
        for v, r, c in spec.vars:
            variables.setdefault(v, (r, c))
    for v, (r, c) in variables.items():
        attrs[f"set_{v}"] = _make_setter(v, r, c)
    if "par_REG" in params and "par_DYN" in params and "par_DYN_to_REG" in specs:
        def par_REG(self):
            """par_REG derived from par_DYN through par_DYN_to_REG (differentiable)."""
            return self.par_DYN_to_REG(par_DYN=self.par_DYN)
        def set_par_REG(self, value):
            raise ValueError(f"{self.robot}: par_REG is derived from par_DYN: assign par_DYN, or "
                             "load_par a file that gives par_REG (it recomputes par_DYN)")
        attrs["par_REG"] = property(par_REG, set_par_REG)
    cls = type(f"Thunder_{manifest.get('robot', 'robot')}", (ThunderModule,), attrs)
    return cls(manifest, specs, dtype).prepare()
