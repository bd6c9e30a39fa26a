#!/usr/bin/env python3
"""Native kernels vs the pure-torch backend of thunder_torch, side by side in one run.

    thunder gen robots/franka.yaml -o /tmp/franka --native --no-cuda
    python bench/native_bench.py /tmp/franka [--device cpu|cuda] [--dtype float64|float32]
        [--batches 1,64,4096] [--functions M,C,G,Yr] [--min-time 0.3]

Prints one row per (function, batch, backend): microseconds per call and evaluations per second,
plus the native/torch throughput ratio; then the batch-1 call overhead of the native path
(a module call on a function with almost no work vs the raw operator). Rows start with
"native_bench," (CSV). A standalone tool: bench/run.sh measures the same things inside
bench/bench_torch.py ("thunder native" rows, batch1_overhead below). Forward only, under torch.no_grad().
"""
import argparse
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _import_thunder_torch():
    # Prefer this tree's package over an editable install of another checkout.
    for f in list(sys.meta_path):
        if any(str(k).startswith("thunder_torch") for k in (getattr(f, "known_source_files", None) or {})):
            sys.meta_path.remove(f)
    sys.path.insert(0, str(ROOT / "python"))
    import thunder_torch
    return thunder_torch


def _time(fn, min_time, sync):
    fn()
    sync()
    n, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        sync()
        t = time.perf_counter() - t0
        if t >= min_time:
            return t / n
        n = max(n * 2, int(n * min_time / max(t, 1e-9)) + 1)


def batch1_overhead(nat, ref, dtype, device="cpu", min_time=0.3, sync=lambda: None):
    """Seconds per batch-1 call of the cheapest function (fewest instructions): through the native
    module ("native_module_call"), the torch module ("torch_module_call"), the bare
    thunder::native_call operator ("native_op_only") and the bare ctypes call
    ("native_ctypes_only"). Also used by bench/bench_torch.py."""
    import torch
    from thunder_torch import _native
    lib_id, index = nat._native_backend.library(nat.device.type, dtype)
    lib = _native._LIBRARIES[lib_id]
    n_instr = {f["name"]: f["n_instructions"] for f in ref.manifest["functions"]}
    name = min((n for n in ref._specs if ref._specs[n].order), key=lambda n: n_instr.get(n, 0))
    spec = ref._specs[name]
    xs = [torch.zeros((1, r) if c == 1 else (1, r, c), dtype=dtype, device=device) for _, r, c in spec.vars]
    with torch.no_grad():
        t_mod = _time(lambda: getattr(nat, name)(*xs), min_time, sync)
        t_ref = _time(lambda: getattr(ref, name)(*xs), min_time, sync)
        inputs = []
        for kind, i in spec.order:
            if kind == "var":
                inputs.append(xs[i].reshape(1, -1))
            else:
                pname, size, idx = spec.pars[i]
                p = nat.param_vector(pname).detach()
                inputs.append((p if idx is None else p[idx]).reshape(1, size))
        e = 2 * index[name]
        t_op = _time(lambda: torch.ops.thunder.native_call(lib_id, e, 1, inputs), min_time, sync)
        t_call = _time(lambda: lib.call(e, 1, inputs), min_time, sync)
    return {"function": name, "n_instructions": n_instr.get(name), "native_module_call": t_mod,
            "torch_module_call": t_ref, "native_op_only": t_op, "native_ctypes_only": t_call}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="thunder gen output folder (generated with --native)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--batches", default="1,64,4096")
    ap.add_argument("--functions", default="M,C,G,Yr")
    ap.add_argument("--min-time", type=float, default=0.3)
    a = ap.parse_args()

    import torch
    tt = _import_thunder_torch()
    dtype = getattr(torch, a.dtype)
    nat = tt.load(a.out, device=a.device, dtype=dtype, backend="native")
    ref = tt.load(a.out, device=a.device, dtype=dtype, backend="torch")
    sync = torch.cuda.synchronize if a.device.startswith("cuda") else (lambda: None)
    lib_id, index = nat._native_backend.library(nat.device.type, dtype)
    from thunder_torch import _native
    lib = _native._LIBRARIES[lib_id]
    print(f"# robot {nat.robot}, device {a.device}, dtype {a.dtype}, torch {torch.__version__}, "
          f"torch threads {torch.get_num_threads()}, native OpenMP threads {lib.max_threads}")
    print("native_bench,robot,function,batch,backend,us_per_call,evals_per_s,native_over_torch")
    gen = torch.Generator().manual_seed(0)
    for name in a.functions.split(","):
        spec = ref._specs[name]
        for B in map(int, a.batches.split(",")):
            xs = [(torch.rand((B, r) if c == 1 else (B, r, c), generator=gen, dtype=torch.float64) * 2 - 1)
                  .to(dtype).to(a.device) for _, r, c in spec.vars]
            res = {}
            with torch.no_grad():
                for label, m in (("torch", ref), ("native", nat)):
                    f = getattr(m, name)
                    res[label] = _time(lambda: f(*xs), a.min_time, sync)
            for label in ("torch", "native"):
                t = res[label]
                ratio = res["torch"] / res["native"] if label == "native" else ""
                print(f"native_bench,{nat.robot},{name},{B},{label},{t * 1e6:.2f},{B / t:.4g},"
                      f"{ratio if ratio == '' else f'{ratio:.2f}'}")

    o = batch1_overhead(nat, ref, dtype, a.device, a.min_time, sync)
    name = o["function"]
    print(f"# batch-1 overhead on {name} (the function with the fewest instructions):")
    for label in ("native_module_call", "torch_module_call", "native_op_only", "native_ctypes_only"):
        t = o[label]
        print(f"native_bench,{nat.robot},{name},1,{label},{t * 1e6:.2f},{1 / t:.4g},")


if __name__ == "__main__":
    main()
