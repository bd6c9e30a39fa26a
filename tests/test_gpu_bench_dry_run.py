"""bench/gpu.sh --dry-run on a small robot: the GPU benchmark's install check, generation (CUDA
sources written), argument handling, correctness check and report writing, with the CPU in place
of the GPU, so that the first run on a real GPU finds nothing broken."""
import os
import subprocess

from conftest import HANG_GUARD, ROBOTS, ROOT


def test_gpu_bench_dry_run():
    env = dict(os.environ)
    proc = subprocess.run(["bash", str(ROOT / "bench" / "gpu.sh"), "--dry-run", "--robot", str(ROBOTS / "RRR.yaml"),
                           "--functions", "M,G", "--batches", "1,9", "--dtypes", "float64,float32",
                           "--min-time", "0.01"], capture_output=True, text=True, env=env, timeout=HANG_GUARD)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    md = ROOT / "bench" / "build" / "gpu" / "RESULTS_GPU.dry-run.md"
    text = md.read_text()
    assert "CPU (dry run: no GPU)" in text and "bash bench/gpu.sh --dry-run" in text
    for impl in ("thunder native", "thunder torch", "cusadi-style torch"):
        assert f"| M | {impl} |" in text, impl
    assert list((ROOT / "bench" / "build" / "gpu" / "gen" / "native" / "cuda").glob("*.cu"))
    # an unknown argument is an error with a hint
    bad = subprocess.run(["bash", str(ROOT / "bench" / "gpu.sh"), "--frobnicate"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--help" in bad.stderr
