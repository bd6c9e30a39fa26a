#!/usr/bin/env python3
"""GPU throughput of the robot functions (run by bench/gpu.sh; see there). Checks correctness
first (every implementation against thunder's torch backend in float64, batch 257), then measures
evaluations/s per (function, batch, dtype, implementation) and writes a Markdown report and a
log-log plot. With --device cpu (bench/gpu.sh --dry-run) every path runs on the CPU instead, so
that the first real run on a GPU finds nothing broken; CUDA-graph rows are then skipped.

    python bench/gpu_bench.py GEN_DIR OUT_FILE [--device cuda|cpu] [--functions M,C,G,Yr,J_ee]
        [--batches 1,64,4096,65536,1048576] [--dtypes float32,float64] [--min-time 0.2]
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import timing  # noqa: E402

ARGS = {"M": ("q",), "C": ("q", "dq"), "G": ("q",), "Yr": ("q", "dq", "dq", "ddq"), "J_ee": ("q",),
        "tau": ("q", "dq", "ddq"), "T_0_ee": ("q",)}


def log(*a):
    print("gpu_bench:", *a, file=sys.stderr, flush=True)


def impls_for(gen_dir, device, dtype, functions, notes):
    import thunder_torch
    ref = thunder_torch.load(gen_dir, device=device, dtype=dtype, backend="torch")
    out = {fn: {} for fn in functions}
    try:
        nat = thunder_torch.load(gen_dir, device=device, dtype=dtype, backend="native")
        for fn in functions:
            out[fn]["thunder native"] = (lambda f: lambda s: f(*s))(getattr(nat, fn))
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        notes["thunder native"] = f"skipped: {type(e).__name__}: {str(e)[:200]}"
    for fn in functions:
        out[fn]["thunder torch"] = (lambda f: lambda s: f(*s))(getattr(ref, fn))
    try:
        from cusadi_style import CusadiFunction
        for fn in functions:
            cf = CusadiFunction.load(os.path.join(gen_dir, "casadi", f"{fn}.casadi")).bind(ref)
            out[fn]["cusadi-style torch"] = (lambda c: lambda s: c(*s)[0])(cf)
        notes["cusadi-style torch"] = ("bench/cusadi_style.py: one torch op per CasADi instruction "
                                       "(CusADi's approach expressed in torch; a CusADi-style CUDA "
                                       "kernel is not written yet)")
    except Exception as e:  # noqa: BLE001
        notes["cusadi-style torch"] = f"skipped: {type(e).__name__}: {str(e)[:200]}"
    return ref, out


def graphed(fn, s):
    """fn(s) captured in a CUDA graph; returns the replay callable (outputs overwritten in place)."""
    st = torch.cuda.Stream()
    st.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(st), torch.no_grad():
        fn(s)
    torch.cuda.current_stream().wait_stream(st)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g), torch.no_grad():
        fn(s)
    return g.replay


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gen_dir")
    ap.add_argument("out_md")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--functions", default="M,C,G,Yr,J_ee")
    ap.add_argument("--batches", default="1,64,4096,65536,1048576")
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--min-time", type=float, default=0.2)
    ap.add_argument("--command", default="bash bench/gpu.sh")
    a = ap.parse_args()
    device = torch.device(a.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("gpu_bench: torch.cuda.is_available() is False (use bench/gpu.sh --dry-run)")
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    functions = a.functions.split(",")
    batches = [int(b) for b in a.batches.split(",")]
    notes, rows, t_start = {}, [], time.time()
    # 1. correctness first
    for dtype_name in a.dtypes.split(","):
        dtype = getattr(torch, dtype_name)
        ref, impls = impls_for(a.gen_dir, device, torch.float64, functions, notes)
        n = ref.n_joints
        g = torch.Generator().manual_seed(0)
        s = {k: (torch.rand(257, n, generator=g, dtype=torch.float64) * 2 - 1).to(device) for k in ("q", "dq", "ddq")}
        for fn in functions:
            want = getattr(ref, fn)(*[s[k] for k in ARGS[fn]])
            for name, f in impls[fn].items():
                err = timing.max_abs_diff(f([s[k] for k in ARGS[fn]]), want)
                if not err <= 1e-9 * max(1.0, float(want.abs().max())):
                    sys.exit(f"gpu_bench: {fn} {name}: max error {err:.3g} vs thunder torch (float64): stopping")
        log(f"correctness: every implementation agrees with thunder torch (float64, batch 257) [{dtype_name} run next]")
        break
    # 2. throughput
    for dtype_name in a.dtypes.split(","):
        dtype = getattr(torch, dtype_name)
        ref, impls = impls_for(a.gen_dir, device, dtype, functions, notes)
        n = ref.n_joints
        for B in batches:
            g = torch.Generator().manual_seed(B)
            s = {k: (torch.rand(B, n, generator=g, dtype=torch.float64) * 2 - 1).to(dtype).to(device)
                 for k in ("q", "dq", "ddq")}
            for fn in functions:
                args = [s[k] for k in ARGS[fn]]
                fns = {}
                for name, f in impls[fn].items():
                    fns[name] = (lambda f=f: f(args))
                if device.type == "cuda":
                    for name in ("thunder native", "thunder torch"):
                        if name in impls[fn]:
                            try:
                                fns[name + " (CUDA graph)"] = graphed(impls[fn][name], args)
                            except Exception as e:  # noqa: BLE001
                                notes[name + " (CUDA graph)"] = f"capture failed: {type(e).__name__}: {e}"
                else:
                    notes["CUDA graph"] = "not run: no GPU (dry run on the CPU)"

                def synced(f):
                    def call():
                        with torch.no_grad():
                            f()
                        sync()
                    return call
                t = timing.interleaved({k: synced(f) for k, f in fns.items()}, reps=5, block_s=a.min_time / 5,
                                       max_call_s=5.0, probes=1)
                for name, r in t.items():
                    rows.append({"function": fn, "dtype": dtype_name, "batch": B, "impl": name,
                                 "evals_per_s": None if "skipped" in r else B / r["median"],
                                 "note": r.get("skipped", "")})
                log(fn, dtype_name, B, {k: f"{B / v['median']:.3g}" for k, v in t.items() if "median" in v})
    # 3. report
    dev_name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU (dry run: no GPU)"
    L = ["# Thunder on the GPU\n", f"Generated by `{a.command}`; do not edit by hand. Device: {dev_name}; "
         f"torch {torch.__version__}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
         f"whole run {time.time() - t_start:.0f} s.\n",
         "Evaluations per second (median of interleaved repetitions, synchronized), forward under "
         "`torch.no_grad()`. Checked first: every implementation against thunder's torch backend "
         "(float64, batch 257).\n"]
    for k, v in notes.items():
        L.append(f"- {k}: {v}")
    L.append("")
    for dtype_name in a.dtypes.split(","):
        L += [f"## {dtype_name}\n", "| function | impl | " + " | ".join(f"B={b}" for b in batches) + " |",
              "|---|---|" + "---:|" * len(batches)]
        for fn in functions:
            names = []
            for r in rows:
                if r["function"] == fn and r["dtype"] == dtype_name and r["impl"] not in names:
                    names.append(r["impl"])
            for name in names:
                cells = []
                for b in batches:
                    v = next((r["evals_per_s"] for r in rows if (r["function"], r["dtype"], r["batch"], r["impl"])
                              == (fn, dtype_name, b, name)), None)
                    cells.append(f"{v:.3g}" if v else "–")
                L.append(f"| {fn} | {name} | " + " | ".join(cells) + " |")
        L.append("")
    plot = os.path.splitext(a.out_md)[0] + ".png"
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, len(functions), figsize=(4 * len(functions), 3.5), squeeze=False)
        for ax, fn in zip(axes[0], functions):
            for name in sorted({r["impl"] for r in rows if r["function"] == fn}):
                for dtype_name, ls in (("float32", "-"), ("float64", "--")):
                    pts = [(r["batch"], r["evals_per_s"]) for r in rows if r["function"] == fn and r["impl"] == name
                           and r["dtype"] == dtype_name and r["evals_per_s"]]
                    if pts:
                        ax.plot(*zip(*pts), ls, marker="o", label=f"{name} {dtype_name}")
            ax.set_xscale("log"); ax.set_yscale("log"); ax.set_title(fn); ax.set_xlabel("batch")
        axes[0][0].set_ylabel("evals/s"); axes[0][-1].legend(fontsize=6)
        fig.tight_layout(); fig.savefig(plot, dpi=90)
        L.append(f"![throughput]({os.path.basename(plot)})\n")
    except Exception as e:  # noqa: BLE001
        L.append(f"(no plot: {type(e).__name__}: {e})\n")
    with open(a.out_md, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")
    with open(os.path.splitext(a.out_md)[0] + ".json", "w", encoding="utf-8") as f:
        json.dump({"rows": rows, "notes": notes}, f, indent=1)
    log(f"wrote {a.out_md}")


if __name__ == "__main__":
    main()
