"""FD forward + reverse with the native backend, two generations of one robot side by side (chunked tiles vs one tile):
    python bench/native_fd_grad.py OUT_CHUNKED OUT_ONE_TILE   (docs/NATIVE.md, "Chunked tiles")
"""
import sys, time, torch, thunder_torch as tt
torch.set_num_threads(1)
res = {}
mods = {k: tt.load(p, dtype=torch.float64, backend="native") for k, p in (("chunked", sys.argv[1]), ("one tile", sys.argv[2]))}
spec = mods["chunked"]._specs["FD"]
g = torch.Generator().manual_seed(0)
args = [torch.rand(1024, *((r,) if c == 1 else (r, c)), generator=g, dtype=torch.float64) for _, r, c in spec.vars]
args[0][:, 3:7] = torch.nn.functional.normalize(args[0][:, 3:7], dim=1)
def run(m):
    xs = [a.clone().requires_grad_() for a in args]
    y = m.FD(*xs)
    return torch.autograd.grad(y.sum(), xs)
ref = run(mods["one tile"]); got = run(mods["chunked"])
print("max |chunked - one tile| / max|one tile|:", max(float((a - b).abs().max() / b.abs().max()) for a, b in zip(got, ref)))
for _ in range(2):
    for k, m in mods.items():
        best = 1e9
        for _ in range(5):
            t = time.process_time(); run(m); best = min(best, time.process_time() - t)
        print(f"{k}: FD forward+reverse, batch 1024, 1 thread: {best * 1e3:.1f} ms CPU")
