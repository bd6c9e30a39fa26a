"""Native CPU kernels: the threads torch gives them, and libraries that are loaded safely (issues 22
and 23). One small native build (RRR's M and G at -O0) serves every test here."""
import ctypes
import shutil
import subprocess
import sys

import pytest
import torch

import thunder_torch as tt
from thunder_torch import _native
from conftest import ROBOTS, recompute_artifacts, run_thunder, thunder_bin


def _gen(out, *extra):
    run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--functions", "M,G", "--targets", "casadi,native",
                "--native-opt", "0", "--no-cuda", "-q", *extra)
    return out


@pytest.fixture(scope="module")
def rrr(tmp_path_factory):
    return _gen(tmp_path_factory.mktemp("native_threads") / "out")


def test_torch_set_num_threads_governs_the_kernels(rrr):
    """The thread count a call may use is torch's (passed to the library before a call whenever
    it changed), and the kernels share torch's OpenMP runtime: one libgomp in the process, so
    there is no second pool whose idle threads spin against torch's."""
    m = tt.load(rrr, dtype=torch.float64, backend="native")
    lib = _native._LIBRARIES[_native.open_library(rrr, "RRR", "cpu", torch.float64)]
    threads = ctypes.c_int.in_dll(lib.lib, "thunder_native_threads_")
    q = torch.rand(64, 3, dtype=torch.float64)
    before = torch.get_num_threads()
    try:
        for n in (1, 2, 3):
            torch.set_num_threads(n)
            m.M(q)
            assert threads.value == n
    finally:
        torch.set_num_threads(before)
    with open("/proc/self/maps") as f:
        gomp = {line.split()[-1] for line in f if "libgomp" in line.split()[-1]}
    assert len(gomp) <= 1, gomp


def test_results_do_not_depend_on_the_thread_count(rrr):
    """Dynamic chunks over threads write each instance exactly once: a batch large enough to run
    on several threads (RRR's M: 4096 instances) equals the one-thread result bit for bit."""
    m = tt.load(rrr, dtype=torch.float64, backend="native")
    ref = tt.load(rrr, dtype=torch.float64, backend="torch")
    q = torch.rand(4096, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = m.M(q).clone()
        torch.set_num_threads(4)
        four = m.M(q)
    finally:
        torch.set_num_threads(before)
    assert torch.equal(one, four)
    # and they agree with the torch schedules (same instructions; fma rounding: 1e-12)
    torch.testing.assert_close(four, ref.M(q).detach(), rtol=1e-12, atol=1e-12)


def test_a_truncated_library_with_a_recomputed_checksum_is_an_error_not_a_sigbus(rrr, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(rrr, out)
    lib = out / "native" / "libthunder_RRR_f64.so"
    size = lib.stat().st_size
    with open(lib, "r+b") as f:
        f.truncate(int(size * 0.6))
    recompute_artifacts(out, ["native/libthunder_RRR_f64.so"])
    # in a child process: a SIGBUS must show up as a signal, not take the test runner down
    code = (f"import torch, thunder_torch as tt\n"
            f"m = tt.load({str(out)!r}, dtype=torch.float64, backend='native')\n"
            f"m.M(torch.zeros(3, dtype=torch.float64))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "NativeLibraryError" in proc.stderr and "truncated or not a shared library" in proc.stderr, \
        proc.stderr[-2000:]


def test_check_elf_accepts_the_intact_library_and_refuses_a_cut_one(rrr, tmp_path):
    lib = rrr / "native" / "libthunder_RRR_f64.so"
    _native.check_elf(lib)
    data = lib.read_bytes()
    for cut in (10, 100, len(data) // 2, len(data) - 1):
        bad = tmp_path / f"cut{cut}.so"
        bad.write_bytes(data[:cut])
        with pytest.raises(_native.NativeLibraryError, match="truncated or not a shared library"):
            _native.check_elf(bad)


def test_a_folder_regenerated_in_the_same_process_loads_its_new_library(tmp_path):
    """dlopen hands back the library already mapped under a path: the second generation's library
    must be mapped afresh (and serve the new generation), not be refused as another
    generation's."""
    out = tmp_path / "out"
    run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--functions", "M,G", "--targets", "native",
                "--native-opt", "0", "--no-cuda", "-q")
    q = torch.tensor([0.3, -0.2, 0.5], dtype=torch.float64)
    with torch.no_grad():
        M1 = tt.load(out, dtype=torch.float64, backend="native").M(q)
        # another function set: another manifest, registry and library at the same path
        run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--functions", "M", "--targets", "native",
                    "--native-opt", "0", "--no-cuda", "-q")
        m2 = tt.load(out, dtype=torch.float64, backend="native")
        assert not hasattr(m2, "G")
        M2 = m2.M(q)
        ref = tt.load(out, dtype=torch.float64, backend="torch").M(q)
    # the same robot and parameters: the same M; both agree with the torch schedules
    torch.testing.assert_close(M2, ref, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(M2, M1, rtol=1e-12, atol=1e-12)


def test_chunked_simd_tiles_agree_with_the_torch_schedules(tmp_path):
    """A large tile is split into chunk functions (own translation units) that pass the values
    live across them through a per-thread spill array; forced here on small functions (chunks of
    15 lines, sin/cos pairs included): forward and reverse kernels agree with the torch schedules."""
    import os
    out = tmp_path / "chunked"
    env = dict(os.environ, THUNDER_NATIVE_CHUNK_ABOVE="0", THUNDER_NATIVE_CHUNK_SIZE="15")
    subprocess.run([thunder_bin(), "gen", str(ROBOTS / "seaRRR.yaml"), "-o", str(out), "--functions", "M,FD",
                    "--targets", "native", "--native-opt", "0", "--no-cuda", "-q"], check=True, env=env,
                   capture_output=True)
    assert len(list((out / "native").glob("thunder_seaRRR_FD_rev_g*.cpp"))) >= 2
    nat = tt.load(out, dtype=torch.float64, backend="native")
    ref = tt.load(out, dtype=torch.float64, backend="torch")
    g = torch.Generator().manual_seed(5)
    for name in ("M", "FD"):
        spec = ref._specs[name]
        args = [torch.rand(37, *((r,) if c == 1 else (r, c)), generator=g, dtype=torch.float64)
                for _, r, c in spec.vars]
        xs_n = [a.clone().requires_grad_() for a in args]
        xs_t = [a.clone().requires_grad_() for a in args]
        yn, yt = getattr(nat, name)(*xs_n), getattr(ref, name)(*xs_t)
        # the same instructions; fma and libmvec's sin/cos differ in the last bits: 1e-12 (the
        # reverse of FD runs through the ABA solve, which amplifies them: 1e-10 there)
        torch.testing.assert_close(yn, yt, rtol=1e-12, atol=1e-12)
        w = torch.rand(yt.shape, generator=g, dtype=torch.float64)
        gn = torch.autograd.grad((yn * w).sum(), xs_n)
        gt = torch.autograd.grad((yt * w).sum(), xs_t)
        for a, b in zip(gn, gt):
            torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-10)
        # outputs over 1 MiB: whole tiles store straight into the caller's rows from inside the
        # chunks (streaming stores), the last partial tile through the tile buffer
        n_out = yt[0].numel()
        batch = (1 << 20) // (8 * n_out) + 8 + 3
        big = [torch.rand(batch, *((r,) if c == 1 else (r, c)), generator=g, dtype=torch.float64)
               for _, r, c in spec.vars]
        with torch.no_grad():
            torch.testing.assert_close(getattr(nat, name)(*big), getattr(ref, name)(*big), rtol=1e-12, atol=1e-12)
