"""torch.compile of the generated M, measured once per configuration in a fresh process:
compile time (first compiled call), per-call time compiled and eager (median of interleaved
repetitions), for the torch schedules and the native kernels.

    thunder gen robots/franka.yaml -o OUT --functions M --native --no-cuda
    python bench/compile_once.py OUT            # prints one Markdown table

Each configuration runs in its own subprocess so that no compilation cache of an earlier one
helps a later one (Inductor's on-disk cache is also pointed at a fresh folder).
"""
import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time, statistics, torch
import thunder_torch
out, backend, dtype, B, mode = sys.argv[1], sys.argv[2], getattr(torch, sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.set_num_threads(2)
r = thunder_torch.load(out, dtype=dtype, backend=backend)
q = torch.rand(B, 7, dtype=dtype)
with torch.no_grad():
    f = torch.compile(r.M, fullgraph=True, dynamic=False, mode=None if mode == "default" else mode)
    t0 = time.perf_counter(); y = f(q); first = time.perf_counter() - t0
    err = (y - r.M(q)).abs().max().item()
    def per_call(fn, n):
        fn(q)
        t = time.perf_counter()
        for _ in range(n): fn(q)
        return (time.perf_counter() - t) / n
    n = 2000 if B == 1 else 200
    eager, comp = [], []
    for _ in range(7):
        eager.append(per_call(r.M, n)); comp.append(per_call(f, n))
print(json.dumps({"first_s": first, "eager_us": 1e6 * statistics.median(eager),
                  "compiled_us": 1e6 * statistics.median(comp), "max_err": err}))
"""


def main():
    out = sys.argv[1]
    rows = []
    for backend in ("torch", "native"):
        for dtype in ("float64", "float32"):
            for B in (1, 64):
                env = dict(os.environ, TORCHINDUCTOR_CACHE_DIR=tempfile.mkdtemp(prefix="inductor_"))
                proc = subprocess.run([sys.executable, "-c", CHILD, out, backend, dtype, str(B), "default"],
                                      capture_output=True, text=True, env=env, timeout=1200)
                if proc.returncode != 0:
                    rows.append((backend, dtype, B, None, proc.stderr.strip().splitlines()[-1]))
                    continue
                rows.append((backend, dtype, B, json.loads(proc.stdout.strip().splitlines()[-1]), ""))
    print("| backend | dtype | batch | first compiled call | eager per call | compiled per call | max err |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for backend, dtype, B, r, err in rows:
        if r is None:
            print(f"| {backend} | {dtype} | {B} | failed: {err} | | | |")
        else:
            print(f"| {backend} | {dtype} | {B} | {r['first_s']:.1f} s | {r['eager_us']:.1f} µs | "
                  f"{r['compiled_us']:.1f} µs | {r['max_err']:.1e} |")


if __name__ == "__main__":
    main()
