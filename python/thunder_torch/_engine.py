"""Executes the level schedules of the torch artifact (see docs/TORCH_ARTIFACT.md).

A schedule works on a slot tensor W of shape (n_slots, batch), batch contiguous:
``[constants | input block | work slots]``. Each step applies one operation to ``n`` operands
gathered from W (a slice when they are consecutive, else ``index_select``) and writes its results
to the consecutive slots ``out0 .. out0+n``. Large batches run in blocks of columns.
"""
from __future__ import annotations

import json
import math
import pathlib

import torch

__all__ = ["Schedule", "read_artifact", "OPS"]


def _b(x):
    return x


def _sign(a):
    # CasADi: x<0 ? -1 : x>0 ? 1 : x   (sign(0)=0, sign(-0)=-0, sign(nan)=nan)
    return torch.where(a > 0, torch.ones_like(a), torch.where(a < 0, -torch.ones_like(a), a))


def _remainder(a, b):
    # C remainder(): a - b*n, n = a/b rounded to the nearest integer, ties to even, computed
    # exactly (a - b * round(a / b) rounds b * n). fmod is exact, and so is the one correction
    # by |b| when |r| > |b|/2 or at a tie with an odd quotient (Sterbenz: |b|/2 <= |r| <= |b|).
    # A zero result has the sign of a.
    r = torch.fmod(a, b)
    ab = b.abs()
    half = 0.5 * ab
    odd = torch.fmod(torch.trunc(a / b), 2) != 0
    fix = (r.abs() > half) | ((r.abs() == half) & odd)
    r = torch.where(fix, r - torch.copysign(ab, r), r)
    return torch.where(r == 0, torch.copysign(r, a), r)


# name -> (number of operands, function). Comparison and logical results are 0/1 in the dtype.
OPS = {
    "add": (2, torch.add), "sub": (2, torch.sub), "mul": (2, torch.mul), "div": (2, torch.div),
    "neg": (1, torch.neg), "exp": (1, torch.exp), "log": (1, torch.log),
    "pow": (2, torch.pow), "constpow": (2, torch.pow), "sqrt": (1, torch.sqrt),
    "sq": (1, torch.square), "twice": (1, lambda a: a + a),
    "sin": (1, torch.sin), "cos": (1, torch.cos), "tan": (1, torch.tan),
    "asin": (1, torch.asin), "acos": (1, torch.acos), "atan": (1, torch.atan),
    "lt": (2, lambda a, b: (a < b).to(a.dtype)), "le": (2, lambda a, b: (a <= b).to(a.dtype)),
    "eq": (2, lambda a, b: (a == b).to(a.dtype)), "ne": (2, lambda a, b: (a != b).to(a.dtype)),
    "not": (1, lambda a: (a == 0).to(a.dtype)),
    "and": (2, lambda a, b: ((a != 0) & (b != 0)).to(a.dtype)),
    "or": (2, lambda a, b: ((a != 0) | (b != 0)).to(a.dtype)),
    "floor": (1, torch.floor), "ceil": (1, torch.ceil), "fmod": (2, torch.fmod),
    "fabs": (1, torch.abs), "sign": (1, _sign), "copysign": (2, torch.copysign),
    # CasADi: if_else_zero(x, y) = x == 0 ? 0 : y   (a nan y is dropped where x == 0)
    "if_else_zero": (2, lambda a, b: torch.where(a == 0, torch.zeros_like(b), b)),
    "erf": (1, torch.erf), "fmin": (2, torch.fmin), "fmax": (2, torch.fmax),
    "inv": (1, torch.reciprocal), "sinh": (1, torch.sinh), "cosh": (1, torch.cosh),
    "tanh": (1, torch.tanh), "asinh": (1, torch.asinh), "acosh": (1, torch.acosh),
    "atanh": (1, torch.atanh), "atan2": (2, torch.atan2), "erfinv": (1, torch.erfinv),
    "log1p": (1, torch.log1p), "expm1": (1, torch.expm1), "hypot": (2, torch.hypot),
    "remainder": (2, _remainder),
    # c + a * b: the exporter writes add, sub, mul, neg, twice and sq as this, exactly
    "fma": (3, torch.addcmul),
}

# Operations with an out= variant that writes straight into the slot tensor (no-grad path).
_OUT_OPS = {
    "fma": torch.addcmul,
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "neg": torch.neg,
    "sin": torch.sin, "cos": torch.cos, "sqrt": torch.sqrt, "exp": torch.exp,
    "sq": torch.square, "pow": torch.pow, "constpow": torch.pow, "fabs": torch.abs,
    "atan2": torch.atan2, "tanh": torch.tanh, "inv": torch.reciprocal,
}


_DTYPES = {"<u2": (torch.uint16, 2), "<i4": (torch.int32, 4), "<f8": (torch.float64, 8)}


def _array(blob: bytearray, ref) -> torch.Tensor:
    dt, size = _DTYPES[ref["dtype"]]
    n = int(ref["count"])
    if n == 0:
        return torch.zeros(0, dtype=torch.float64 if dt == torch.float64 else torch.int64)
    t = torch.frombuffer(blob, dtype=dt, count=n, offset=int(ref["offset"]))
    return t.clone() if dt == torch.float64 else t.to(torch.int64)


def _dense_pos(sp):
    """Row-major dense position (r*cols + c) of each nonzero, in CasADi (column-major) order."""
    cols, colind, row = sp["cols"], sp["colind"], sp["row"]
    pos = []
    for c in range(cols):
        for k in range(colind[c], colind[c + 1]):
            pos.append(row[k] * cols + c)
    return pos


class Schedule:
    """One level schedule, remapped so that its input block holds the caller's dense row-major
    inputs and its result is the dense row-major outputs (structural zeros read slot 0 = 0.0).

    in_sparsity: list of sparsity dicts forming the input block (nonzeros in order);
    out_sparsity: the sparsities whose dense row-major values form the result;
    out_nz_base: for each of out_sparsity, where its nonzeros start in the schedule's out_slots.
    """

    def __init__(self, d, blob, in_sparsity, out_sparsity, out_nz_base):
        self.stats = {k: d[k] for k in ("n_instructions", "n_ops", "n_levels", "n_steps",
                                         "n_const", "n_in", "n_slots")}
        C, I = d["n_const"], d["n_in"]
        # nonzero index of the input block -> dense row-major offset
        nz_to_dense, dense_off = [], 0
        for sp in in_sparsity:
            nz_to_dense += [dense_off + p for p in _dense_pos(sp)]
            dense_off += sp["rows"] * sp["cols"]
        if len(nz_to_dense) != I:
            raise ValueError(f"torch artifact: input block of {I} nonzeros, sparsity says "
                             f"{len(nz_to_dense)}")
        D = dense_off
        self.n_const, self.n_in = C, D
        self.n_slots = d["n_slots"] - I + D
        m = torch.tensor(nz_to_dense, dtype=torch.int64)

        def remap(s):
            s = s.clone()
            inp = (s >= C) & (s < C + I)
            work = s >= C + I
            if inp.any():
                s[inp] = C + m[s[inp] - C]
            s[work] += D - I
            return s

        self.consts = _array(blob, d["consts"])
        ops = d["step_op"]
        n = _array(blob, d["step_n"]).tolist()
        out0 = remap(_array(blob, d["step_out0"])).tolist()
        args = remap(_array(blob, d["args"]))
        self.steps = []  # (op name, out0, n, [operand: (start, stop) or index tensor])
        pos = 0
        for name, k, o in zip(ops, n, out0):
            if name not in OPS:
                raise ValueError(f"torch artifact: unknown operation '{name}'")
            nargs = OPS[name][0]
            operands = []
            for _ in range(nargs):
                a = args[pos:pos + k]
                pos += k
                if k == 1 or bool((a[1:] - a[:-1] == 1).all()):
                    operands.append((int(a[0]), int(a[0]) + k))
                else:
                    operands.append(a.clone())
            self.steps.append((name, o, k, operands))
        out_slots = remap(_array(blob, d["out_slots"]))
        dense_out = []
        for sp, base in zip(out_sparsity, out_nz_base):
            dense = [0] * (sp["rows"] * sp["cols"])
            for k, p in enumerate(_dense_pos(sp)):
                dense[p] = int(out_slots[base + k])
            dense_out += dense
        self.out_index = torch.tensor(dense_out, dtype=torch.int64)
        self.n_out = len(dense_out)
        self._cache = {}

    def _prepared(self, device, dtype):
        return self._cache[(device, dtype)]

    def prepare(self, device, dtype):
        key = (device, dtype)
        p = self._cache.get(key)
        if p is None:
            steps = []
            for name, o, k, operands in self.steps:
                ops = [x if isinstance(x, tuple) else x.to(device) for x in operands]
                steps.append((OPS[name][1], _OUT_OPS.get(name), o, k, ops))
            p = (self.consts.to(device=device, dtype=dtype).unsqueeze(1), steps,
                 self.out_index.to(device))
            self._cache[key] = p

    def block_size(self, device):
        if device.type != "cpu":
            return 1 << 62  # one block: GPU kernels want the whole batch
        # keep the slot tensor around 4 MiB of float64
        return int(min(8192, max(256, 2 ** math.floor(math.log2(max(1, (1 << 19) // self.n_slots))))))

    def run(self, pieces, batch, device, dtype, tape=False):
        """pieces: tensors of shape (n_i, batch) (any strides) forming the input block in order.
        Returns the dense outputs, shape (n_out, batch)."""
        if (device, dtype) not in self._cache:
            self.prepare(device, dtype)
        consts, steps, out_index = self._prepared(device, dtype)
        if tape:
            return self._run_tape(consts, steps, out_index, pieces, batch, device, dtype)
        bs = self.block_size(device)
        if batch <= bs:
            return self._run_block(consts, steps, out_index, pieces, batch, device, dtype)
        out = torch.empty(self.n_out, batch, device=device, dtype=dtype)
        for b0 in range(0, batch, bs):
            b1 = min(batch, b0 + bs)
            out[:, b0:b1] = self._run_block(consts, steps, out_index,
                                            [p[:, b0:b1] for p in pieces], b1 - b0, device, dtype)
        return out

    def _run_block(self, consts, steps, out_index, pieces, nb, device, dtype):
        W = torch.empty(self.n_slots, nb, device=device, dtype=dtype)
        C = self.n_const
        W[:C] = consts
        r = C
        for p in pieces:
            W[r:r + p.shape[0]] = p
            r += p.shape[0]
        for fn, outfn, o, k, operands in steps:
            args = [W[x[0]:x[1]] if isinstance(x, tuple) else W.index_select(0, x) for x in operands]
            if outfn is not None:
                outfn(*args, out=W[o:o + k])
            else:
                W[o:o + k] = fn(*args)
        return W.index_select(0, out_index)

    def _run_tape(self, consts, steps, out_index, pieces, nb, device, dtype):
        # Every step on the autograd tape: operands are always gathered copies so that writes
        # into W never invalidate a tensor saved for backward. W[index] rather than
        # index_select: under vmap index_select becomes a gather, whose backward saves W itself.
        work = torch.zeros(self.n_slots - self.n_const - self.n_in, nb, device=device, dtype=dtype)
        W = torch.cat([consts.expand(-1, nb)] + list(pieces) + [work], 0)
        for fn, outfn, o, k, operands in steps:
            args = [W.narrow(0, x[0], x[1] - x[0]).clone() if isinstance(x, tuple)
                    else W[x] for x in operands]
            W[o:o + k] = fn(*args)
        return W.index_select(0, out_index)


def read_artifact(folder):
    """Reads OUT/torch/: returns {function name: (entry, forward Schedule, reverse Schedule)}."""
    folder = pathlib.Path(folder)
    with open(folder / "thunder_torch.json", "r", encoding="utf-8") as f:
        index = json.load(f)
    if index.get("format") != "thunder-torch" or index.get("version") != 1:
        raise ValueError(f"{folder / 'thunder_torch.json'}: not a thunder-torch version 1 index")
    blob = bytearray((folder / index["blob"]).read_bytes())
    if len(blob) != index["blob_size"]:
        raise ValueError(f"{folder / index['blob']}: {len(blob)} bytes, index says {index['blob_size']}")
    out = {}
    for e in index["functions"]:
        ins, outs = e["inputs"], e["outputs"]
        I = sum(s["nnz"] for s in ins)
        O = sum(s["nnz"] for s in outs)
        out_base, b = [], 0
        for s in outs:
            out_base.append(b)
            b += s["nnz"]
        in_base, b = [], 0
        for s in ins:
            in_base.append(b)
            b += s["nnz"]
        fwd = Schedule(e["forward"], blob, ins, outs, out_base)
        rev = Schedule(e["reverse"], blob, ins + outs + outs, ins, in_base)
        assert fwd.n_out == sum(s["rows"] * s["cols"] for s in outs)
        _ = (I, O)
        out[e["name"]] = (e, fwd, rev)
    return index, out
