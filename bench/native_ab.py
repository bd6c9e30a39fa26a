"""Two native generations of one robot, interleaved calls of M and C (medians of 300): python bench/native_ab.py OUT_NEW OUT_OLD"""
import sys, time, statistics, torch, thunder_torch as tt
torch.set_num_threads(2)
a = tt.load(sys.argv[1], dtype=torch.float64, backend="native"); b = tt.load(sys.argv[2], dtype=torch.float64, backend="native")
for name in ("M", "C"):
    for B in (4096, 512):
        q = torch.rand(B, 7, dtype=torch.float64); dq = torch.rand(B, 7, dtype=torch.float64)
        args = (q,) if name == "M" else (q, dq)
        fa, fb = getattr(a, name), getattr(b, name)
        ta, tb = [], []
        with torch.no_grad():
            for _ in range(300):
                t = time.perf_counter(); fa(*args); ta.append(time.perf_counter() - t)
                t = time.perf_counter(); fb(*args); tb.append(time.perf_counter() - t)
        print(f"{name} batch {B}: new {statistics.median(ta)*1e6:.0f} us, old {statistics.median(tb)*1e6:.0f} us (medians of 300 interleaved)")
