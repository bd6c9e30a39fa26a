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
import threading

import numpy as np
import torch

from ._blocks import inline_ops, run_blocks, workspace

__all__ = ["Schedule", "read_artifact", "OPS"]


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


# Load-time decoding runs in numpy: single-threaded, so that reading an artifact never wakes
# torch's intra-op pool (on a busy machine the many small multithreaded conversions cost 3x the
# CPU); the arrays become tensors with torch.from_numpy (no copy).
_DTYPES = {"<u2": (np.uint16, 2), "<i4": (np.int32, 4), "<f8": (np.float64, 8)}


# Below this batch a CPU call is bound by Python dispatch, not memory traffic: it runs the steps
# whole (splitting them into constant runs, _cpu_steps, doubled Panda M's batch-1 time) on the
# calling thread. Each thread of a threaded call gets at least this many columns: with less, the
# threads' short steps queue for the GIL (Panda M at batch 1024 on 2 threads: 3.9 ms, 1.0 ms on one).
_WS_MIN_BATCH = 1024
# ... and so is a call whose slot tensor is small (Panda M, 279 slots, at batch 1024: 0.96 ms
# whole, 1.2 ms in constant runs; FD, 972 slots: 4.6 ms whole, 3.8 ms in runs)
_WS_MIN_SLOTS = 1 << 19


def _functorch_wrapped(t):
    # a torch.func transform's tensor: its operations must stay on the calling thread
    return torch._C._functorch.is_functorch_wrapped_tensor(t)


class _Index:
    """Reads and validates the index entries of one artifact: every error names the index file and
    the field (FILE: functions[i] (NAME).forward.steps: MESSAGE), so that an edited or corrupted
    index is a ValueError at load and never an IndexError, a wrong result or a read outside the
    blob at a call."""

    def __init__(self, path, blob):
        self.path, self.blob = path, blob

    def fail(self, where, msg):
        raise ValueError(f"{self.path}: {where}: {msg}: regenerate with thunder gen --pytorch")

    def int(self, d, key, where, lo=0, hi=None):
        v = d.get(key) if isinstance(d, dict) else None
        if type(v) is not int or v < lo or (hi is not None and v > hi):
            rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
            self.fail(f"{where}.{key}", f"expected an integer {rng}, got {v!r}")
        return v

    def array(self, d, key, where, dtype, count=None):
        """The blob array d[key] as a numpy array sharing the blob's memory (no copy)."""
        ref = d.get(key)
        where = f"{where}.{key}"
        if not isinstance(ref, dict) or ref.get("dtype") not in (dtype if isinstance(dtype, tuple) else (dtype,)):
            self.fail(where, f"expected an array reference of dtype {dtype}, got {ref!r}")
        dt, size = _DTYPES[ref["dtype"]]
        n = self.int(ref, "count", where)
        off = self.int(ref, "offset", where)
        if off % size or off + n * size > len(self.blob):
            self.fail(where, f"{n} elements at byte {off} do not fit the blob of {len(self.blob)} "
                             f"bytes (or are not aligned to {size})")
        if count is not None and n != count:
            self.fail(where, f"{n} elements, expected {count}")
        return np.frombuffer(self.blob, dtype=np.dtype(dt).newbyteorder("<"), count=n, offset=off)


class Schedule:
    """One level schedule of the artifact (docs/TORCH_ARTIFACT.md, version 2). Its input block
    holds the caller's dense row-major inputs and its result is the dense row-major outputs
    (structural zeros read slot 0 = 0.0): the generator has placed every slot, so loading maps the
    blob's arrays and checks their ranges, nothing more.

    d: the schedule's index entry; blob: the data; ix: the _Index that validates (where: the
    field's name in its messages); n_in, n_out: the dense sizes the function's shapes give.
    """

    def __init__(self, d, blob, n_in, n_out, ix=None, where="schedule"):
        ix = ix or _Index("thunder_torch.json", blob)
        if not isinstance(d, dict):
            ix.fail(where, "expected an object")
        self.stats = {k: ix.int(d, k, where) for k in ("n_instructions", "n_ops", "n_levels",
                                                       "n_steps", "n_const", "n_in", "n_slots")}
        C, S = self.stats["n_const"], self.stats["n_slots"]
        if self.stats["n_in"] != n_in:
            ix.fail(f"{where}.n_in", f"{self.stats['n_in']}, the function's inputs have {n_in} elements")
        if ix.int(d, "n_out", where) != n_out:
            ix.fail(f"{where}.n_out", f"{d['n_out']}, the function's outputs have {n_out} elements")
        if C < 1 or C + n_in > S:
            ix.fail(f"{where}.n_slots", f"{S} slots cannot hold {C} constants and {n_in} inputs")
        self.n_const, self.n_in, self.n_slots, self.n_out = C, n_in, S, n_out
        names = d.get("ops")
        if not isinstance(names, list) or any(not isinstance(x, str) or x not in OPS for x in names):
            unknown = [x for x in names if x not in OPS] if isinstance(names, list) else names
            ix.fail(f"{where}.ops", f"unknown operations {unknown!r}")
        n_steps = self.stats["n_steps"]
        self.consts = torch.from_numpy(ix.array(d, "consts", where, "<f8", C).astype(np.float64))
        if float(self.consts[0]) != 0.0:
            ix.fail(f"{where}.consts", "slot 0 must hold 0.0 (structural zeros read it)")
        table = ix.array(d, "steps", where, "<i4", 6 * n_steps).reshape(n_steps, 6).astype(np.int64)
        # slot indices: uint16 or int32 in the blob, int64 (what index_select takes) here, once
        gather = self._slots(ix, d, "gather", where, None, S)
        G = gather.size
        self.out_index = torch.from_numpy(self._slots(ix, d, "out_index", where, n_out, S))
        # Every step checked at once (a Python loop over thousands of steps is what made loading
        # slow); on a failure the first bad step is named.
        op, o, n = table[:, 0], table[:, 1], table[:, 2]
        arity = np.array([OPS[x][0] for x in names] or [0], dtype=np.int64)
        ok = (op >= 0) & (op < len(names)) & (n >= 1) & (o >= C + n_in) & (o + n <= S)
        nargs = arity[np.clip(op, 0, max(0, len(names) - 1))]
        for j in range(3):
            a = table[:, 3 + j]
            used = nargs > j
            ok &= ~used | np.where(a >= 0, a + n <= S, -1 - a + n <= G)
        if not ok.all():
            k = int(np.flatnonzero(~ok)[0])
            opk, ok_, nk, *ak = table[k].tolist()
            ix.fail(f"{where}.steps[{k}]", f"operation {opk} writing slots [{ok_}, {ok_ + nk}) with "
                    f"operands {ak}: expected an index of ops, a run inside the work slots "
                    f"[{C + n_in}, {S}), operand slots inside [0, {S}) and gathers inside the "
                    f"{G} gather indices")
        # (op name, out0, n, [operand: (start, stop) or the number of a gathered operand]); the
        # gathered operands are views of `gather` made per device in prepare() (one split).
        self.steps, spans, touched = [], [], 0
        for opk, o, n, *ops in table.tolist():
            name = names[opk]
            operands = []
            for a in ops[:OPS[name][0]]:
                if a >= 0:
                    operands.append((a, a + n))
                else:
                    operands.append(len(spans))
                    spans.append((-1 - a, n))
            self.steps.append((name, o, n, operands))
            touched += n * (1 + len(operands)) + 2 * n * sum(not isinstance(x, tuple) for x in operands)
        self.gather, self._spans = torch.from_numpy(gather), spans
        # rows a step reads and writes on average (a gathered row counts twice: read from the
        # slots, written to the buffer, before the operation reads it): sizes the CPU blocks
        self.rows_per_step = touched / max(1, n_steps)
        # rows of the longest gathered operand: the size of the gather buffers (_run_block_ws)
        self.gather_rows = max([n for _, n in spans], default=0)
        self._cache, self._cpu_cache, self._ws_plans = {}, {}, {}

    def _prepared(self, device, dtype):
        return self._cache[(device, dtype)]

    @staticmethod
    def _slots(ix, d, key, where, count, S):
        """A slot index array of the blob as int64 (numpy), every index checked to lie in [0, S)."""
        raw = ix.array(d, key, where, ("<u2", "<i4"), count)
        # uint16 is never negative, and cannot exceed S - 1 when S > 65535: nothing to check
        if raw.size and (raw.dtype != np.uint16 or S <= 65535):
            if int(raw.min()) < 0 or int(raw.max()) >= S:
                ix.fail(f"{where}.{key}", f"slot indices outside [0, {S})")
        return raw.astype(np.int64)

    def _gathers(self, device):
        """The gathered operands' index tensors on `device`: one split of `gather` when they lie
        back to back (as the generator writes them), else one slice each."""
        g = self.gather if device.type == "cpu" else self.gather.to(device)
        spans, pos = self._spans, 0
        for start, n in spans:
            if start != pos:
                return [g[a:a + n] for a, n in spans]
            pos += n
        if pos != g.numel():
            return [g[a:a + n] for a, n in spans]
        return list(g.split([n for _, n in spans])) if spans else []

    def prepare(self, device, dtype):
        key = (device, dtype)
        p = self._cache.get(key)
        if p is None:
            parts = self._gathers(device)
            steps = []
            for name, o, k, operands in self.steps:
                ops = [x if isinstance(x, tuple) else parts[x] for x in operands]
                steps.append((OPS[name][1], _OUT_OPS.get(name), o, k, ops))
            p = (self.consts.to(device=device, dtype=dtype).unsqueeze(1), steps,
                 self.out_index.to(device))
            self._cache[key] = p

    def block_size(self, device):
        if device.type != "cpu":
            return 1 << 62  # one block: GPU kernels want the whole batch
        # Each block costs one Python dispatch per step (~1.5-3 us with the views made once,
        # _ws_plan), and every step streams the rows it touches through the cache: blocks of up
        # to 1024 columns whose rows touched per step stay within ~4 MiB (and a slot tensor of
        # at most 64 MiB), floor 512 columns. One thread, float64, ms per 4096 columns by block
        # size (load 2-4, machine shared): Panda FD 512: 9.2, 1024: 8.0, 2048: 8.6, 4096: 10.3
        # (121 rows per step); g1 FD 512: 104, 1024: 87, 2048: 115 (398 rows); g1 M 256: 24,
        # 512: 25-28, 1024: 29, 2048: 50 (692 rows); Panda M 1024: 2.1, 2048: 2.0.
        by_step = (4 << 20) // max(8, int(8 * self.rows_per_step))
        by_slots = (1 << 23) // self.n_slots
        return int(min(1024, max(512, 2 ** math.floor(math.log2(max(1, min(by_step, by_slots)))))))

    def run(self, pieces, batch, device, dtype, tape=False):
        """pieces: tensors of shape (n_i, batch) (any strides) forming the input block in order.
        Returns the dense outputs, shape (n_out, batch)."""
        if (device, dtype) not in self._cache:
            self.prepare(device, dtype)
        consts, steps, out_index = self._prepared(device, dtype)
        if tape:
            return self._run_tape(consts, steps, out_index, pieces, batch, device, dtype)
        bs = self.block_size(device)
        if device.type == "cpu" and not torch.compiler.is_compiling() and not any(
                _functorch_wrapped(p) for p in pieces):
            # blocks shared out between threads, each operation inline (see _blocks.py)
            with inline_ops() as n_threads:
                n_threads = max(1, min(n_threads, batch // _WS_MIN_BATCH))
                # every thread gets a block when the batch allows
                bs = min(bs, max(512, -(-batch // n_threads)))
                if batch < _WS_MIN_BATCH or self.n_slots * batch < _WS_MIN_SLOTS:
                    # dispatch-bound: the fewest steps (no constant runs), fresh small tensors
                    if batch <= bs:
                        return self._run_block(consts, steps, out_index, pieces, batch, device,
                                               dtype)
                    out = torch.empty(self.n_out, batch, device=device, dtype=dtype)
                    for b0 in range(0, batch, bs):
                        b1 = min(batch, b0 + bs)
                        out[:, b0:b1] = self._run_block(consts, steps, out_index,
                                                        [p[:, b0:b1] for p in pieces], b1 - b0,
                                                        device, dtype)
                    return out
                out = torch.empty(self.n_out, batch, device=device, dtype=dtype)
                if batch <= bs:
                    self._run_block_ws(consts, steps, out_index, pieces, batch, dtype, out)
                    return out

                def block(b0, b1):
                    self._run_block_ws(consts, steps, out_index, [p[:, b0:b1] for p in pieces],
                                       b1 - b0, dtype, out[:, b0:b1])
                run_blocks(block, batch, bs, n_threads)
                return out
        if batch <= bs:
            return self._run_block(consts, steps, out_index, pieces, batch, device, dtype)
        out = torch.empty(self.n_out, batch, device=device, dtype=dtype)
        for b0 in range(0, batch, bs):
            b1 = min(batch, b0 + bs)
            out[:, b0:b1] = self._run_block(consts, steps, out_index,
                                            [p[:, b0:b1] for p in pieces], b1 - b0, device, dtype)
        return out

    # A step split into runs costs up to two dispatches more per run (its gather and its
    # operation, ~3 us); a constant row a run reads as a broadcast column instead of gathering it
    # saves a batch-wide row copy. Split when the rows saved are worth this many bytes per extra
    # run (16 rows of 1024 float64 columns).
    _SPLIT_BYTES = 128 << 10

    def _cpu_steps(self, dtype, nb=1024):
        """The steps as _run_block_ws runs them on blocks of nb columns (made once per dtype and
        split threshold): an operand made only of constants is a (n, 1) column that the
        operation broadcasts over the batch (no batch-wide copy of constant rows), and the
        gathered operands of consecutive steps are read by one index_select into one buffer
        (one dispatch instead of up to three per step) as long as none of them reads a slot
        that an earlier step of the group writes. Returns (steps, buffer rows); a step is (fn,
        outfn, out0, n, recipe, index or None): recipe per operand (0, start, stop) a slice of
        the slots, (1, column, 0) constants, (2, start, stop) rows of the buffer; the index
        (the group's gathered slots, filling the buffer from row 0) is on a group's first step."""
        row_bytes = nb * dtype.itemsize
        min_saved = -(-self._SPLIT_BYTES // max(1, row_bytes))
        got = self._cpu_cache.get((dtype, min_saved))
        if got is None:
            consts, steps, _ = self._prepared(torch.device("cpu"), dtype)
            C, out, rows = self.n_const, [], 0
            lead, idx_group, written = None, [], []   # the open group
            pos = 0                                     # buffer rows the open group fills

            def close():
                if lead is not None:
                    out[lead] = out[lead][:5] + (torch.cat(idx_group),)
            for fn, outfn, o, k, operands in self._const_runs(steps, min_saved=min_saved):
                n_var = sum(isinstance(x, tuple) or bool((x >= C).any()) for x in operands)
                # the operands that become buffer rows (recipe kind 2 below)
                gathered = [x for x in operands
                            if not isinstance(x, tuple) and not (n_var and not bool((x >= C).any()))]
                if gathered:
                    cat = torch.cat(gathered)
                    if lead is None or any(bool(((cat >= a) & (cat < b)).any()) for a, b in written):
                        close()
                        lead, idx_group, written, pos = len(out), [], [], 0
                    base = pos
                    idx_group.append(cat)
                    pos += cat.numel()
                    rows = max(rows, pos)
                recipe, j = [], 0
                for x in operands:
                    if isinstance(x, tuple):
                        recipe.append((0, x[0], x[1]))
                    elif n_var and not bool((x >= C).any()):
                        recipe.append((1, consts.index_select(0, x), 0))
                    else:
                        recipe.append((2, base + j * k, base + j * k + k))
                        j += 1
                out.append((fn, outfn, o, k, tuple(recipe), None))
                written.append((o, o + k))
            close()
            got = self._cpu_cache[(dtype, min_saved)] = (out, rows)
        return got

    def _const_runs(self, steps, max_runs=8, min_rows=1, min_saved=16):
        """The steps with each one split into runs of rows whose operands are constants in the
        same places (the generator orders a step's rows so, see docs/TORCH_ARTIFACT.md): a run's
        all-constant operand is then a broadcast column, not a gathered batch-wide copy. A step
        stays whole when it would split into more than max_runs runs (an older artifact's
        order), into a run of fewer than min_rows rows, or when the split saves fewer than
        min_saved gathered constant rows per extra run (each run costs a dispatch or two)."""
        C = self.n_const
        for fn, outfn, o, k, operands in steps:
            if k < 2 or not any(not isinstance(x, tuple) for x in operands):
                yield fn, outfn, o, k, operands
                continue
            pattern = torch.stack([torch.zeros(k, dtype=torch.bool) if isinstance(x, tuple)
                                   else x < C for x in operands])       # (n_operands, k)
            cuts = torch.nonzero((pattern[:, 1:] != pattern[:, :-1]).any(0)).flatten() + 1
            if cuts.numel() == 0 or cuts.numel() + 1 > max_runs:
                yield fn, outfn, o, k, operands
                continue
            bounds = [0] + cuts.tolist() + [k]
            whole = pattern.all(1)          # operands already a column for the whole step
            saved = 0
            for r0 in bounds[:-1]:
                col = pattern[:, r0]        # the run's pattern (constant in these operands)
                if not col.all():           # a run with a variable operand reads columns
                    saved += (bounds[bounds.index(r0) + 1] - r0) * int((col & ~whole).sum())
            if min(b - a for a, b in zip(bounds[:-1], bounds[1:])) < min_rows \
                    or saved < min_saved * cuts.numel():
                # short runs cost a dispatch more than their broadcast columns save
                yield fn, outfn, o, k, operands
                continue
            for r0, r1 in zip(bounds[:-1], bounds[1:]):
                yield fn, outfn, o + r0, r1 - r0, [
                    (x[0] + r0, x[0] + r1) if isinstance(x, tuple) else x[r0:r1]
                    for x in operands]

    def _fill(self, W, consts, pieces):
        """The first slots of a block: the constants, then the inputs in order."""
        C = self.n_const
        W[:C] = consts
        r = C
        for p in pieces:
            W[r:r + p.shape[0]] = p
            r += p.shape[0]

    def _ws_plan(self, dtype, nb):
        """This thread's plan for a block of nb columns: the workspace's slot tensor W, and per
        step the tensors it reads and writes as views of W and of the gather buffer, made once
        (slicing a step's operands at every step of every call cost as much Python time as the
        operations' own dispatch: Panda FD 0.4 ms per block of 144 steps). A plan stays valid as
        long as the thread's workspace is the same tensor (it keeps that tensor alive)."""
        S = self.n_slots
        csteps, rows = self._cpu_steps(dtype, nb)
        flat = workspace((S + rows) * nb, dtype)
        key = (threading.get_ident(), dtype, nb)
        plan = self._ws_plans.get(key)
        if plan is not None and plan[0].data_ptr() == flat.data_ptr():
            return plan
        if len(self._ws_plans) >= 16:   # threads come and go: keep the memory bounded
            self._ws_plans.clear()
        W = flat[:S * nb].view(S, nb)
        buf = flat[S * nb:].view(rows, nb)
        steps = []
        for fn, outfn, o, k, recipe, cat in csteps:
            g = buf[:cat.shape[0]] if cat is not None else None
            args = tuple(W[a:b] if t == 0 else (a if t == 1 else buf[a:b]) for t, a, b in recipe)
            steps.append((cat, g, fn, outfn, args, W[o:o + k]))
        plan = self._ws_plans[key] = (flat, W, steps)
        return plan

    def _run_block_ws(self, consts, steps, out_index, pieces, nb, dtype, out):
        """_run_block on the CPU without allocating: the slot tensor and the gathered operands
        live in this thread's workspace (a fresh tensor of megabytes is a fresh mmap whose pages
        fault in at every step), gathers are index_select(out=), results go to `out`; every view
        a step uses is made once per thread and block size (_ws_plan)."""
        _, W, plan = self._ws_plan(dtype, nb)
        self._fill(W, consts, pieces)
        index_select = torch.index_select
        for cat, g, fn, outfn, args, dst in plan:
            if cat is not None:
                index_select(W, 0, cat, out=g)
            if outfn is not None:
                outfn(*args, out=dst)
            else:
                dst.copy_(fn(*args))
        torch.index_select(W, 0, out_index, out=out) if out.is_contiguous() else \
            out.copy_(W.index_select(0, out_index))

    def _run_block(self, consts, steps, out_index, pieces, nb, device, dtype):
        W = torch.empty(self.n_slots, nb, device=device, dtype=dtype)
        self._fill(W, consts, pieces)
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
    """Reads OUT/torch/: returns (index, {function name: (entry, forward Schedule, reverse
    Schedule)}). ValueError naming the file and the field when the index is not a valid version 2
    index of its blob (shapes, ranges, array references, the blob's path inside the folder)."""
    folder = pathlib.Path(folder)
    path = folder / "thunder_torch.json"
    try:
        with open(path, "r", encoding="utf-8") as f:
            index = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: not valid JSON ({e}): regenerate with thunder gen --pytorch") from None
    if not isinstance(index, dict) or index.get("format") != "thunder-torch" \
            or index.get("version") != 2:
        got = index.get("version") if isinstance(index, dict) else None
        raise ValueError(f"{path}: not a thunder-torch version 2 index (version {got!r}): "
                         "regenerate with thunder gen --pytorch")
    ix = _Index(path, b"")
    blob_name = index.get("blob")
    # the blob is a file beside the index: no separators, no "..", nothing outside torch/
    if not isinstance(blob_name, str) or not blob_name or "/" in blob_name or "\\" in blob_name \
            or blob_name in (".", "..") or (folder / blob_name).resolve().parent != folder.resolve():
        ix.fail("blob", f"{blob_name!r} is not a file name inside {folder}")
    blob = bytearray((folder / blob_name).read_bytes())
    if len(blob) != ix.int(index, "blob_size", "index"):
        raise ValueError(f"{folder / blob_name}: {len(blob)} bytes, index says {index['blob_size']}")
    ix.blob = blob
    fns = index.get("functions")
    if not isinstance(fns, list):
        ix.fail("functions", "expected a list")
    out = {}
    for i, e in enumerate(fns):
        where = f"functions[{i}]"
        if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not e["name"]:
            ix.fail(where, "expected an object with a name")
        where = f"functions[{i}] ({e['name']})"
        if e["name"] in out:
            ix.fail(where, "a second function of this name")
        sizes = {}
        for part in ("inputs", "outputs"):
            shapes = e.get(part)
            if not isinstance(shapes, list):
                ix.fail(f"{where}.{part}", "expected a list")
            for j, sp in enumerate(shapes):
                w = f"{where}.{part}[{j}]"
                if not isinstance(sp, dict) or not isinstance(sp.get("name"), str):
                    ix.fail(w, "expected an object with a name")
                r, c = ix.int(sp, "rows", w), ix.int(sp, "cols", w)
                ix.int(sp, "nnz", w, 0, r * c)
            sizes[part] = sum(sp["rows"] * sp["cols"] for sp in shapes)
        I, O = sizes["inputs"], sizes["outputs"]
        fwd = Schedule(e.get("forward"), blob, I, O, ix, f"{where}.forward")
        rev = Schedule(e.get("reverse"), blob, I + 2 * O, I, ix, f"{where}.reverse")
        out[e["name"]] = (e, fwd, rev)
    return index, out
