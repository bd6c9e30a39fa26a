"""CusADi-style baseline: one line of PyTorch per CasADi instruction.

CusADi (Jeon et al.) turns a CasADi SX function into straight-line code in which every instruction
reads and writes columns of one work tensor of shape (batch, n_work). This module does the same for
the .casadi files written by `thunder gen`, so that the benchmark can compare Thunder's
level-scheduled runtime against that approach on identical expressions. It lives only in bench/.

    f = CusadiFunction.load("OUT/casadi/M.casadi")   # Python source generated and compiled once
    (M,) = f(q)                                      # q: (batch, 7) -> M: (batch, 7, 7)
"""
from __future__ import annotations

import casadi as ca
import torch

_BIN = {ca.OP_ADD: "{a} + {b}", ca.OP_SUB: "{a} - {b}", ca.OP_MUL: "{a} * {b}",
        ca.OP_DIV: "{a} / {b}", ca.OP_POW: "torch.pow({a}, {b})",
        ca.OP_CONSTPOW: "torch.pow({a}, {b})", ca.OP_ATAN2: "torch.atan2({a}, {b})",
        ca.OP_FMIN: "torch.minimum({a}, {b})", ca.OP_FMAX: "torch.maximum({a}, {b})",
        ca.OP_COPYSIGN: "torch.copysign({a}, {b})",
        ca.OP_LT: "({a} < {b}).to(w.dtype)", ca.OP_LE: "({a} <= {b}).to(w.dtype)",
        ca.OP_EQ: "({a} == {b}).to(w.dtype)", ca.OP_NE: "({a} != {b}).to(w.dtype)",
        ca.OP_AND: "(({a} != 0) & ({b} != 0)).to(w.dtype)",
        ca.OP_OR: "(({a} != 0) | ({b} != 0)).to(w.dtype)",
        ca.OP_IF_ELSE_ZERO: "torch.where({a} != 0, {b}, torch.zeros_like({b}))",
        ca.OP_FMOD: "torch.fmod({a}, {b})"}
_UN = {ca.OP_ASSIGN: "{a}", ca.OP_NEG: "-{a}", ca.OP_SQ: "{a} * {a}", ca.OP_TWICE: "2 * {a}",
       ca.OP_SQRT: "torch.sqrt({a})", ca.OP_SIN: "torch.sin({a})", ca.OP_COS: "torch.cos({a})",
       ca.OP_TAN: "torch.tan({a})", ca.OP_EXP: "torch.exp({a})", ca.OP_LOG: "torch.log({a})",
       ca.OP_ASIN: "torch.asin({a})", ca.OP_ACOS: "torch.acos({a})", ca.OP_ATAN: "torch.atan({a})",
       ca.OP_FABS: "torch.abs({a})", ca.OP_SIGN: "torch.sign({a})", ca.OP_INV: "1 / {a}",
       ca.OP_FLOOR: "torch.floor({a})", ca.OP_CEIL: "torch.ceil({a})",
       ca.OP_NOT: "({a} == 0).to(w.dtype)", ca.OP_SINH: "torch.sinh({a})",
       ca.OP_COSH: "torch.cosh({a})", ca.OP_TANH: "torch.tanh({a})", ca.OP_ERF: "torch.erf({a})"}


def generate_source(f: ca.Function, name: str = "fn") -> tuple[str, int]:
    """Python source of `def name(w, inputs, outputs)` and the work size."""
    if not f.is_a("SXFunction"):
        f = f.expand()
    lines = [f"def {name}(w, inputs, outputs):"]
    W = lambda k: f"w[:, {k}]"  # noqa: E731
    for k in range(f.n_instructions()):
        op = f.instruction_id(k)
        i = f.instruction_input(k)
        o = f.instruction_output(k)
        if op == ca.OP_CONST:
            lines.append(f"    w[:, {o[0]}] = {float(f.instruction_constant(k))!r}")
        elif op == ca.OP_INPUT:
            lines.append(f"    w[:, {o[0]}] = inputs[{i[0]}][:, {i[1]}]")
        elif op == ca.OP_OUTPUT:
            lines.append(f"    outputs[{o[0]}][:, {o[1]}] = w[:, {i[0]}]")
        elif op in _BIN:
            lines.append(f"    w[:, {o[0]}] = " + _BIN[op].format(a=W(i[0]), b=W(i[1])))
        elif op in _UN:
            lines.append(f"    w[:, {o[0]}] = " + _UN[op].format(a=W(i[0])))
        else:
            raise NotImplementedError(f"CasADi operation {op} at instruction {k}")
    return "\n".join(lines) + "\n", f.sz_w()


class CusadiFunction:
    """One CasADi function executed CusADi-style; inputs (batch, numel) or (batch, rows)."""

    def __init__(self, f: ca.Function):
        if not f.is_a("SXFunction"):
            f = f.expand()
        self.name = f.name()
        src, self.n_work = generate_source(f, "fn")
        self.n_lines = src.count("\n") - 1
        ns = {"torch": torch}
        exec(compile(src, f"<cusadi_style {self.name}>", "exec"), ns)
        self._fn = ns["fn"]
        self.in_sizes = [f.nnz_in(i) for i in range(f.n_in())]
        self.in_names = [f.name_in(i) for i in range(f.n_in())]
        self.bound = {}
        self.out_sparsity = [f.sparsity_out(i) for i in range(f.n_out())]

    @classmethod
    def load(cls, path):
        return cls(ca.Function.load(str(path)))

    def bind(self, module):
        """Take the trailing parameter inputs (par_DYN, ...) from a thunder_torch module, so that
        the call passes only the state arguments, as the module's own functions do."""
        self.bound = {n: getattr(module, n).detach() for n in self.in_names if hasattr(module, n)}
        return self

    def __call__(self, *inputs):
        x0 = inputs[0]
        B = x0.shape[0]
        inputs = list(inputs) + [self.bound[n].to(x0.dtype).reshape(1, -1).expand(B, -1)
                                 for n in self.in_names[len(inputs):]]
        w = torch.empty(B, self.n_work, dtype=x0.dtype, device=x0.device)
        nz = [torch.zeros(B, sp.nnz(), dtype=x0.dtype, device=x0.device) for sp in self.out_sparsity]
        self._fn(w, [x.reshape(B, -1) for x in inputs], nz)
        outs = []
        for sp, v in zip(self.out_sparsity, nz):
            r, c = sp.size1(), sp.size2()
            if sp.nnz() == r * c:
                dense = v
            else:
                dense = torch.zeros(B, r * c, dtype=v.dtype, device=v.device)
                dense[:, torch.tensor(sp.find(), device=v.device)] = v
            # CasADi is column-major
            outs.append(dense.reshape(B, c, r).transpose(1, 2) if c > 1 else dense)
        return outs
