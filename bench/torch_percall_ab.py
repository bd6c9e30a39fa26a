"""Per-call wall time of the torch backend for a list of (function, batch) cases, with this
checkout's runtime or another one (float64, 2 torch threads, best of 5 rounds of >= 0.2 s):

    CASES=M:1,M:64,FD:4096 python bench/torch_percall_ab.py OUT new
    CASES=M:1,M:64,FD:4096 python bench/torch_percall_ab.py OUT DIR   # DIR/thunder_torch: e.g.
        # `git archive REV python/thunder_torch | tar -x -C /tmp/old` and DIR=/tmp/old/python

Run both one after the other on the same artifact to compare runtimes (bench/RESULTS_SCALE.md).
"""
import os
import sys

from timing import best_per_call

pk = sys.argv[2]
if pk != "new":   # before thunder_torch is imported: the installed one is an editable install
    sys.meta_path = [f for f in sys.meta_path if "editable" not in type(f).__name__.lower()
                     and "scikit" not in str(f).lower()]
    sys.path.insert(0, pk)
import torch  # noqa: E402
import thunder_torch as tt  # noqa: E402

torch.set_num_threads(2)
m = tt.load(sys.argv[1], dtype=torch.float64, backend="torch")
cases = [(n, int(b)) for n, b in (x.split(":") for x in os.environ["CASES"].split(","))]
for name, B in cases:
    spec = m._specs[name]
    args = [torch.rand(B, *((r,) if c == 1 else (r, c)), dtype=torch.float64) for _, r, c in spec.vars]
    f = getattr(m, name)
    with torch.no_grad():
        best = best_per_call(lambda: f(*args))
    print(f"{pk[-24:]:>24} {name} batch {B}: {best * 1e6:.0f} us wall, load {os.getloadavg()[0]:.1f}")
