#!/usr/bin/env python3
"""Chunks of one large C++ function: compile CPU and per-call time at -O1 and -O2 (issue 23,
bench/RESULTS_SCALE.md "Chunks with locals"). Side by side in one run: interleaved repetitions.

    python bench/chunk_percall.py ROBOT_FILE [gen args...] --function FD_derivatives
        [--before-cpp DIR] [--reps 9] [--calls 50] [--work DIR]

What it does:
1. `thunder gen ROBOT_FILE [gen args] --functions FUNCTION --targets cpp` (chunked when the function
   is above THUNDER_CHUNK_ABOVE, as a user's library would be).
2. Compiles that function's chunk files at -O1 and at -O2, one after the other (compile CPU of the
   chunks: the children's user time), CasADi's main file at -O2, into one shared library per flag.
   --before-cpp DIR: the cpp/ folder an earlier Thunder wrote for the same function, compiled the same
   way, so that two emitters are compared in one run.
3. Calls each library through CasADi's C API (`<symbol>(arg, res, iw, w, 0)`) on the same random
   inputs: outputs must agree to 1e-9 of the largest entry, then the best of --reps rounds of --calls
   calls, thread CPU time, rounds interleaved over the libraries.
"""
import argparse
import ctypes
import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def children_user():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime


def build(cpp, symbol, opt, out):
    """The function's library from cpp/ with its chunks at `opt`; returns (path, chunk CPU s, n chunks)."""
    chunks = sorted(cpp.glob(f"{symbol}_c[0-9]*.c"))
    objs, t0 = [], children_user()
    for c in chunks:
        o = out / f"{c.stem}{opt}.o"
        subprocess.run(["cc", opt, "-fPIC", "-c", str(c), "-o", str(o)], check=True)
        objs.append(str(o))
    cpu = children_user() - t0
    lib = out / f"lib{symbol}{opt}_{cpp.parent.name}.so"
    subprocess.run(["cc", "-O2", "-fPIC", "-shared", str(cpp / f"{symbol}.c"), *objs, "-o", str(lib), "-lm"],
                   check=True)
    return lib, cpu, len(chunks)


class Call:
    """One library's function through CasADi's C API, on given inputs."""

    def __init__(self, path, symbol, inputs):
        self.lib = ctypes.CDLL(str(path))
        f = getattr(self.lib, symbol)
        sizes = [ctypes.c_longlong() for _ in range(4)]
        getattr(self.lib, symbol + "_work")(*[ctypes.byref(s) for s in sizes])
        sz_arg, sz_res, sz_iw, sz_w = [max(1, s.value) for s in sizes]
        n_out = getattr(self.lib, symbol + "_n_out")()
        nnz_out = [self._nnz(getattr(self.lib, symbol + "_sparsity_out"), j) for j in range(n_out)]
        self.outs = [np.zeros(n) for n in nnz_out]
        self.inputs = inputs
        self.arg = (ctypes.c_void_p * sz_arg)(*[a.ctypes.data for a in inputs])
        self.res = (ctypes.c_void_p * sz_res)(*[o.ctypes.data for o in self.outs])
        self.iw = (ctypes.c_longlong * sz_iw)()
        self.w = (ctypes.c_double * sz_w)()
        self.f, self.fargs = f, (self.arg, self.res, self.iw, self.w, 0)

    @staticmethod
    def _nnz(sparsity, j):
        sparsity.restype = ctypes.POINTER(ctypes.c_longlong)
        sp = sparsity(j)
        nrow, ncol = sp[0], sp[1]
        if sp[2] == 1:        # CasADi's compact dense format: {nrow, ncol, 1} (colind[0] is 0 otherwise)
            return nrow * ncol
        return sp[2 + ncol]   # colind[ncol] of the compressed column format

    def __call__(self):
        self.f(*self.fargs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("robot")
    ap.add_argument("--function", default="FD_derivatives")
    ap.add_argument("--before-cpp", help="cpp/ folder of an earlier Thunder's same function")
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--work")
    args, gen_args = ap.parse_known_args()
    thunder = os.environ.get("THUNDER") or shutil.which("thunder") or str(ROOT / ".venv" / "bin" / "thunder")
    work = pathlib.Path(args.work or tempfile.mkdtemp(prefix="thunder_chunk_percall."))
    out = work / "gen"
    subprocess.run([thunder, "gen", args.robot, *gen_args, "-o", str(out), "--functions", args.function,
                    "--targets", "cpp", "-q"], check=True)
    cpp = out / "cpp"
    symbol = next(p.stem for p in cpp.glob(f"*_{args.function}.c"))
    sources = {"now": cpp}
    if args.before_cpp:
        sources["before"] = pathlib.Path(args.before_cpp)
    rng = np.random.default_rng(0)
    man = json.loads((out / "manifest.json").read_text())
    fn = next(f for f in man["functions"] if f["name"] == args.function)
    inputs = [rng.uniform(-1, 1, i["shape"][0] * i["shape"][1]) for i in fn["inputs"]]
    calls, compile_cpu = {}, {}
    for label, src in sources.items():
        for opt in ("-O1", "-O2"):
            lib, cpu, n = build(src, symbol, opt, work)
            compile_cpu[(label, opt)] = (cpu, n)
            calls[(label, opt)] = Call(lib, symbol, inputs)
    ref = None
    for c in calls.values():
        c()
        if ref is None:
            ref = [o.copy() for o in c.outs]
        scale = max(1.0, max(float(np.abs(r).max()) for r in ref if r.size))
        err = max(float(np.abs(o - r).max()) for o, r in zip(c.outs, ref) if r.size)
        assert err <= 1e-9 * scale, f"outputs differ by {err}"
    best = {k: float("inf") for k in calls}
    for _ in range(args.reps):
        for k, c in calls.items():
            t0 = time.thread_time()
            for _ in range(args.calls):
                c()
            best[k] = min(best[k], (time.thread_time() - t0) / args.calls)
    print(f"{symbol}: {fn['n_instructions']} instructions; best of {args.reps} x {args.calls} calls, "
          f"thread CPU; load {os.getloadavg()[0]:.1f}")
    print("| emitter | chunk flag | chunks | chunk compile CPU s | µs per call |")
    print("|---|---|---:|---:|---:|")
    for (label, opt), t in best.items():
        cpu, n = compile_cpu[(label, opt)]
        print(f"| {label} | {opt} | {n} | {cpu:.2f} | {t * 1e6:.1f} |")


if __name__ == "__main__":
    main()
