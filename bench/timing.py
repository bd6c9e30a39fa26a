"""Shared timing and reporting helpers of the benchmarks.

The machines these run on are shared and noisy, so every comparison is measured side by side:
each repetition runs every implementation once, in rotating order, and we report medians (with
the 25th/75th percentiles) of the per-call times. Ratios are formed from medians of the same run.
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import time


def _block(fn, k):
    t0 = time.perf_counter()
    for _ in range(k):
        fn()
    return (time.perf_counter() - t0) / k


def interleaved(fns: dict, reps: int = 9, block_s: float = 0.02, warmup: int = 2,
                max_call_s: float = 5.0, probes: int = 3) -> dict:
    """Times each callable in `fns` (name -> zero-argument callable).

    Every repetition calls each implementation k times in a row (k chosen so that one block lasts
    about block_s), the implementations in rotating order. Returns name -> {"median", "p25",
    "p75", "k", "reps"} in seconds per call. Before timing, each implementation gets `warmup`
    untimed calls and then `probes` timed single calls; it is reported as {"skipped": reason}
    only if every probe exceeds max_call_s (one slow call on a shared machine, a page-fault storm
    on first use of a large batch, a late JIT, ... does not drop it), and k is chosen from the
    fastest probe.
    """
    ks, out, live = {}, {}, {}
    for name, fn in fns.items():
        for _ in range(warmup):  # first calls: one-time costs, not part of the decision
            fn()
        t = min(_block(fn, 1) for _ in range(max(1, probes)))
        if t > max_call_s:
            out[name] = {"skipped": f"fastest of {max(1, probes)} calls took {t:.1f} s (> {max_call_s} s)"}
            continue
        ks[name] = max(1, int(block_s / max(t, 1e-9)))
        live[name] = fn
    names = list(live)
    times = {n: [] for n in names}
    for r in range(reps):
        for j in range(len(names)):
            n = names[(j + r) % len(names)]
            times[n].append(_block(live[n], ks[n]))
    for n in names:
        v = sorted(times[n])
        out[n] = {"median": statistics.median(v), "p25": v[len(v) // 4],
                  "p75": v[(3 * len(v)) // 4], "k": ks[n], "reps": reps}
    return out


def best_per_call(fn, clock=time.perf_counter, rounds: int = 5, min_s: float = 0.2) -> float:
    """Seconds per call of fn(), the best of `rounds` rounds of at least 3 calls and min_s
    seconds of `clock` (time.process_time for CPU time)."""
    fn()
    best = float("inf")
    for _ in range(rounds):
        t, n = clock(), 0
        while n < 3 or clock() - t < min_s:
            fn()
            n += 1
        best = min(best, (clock() - t) / n)
    return best


def max_abs_diff(a, b) -> float:
    import torch
    a = a.detach().to("cpu", torch.float64)
    b = b.detach().to("cpu", torch.float64)
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch {tuple(a.shape)} vs {tuple(b.shape)}")
    return float((a - b).abs().max())


def machine_info() -> dict:
    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "platform": platform.platform(), "python": platform.python_version(),
            "cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        info["cpu"] = platform.processor()
    try:
        with open("/proc/meminfo") as f:
            info["mem_gib"] = round(int(f.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    for mod in ("torch", "casadi", "pinocchio", "numpy", "adam", "pytorch_kinematics"):
        try:
            m = __import__(mod)
            info[mod] = getattr(m, "__version__", "?")
        except Exception as e:  # noqa: BLE001 - report, do not fail
            info[mod] = f"not available ({type(e).__name__})"
    from importlib.metadata import version
    for mod, dist in (("adam", "adam-robotics"), ("pytorch_kinematics", "pytorch-kinematics"),
                      ("pinocchio", "pin")):
        if info.get(mod) in (None, "?") or str(info.get(mod)).startswith("not available"):
            try:
                info[mod] = version(dist)
            except Exception:  # noqa: BLE001 - keep what the import said
                pass
    try:
        import torch
        info["torch_threads"] = torch.get_num_threads()
        info["cuda"] = torch.cuda.is_available()
    except Exception:  # noqa: BLE001
        pass
    try:
        info["cxx"] = subprocess.run(["c++", "--version"], capture_output=True, text=True,
                                     check=False).stdout.splitlines()[0]
    except Exception:  # noqa: BLE001
        pass
    return info


def save_json(obj, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)
