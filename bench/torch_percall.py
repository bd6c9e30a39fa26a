"""Per-call CPU time of the torch schedules (1 thread, best of 5): python bench/torch_percall.py OUT"""
import sys, time, torch, thunder_torch as tt
from timing import best_per_call
torch.set_num_threads(1)
m = tt.load(sys.argv[1], dtype=torch.float64, backend="torch")
for name, B in (("M", 1), ("M", 4096), ("Yr", 1), ("Yr", 256)):
    spec = m._specs[name]
    args = [torch.rand(B, *((r,) if c == 1 else (r, c)), dtype=torch.float64) for _, r, c in spec.vars]
    f = getattr(m, name)
    with torch.no_grad():
        best = best_per_call(lambda: f(*args), clock=time.process_time, min_s=0.3)
    print(f"{name} batch {B}: {best * 1e6:.0f} us CPU per call (1 thread)")
