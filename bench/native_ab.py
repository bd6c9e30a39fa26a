#!/usr/bin/env python3
"""Two native generations of one robot side by side: each function's library entry (the bare
call, (batch, n) inputs, outputs in the library's layout) timed in interleaved repetitions on the
same inputs, after checking that both give the same outputs.

    python bench/native_ab.py OUT_NEW OUT_OLD [--functions M,C,Yr] [--batch 4096] [--threads 1,2]
        [--dtype float64] [--reps 21]

OUT_NEW, OUT_OLD: `thunder gen ... --targets native --no-cuda` folders of the same robot (e.g. the
same command run by two Thunder versions). Prints evals/s (medians) per function and thread count.
"""
import argparse
import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from thunder_torch import _native  # noqa: E402
from timing import interleaved  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("new")
    ap.add_argument("old")
    ap.add_argument("--functions", default="M,C,Yr")
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    ap.add_argument("--reps", type=int, default=21)
    args = ap.parse_args()
    dtype = getattr(torch, args.dtype)
    libs = {}
    for label, folder in (("new", args.new), ("old", args.old)):
        robot = json.loads((pathlib.Path(folder) / "manifest.json").read_text())["robot"]
        libs[label] = _native._LIBRARIES[_native.open_library(folder, robot, "cpu", dtype)]
    gen = torch.Generator().manual_seed(0)
    print(f"batch {args.batch}, {args.dtype}; evals/s, medians of {args.reps} interleaved repetitions")
    print("| function | threads | new | old | new / old |")
    print("|---|---:|---:|---:|---:|")
    for name in args.functions.split(","):
        e = {k: 2 * lib.index[name] for k, lib in libs.items()}
        ins = [(torch.rand(args.batch, n, generator=gen, dtype=torch.float64) * 2 - 1).to(dtype)
               for n in libs["new"].sizes_in[e["new"]]]
        a, b = (libs[k].call(e[k], args.batch, ins) for k in ("new", "old"))
        for x, y in zip(a, b):
            scale = max(1.0, float(y.abs().max()))
            assert float((x - y).abs().max()) <= (1e-12 if dtype == torch.float64 else 1e-4) * scale, name
        for t in (int(x) for x in args.threads.split(",")):
            torch.set_num_threads(t)
            r = interleaved({k: (lambda k=k: libs[k].call(e[k], args.batch, ins)) for k in libs},
                            reps=args.reps, block_s=0.05)
            new, old = (args.batch / r[k]["median"] for k in ("new", "old"))
            print(f"| {name} | {t} | {new:.3g} | {old:.3g} | {new / old:.2f} |")


if __name__ == "__main__":
    main()
