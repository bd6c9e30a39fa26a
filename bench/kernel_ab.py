#!/usr/bin/env python3
"""A/B of native CPU libraries in one process (issue 23): the same functions of several
`thunder gen --native --no-cuda` outputs of one robot, batch 4096, float64 and float32, through
kernel_bench.py's kernels() (bare library call, (batch, n) inputs, outputs in each library's
layout). T=1 (default): best thread CPU time on one thread; T=2: medians of interleaved wall-clock
repetitions on two threads. The first label is the reference of the ratios.

    T=1 python bench/kernel_ab.py M,C,Yr scalar=OUT_SCALAR old_nopad=OUT_OLD new=OUT_NEW

A directory whose label ends in `_nopad` is called with unpadded slot-major rows (row stride =
batch, as thunder_torch allocated them before the padding of _native.row_stride).
"""
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "python"))


def main():
    import torch
    import kernel_bench as kb
    from thunder_torch import _native
    threads = int(os.environ.get("T", "1"))
    torch.set_num_threads(threads)
    labels = dict(a.split("=", 1) for a in sys.argv[2:])
    nopad = {str(pathlib.Path(d)) for k, d in labels.items() if k.endswith("_nopad")}
    orig = _native.open_library

    def open_library(d, *a):
        i = orig(d, *a)
        if str(pathlib.Path(d)) in nopad:
            _native._LIBRARIES[i].row_stride = lambda b: b
        return i
    _native.open_library = open_library
    fns = sys.argv[1].split(",")
    res = kb.kernels({k: pathlib.Path(v) for k, v in labels.items()}, fns, 4096,
                     int(os.environ.get("REPS", "9")), single=(threads == 1))
    print(f"load {os.getloadavg()[0]:.2f}, {threads} thread(s)")
    first = next(iter(labels))
    for n in fns:
        for dt in ("float64", "float32"):
            base = res[(n, dt, first)]
            print(f"{n:5s} {dt} " + " ".join(f"{k}={res[(n, dt, k)]:.3g} ({res[(n, dt, k)] / base:.2f}x)"
                                             for k in labels))


if __name__ == "__main__":
    main()
